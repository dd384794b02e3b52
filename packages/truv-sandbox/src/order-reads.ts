/** Truv's read endpoints for orders: `GET /v1/orders/`, `GET /v1/orders/{id}/` and `GET /v1/orders/{id}/events/`. */
import type { EngineContext } from "./engine-context.js"
import { orderJson } from "./order-json.js"
import { notFound, ok, type SandboxResponse } from "./responses.js"
import { isoMillis } from "./truv-time.js"

export function getOrder(ctx: EngineContext, id: string): SandboxResponse {
  const order = ctx.state.orders.get(id)
  return order === undefined ? notFound() : ok(orderJson(ctx.state, order, ctx.clock.now()))
}

/** A page request's `page` (from 1) and `page_size` (1-100, default `fallback`). */
const paging = (query: URLSearchParams, fallback: number) => ({
  pageSize: Math.max(1, Math.min(100, Number(query.get("page_size") ?? fallback) || fallback)),
  page: Math.max(1, Number(query.get("page") ?? 1) || 1)
})

/** Django REST's page envelope (truv-api-notes §5.4) over `items`, with `next`/`previous` as relative query strings. */
const pageOf = <T>(items: ReadonlyArray<T>, page: number, pageSize: number, extra = "") => ({
  count: items.length,
  next: page * pageSize < items.length ? `?page=${page + 1}&page_size=${pageSize}${extra}` : null,
  previous: page > 1 ? `?page=${page - 1}&page_size=${pageSize}${extra}` : null,
  results: items.slice((page - 1) * pageSize, page * pageSize)
})

/**
 * `GET /v1/orders/` (docs.truv.com/api-reference/orders/orders_list: "returns a list of orders";
 * its filters are not documented, truv-reports-notes §4). The sandbox's assumption: every order of
 * the client (refresh orders included), newest first (`created_at`, then id), in Django REST's page
 * envelope (`page`, `page_size` 1-100, default 25), filtered by `order_number` when given (exact
 * match; Truv's list filters are Django filter-sets, which match a plain field exactly).
 */
export function listOrders(ctx: EngineContext, query: URLSearchParams): SandboxResponse {
  const orderNumber = query.get("order_number")
  const now = ctx.clock.now()
  const orders = [...ctx.state.orders.values()]
    .filter((o) => orderNumber === null || o.orderNumber === orderNumber)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const { page, pageSize } = paging(query, 25)
  const envelope = pageOf(orders, page, pageSize, orderNumber === null ? "" : `&order_number=${encodeURIComponent(orderNumber)}`)
  return ok({ ...envelope, results: envelope.results.map((o) => orderJson(ctx.state, o, now)) })
}

/** `GET /v1/orders/{id}/events/`; `include_refresh_orders=true` adds the lineage's refresh orders. */
export function listOrderEvents(ctx: EngineContext, id: string, query: URLSearchParams): SandboxResponse {
  const order = ctx.state.orders.get(id)
  if (order === undefined) return notFound()
  const include = query.get("include_refresh_orders") === "true"
  const orders = include && order.id === order.rootId ? ctx.state.lineageOrders(order.id) : [order]
  const events = orders.flatMap((o) => o.events).sort((a, b) => a.timestamp - b.timestamp)
  const { page, pageSize } = paging(query, 100)
  const envelope = pageOf(events, page, pageSize)
  return ok({
    ...envelope,
    results: envelope.results.map((e) => ({
      object: e.taskId === null ? "order" : "task", type: e.type, is_refresh: e.isRefresh, order_id: e.orderId,
      timestamp: isoMillis(e.timestamp), suborder_id: e.suborderId, task_id: e.taskId, link_id: e.linkId
    }))
  })
}
