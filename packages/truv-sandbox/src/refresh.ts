/**
 * Truv's refresh endpoints (truv-api-notes §1, §2): `POST /v1/orders/{id}/` creates a refresh
 * order for the selected connections of a lineage, `POST /v1/refresh/tasks/` refreshes one link.
 * Both check the product, the selection and the per-token 24 h limit before anything counts.
 */
import type { Product } from "@recert/core"
import { type Body, type EngineContext, isRecord, orderExpiresAt } from "./engine-context.js"
import { CLOSED_MESSAGES, lineageClosedReason } from "./order-closing.js"
import { orderJson } from "./order-json.js"
import { badRequest, type InvalidParam, notFound, ok, refreshLimitExceeded, type SandboxResponse } from "./responses.js"
import { ALLOWED_REFRESH_PRODUCTS, countInWindow, isGseFree, PRODUCTS, REFRESH_LIMIT } from "./rules.js"
import type { SandboxLink, SandboxOrder, SandboxSuborder } from "./state.js"
import { startTask } from "./tasks.js"
import { isoMillis } from "./truv-time.js"
import * as payload from "./webhook-payloads.js"

/** `POST /v1/orders/{id}/`: a data refresh order (truv-api-notes §1). */
export function refreshOrder(ctx: EngineContext, id: string, body: unknown): SandboxResponse {
  const parent = ctx.state.orders.get(id)
  if (parent === undefined) return notFound()
  const root = ctx.state.orders.get(parent.rootId)!
  const now = ctx.clock.now()
  const closed = lineageClosedReason(root, now)
  if (closed !== null) return rejected(ctx, badRequest([{ field: "order", message: CLOSED_MESSAGES[closed] }]))
  const orderType = root.products[0] ?? "income"
  const problems: Array<InvalidParam> = []
  const b = isRecord(body) ? body : {}
  const product = checkRefreshProduct(b.products, orderType, problems)
  const links = resolveSelection(ctx, root, b, problems)
  if (problems.length > 0) return rejected(ctx, badRequest(problems))
  const atLimit = links.filter((l) => countInWindow(l.refreshes, now) >= REFRESH_LIMIT)
  if (atLimit.length > 0) {
    ctx.report.limitViolation({ at: isoMillis(now), orderId: id, linkIds: atLimit.map((l) => l.id) })
    return refreshLimitExceeded()
  }
  const previous = ctx.state.refreshOrdersByRoot.get(root.id)!
  const free = isGseFree(root.gse, root.createdAt, previous.length, now)
  const order: SandboxOrder = {
    id: ctx.prng.hexId(), rootId: root.id, parentId: parent.id, orderNumber: root.orderNumber, products: [product!],
    userId: root.userId, firstName: root.firstName, lastName: root.lastName, email: root.email,
    createdAt: now, updatedAt: now, expiredAt: orderExpiresAt(now), canceledAt: null, finalizedAt: null, refreshOrder: null,
    initialOrder: root.id, suborders: [], gse: false, bridgeToken: ctx.prng.hexId(),
    events: [{ type: "order_created", orderId: "", isRefresh: true, timestamp: now, suborderId: null, taskId: null, linkId: null }]
  }
  order.events[0] = { ...order.events[0]!, orderId: order.id }
  for (const o of ctx.state.lineageOrders(root.id)) {
    o.refreshOrder = order.id
    o.updatedAt = now
  }
  previous.push(order.id)
  ctx.state.orders.set(order.id, order)
  for (const link of links) {
    const original = root.suborders.find((s) => s.linkId === link.id)!
    const suborder: SandboxSuborder = { id: ctx.prng.hexId(), suborderNumber: original.suborderNumber, kind: original.kind, linkId: link.id, status: "pending", createdAt: now, companyName: original.companyName }
    order.suborders.push(suborder)
    startTask(ctx, link, product!, now, free, order, suborder)
  }
  ctx.report.refreshAccepted(links.map((l) => l.id))
  ctx.report.mutable.refreshOrdersCreated += 1
  ctx.webhooks.emit(payload.orderCreated({ webhookId: ctx.prng.hexId(), at: now, userId: order.userId, orderId: order.id, orderNumber: order.orderNumber, product: product! }))
  return ok(orderJson(ctx.state, order, now), 201)
}


/** `POST /v1/refresh/tasks/`: refresh one link (truv-api-notes §2); same per-token limit. */
export function createRefreshTask(ctx: EngineContext, body: unknown): SandboxResponse {
  const b = isRecord(body) ? body : {}
  const problems: Array<InvalidParam> = []
  const link = typeof b.access_token === "string" ? ctx.state.linksByToken.get(b.access_token) : undefined
  if (typeof b.access_token !== "string" || b.access_token === "") problems.push({ field: "access_token", message: "This field is required." })
  else if (link === undefined) problems.push({ field: "access_token", message: "Invalid access token." })
  const productTypes = ["income", "employment", "deposit_switch", "pll", "insurance", "transactions", "assets"]
  if (typeof b.product_type !== "string") problems.push({ field: "product_type", message: "This field is required." })
  else if (!productTypes.includes(b.product_type)) problems.push({ field: "product_type", message: `"${b.product_type}" is not a valid choice.` })
  if (problems.length > 0 || link === undefined) return rejected(ctx, badRequest(problems))
  const now = ctx.clock.now()
  if (countInWindow(link.refreshes, now) >= REFRESH_LIMIT) {
    ctx.report.limitViolation({ at: isoMillis(now), orderId: null, linkIds: [link.id] })
    return refreshLimitExceeded()
  }
  const task = startTask(ctx, link, b.product_type as Product, now, false, null, null)
  ctx.report.refreshAccepted([link.id])
  return ok({ task_id: task.id }, 201)
}


function rejected(ctx: EngineContext, response: SandboxResponse): SandboxResponse {
  ctx.report.mutable.refreshes.rejectedOther += 1
  return response
}

function checkRefreshProduct(products: unknown, orderType: Product, problems: Array<InvalidParam>): Product | undefined {
  if (!Array.isArray(products) || products.length === 0) {
    problems.push({ field: "products", message: "This field is required." })
    return undefined
  }
  if (products.length !== 1) {
    problems.push({ field: "products", message: "Ensure this field has no more than 1 elements." })
    return undefined
  }
  const p = products[0] as Product
  if (!PRODUCTS.includes(p)) {
    problems.push({ field: "products", message: `"${String(products[0])}" is not a valid choice.` })
    return undefined
  }
  if (!ALLOWED_REFRESH_PRODUCTS[orderType].includes(p)) {
    problems.push({ field: "products", message: `Product "${p}" cannot be refreshed on an order of type "${orderType}".` })
    return undefined
  }
  return p
}

/** The links a refresh selects: by suborder `id` (of any order of the lineage) or `suborder_number`. */
function resolveSelection(ctx: EngineContext, root: SandboxOrder, b: Body, problems: Array<InvalidParam>): Array<SandboxLink> {
  const byKey = new Map<string, { kind: string; linkId: string | null }>()
  for (const o of ctx.state.lineageOrders(root.id)) {
    for (const s of o.suborders) {
      byKey.set(`id:${s.id}`, { kind: s.kind, linkId: s.linkId })
      byKey.set(`number:${s.suborderNumber}`, { kind: s.kind, linkId: s.linkId })
    }
  }
  const selected = new Set<string>()
  const selectors = [["employers", "employer"], ["financial_accounts", "financial_account"]] as const
  const anySelector = selectors.some(([field]) => b[field] !== undefined)
  for (const [field, kind] of selectors) {
    const items = b[field]
    if (items === undefined) continue
    if (!Array.isArray(items)) {
      problems.push({ field, message: "Expected a list of items." })
      continue
    }
    for (const item of items) {
      const key = isRecord(item) && typeof item.id === "string" ? `id:${item.id}`
        : isRecord(item) && typeof item.suborder_number === "string" ? `number:${item.suborder_number}` : null
      const found = key === null ? undefined : byKey.get(key)
      if (found === undefined || found.kind !== kind || found.linkId === null) {
        problems.push({ field, message: `Unknown ${kind.replace("_", " ")}: ${JSON.stringify(item)}` })
      } else selected.add(found.linkId)
    }
  }
  if (!anySelector) for (const s of root.suborders) if (s.linkId !== null) selected.add(s.linkId)
  if (selected.size === 0 && problems.length === 0) problems.push({ field: "employers", message: "The order has no connected employer or financial account to refresh." })
  return [...selected].map((id) => ctx.state.links.get(id)!)
}
