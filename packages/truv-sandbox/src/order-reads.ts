/** Truv's read endpoints for orders: `GET /v1/orders/{id}/` and `GET /v1/orders/{id}/events/`. */
import type { EngineContext } from "./engine-context.js"
import { orderJson } from "./order-json.js"
import { notFound, ok, type SandboxResponse } from "./responses.js"
import { isoMillis } from "./truv-time.js"

export function getOrder(ctx: EngineContext, id: string): SandboxResponse {
  const order = ctx.state.orders.get(id)
  return order === undefined ? notFound() : ok(orderJson(ctx.state, order, ctx.clock.now()))
}


/** `GET /v1/orders/{id}/events/`; `include_refresh_orders=true` adds the lineage's refresh orders. */
export function listOrderEvents(ctx: EngineContext, id: string, query: URLSearchParams): SandboxResponse {
  const order = ctx.state.orders.get(id)
  if (order === undefined) return notFound()
  const include = query.get("include_refresh_orders") === "true"
  const orders = include && order.id === order.rootId ? ctx.state.lineageOrders(order.id) : [order]
  const events = orders.flatMap((o) => o.events).sort((a, b) => a.timestamp - b.timestamp)
  const pageSize = Math.max(1, Math.min(100, Number(query.get("page_size") ?? 100) || 100))
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1)
  const slice = events.slice((page - 1) * pageSize, page * pageSize)
  return ok({
    count: events.length,
    next: page * pageSize < events.length ? `?page=${page + 1}&page_size=${pageSize}` : null,
    previous: page > 1 ? `?page=${page - 1}&page_size=${pageSize}` : null,
    results: slice.map((e) => ({
      object: e.taskId === null ? "order" : "task", type: e.type, is_refresh: e.isRefresh, order_id: e.orderId,
      timestamp: isoMillis(e.timestamp), suborder_id: e.suborderId, task_id: e.taskId, link_id: e.linkId
    }))
  })
}
