/**
 * `POST /v1/orders/` (a new order, i.e. a new verification link) and
 * `POST /v1/users/{user_id}/tokens/` (a Bridge token, update mode with `access_token`).
 */
import type { Product } from "@recert/core"
import { issueBridgeToken } from "./bridge-tokens.js"
import { type Body, type EngineContext, isRecord, ORDER_LIFETIME_MS } from "./engine-context.js"
import { orderJson, SANDBOX_CLIENT_NAME } from "./order-json.js"
import { badRequest, type InvalidParam, notFound, ok, type SandboxResponse } from "./responses.js"
import { PRODUCTS } from "./rules.js"
import type { SandboxOrder } from "./state.js"
import * as payload from "./webhook-payloads.js"

/** `POST /v1/orders/`: a new order, i.e. a new verification link for the user. */
export function createOrder(ctx: EngineContext, body: unknown): SandboxResponse {
  const b = isRecord(body) ? body : {}
  const problems: Array<InvalidParam> = []
  const products = b.products
  if (!Array.isArray(products) || products.length === 0) problems.push({ field: "products", message: "This field is required." })
  else for (const p of products) if (!PRODUCTS.includes(p as Product)) problems.push({ field: "products", message: `"${String(p)}" is not a valid choice.` })
  for (const field of ["first_name", "last_name"] as const) {
    if (typeof b[field] !== "string" || b[field] === "") problems.push({ field, message: "This field is required." })
  }
  const employers = b.employers === undefined ? [] : b.employers
  if (!Array.isArray(employers) || employers.some((e) => !isRecord(e) || (typeof e.company_name !== "string" && typeof e.company_mapping_id !== "string"))) {
    problems.push({ field: "employers", message: "Each employer needs company_name or company_mapping_id." })
  }
  if (problems.length > 0) return badRequest(problems)
  const now = ctx.clock.now()
  const id = ctx.prng.hexId()
  const userId = ctx.prng.hexId()
  const orderNumber = typeof b.order_number === "string" ? b.order_number : null
  const order: SandboxOrder = {
    id, rootId: id, parentId: null, orderNumber, products: products as Array<Product>, userId,
    firstName: b.first_name as string, lastName: b.last_name as string, email: typeof b.email === "string" ? b.email : null,
    createdAt: now, updatedAt: now, expiredAt: now + ORDER_LIFETIME_MS, canceledAt: null, finalizedAt: null, refreshOrder: null, initialOrder: null,
    suborders: (employers as Array<Body>).map((e, i) => ({
      id: ctx.prng.hexId(), suborderNumber: `${orderNumber ?? id.slice(0, 7)}-${i + 1}`, kind: "employer" as const, linkId: null,
      status: "pending" as const, createdAt: now, companyName: typeof e.company_name === "string" ? e.company_name : String(e.company_mapping_id)
    })),
    gse: false, bridgeToken: ctx.prng.hexId(),
    events: [{ type: "order_created", orderId: id, isRefresh: false, timestamp: now, suborderId: null, taskId: null, linkId: null }]
  }
  ctx.state.orders.set(id, order)
  ctx.state.refreshOrdersByRoot.set(id, [])
  ctx.state.users.add(userId)
  ctx.report.mutable.ordersCreated += 1
  ctx.webhooks.emit(payload.orderCreated({ webhookId: ctx.prng.hexId(), at: now, userId, orderId: id, orderNumber, product: order.products[0]! }))
  return ok(orderJson(ctx.state, order, now), 201)
}

/** `POST /v1/users/{user_id}/tokens/`: a Bridge token; with `access_token`, update mode. */
export function createBridgeToken(ctx: EngineContext, userId: string, body: unknown): SandboxResponse {
  if (!ctx.state.users.has(userId)) return notFound()
  const b = isRecord(body) ? body : {}
  const problems: Array<InvalidParam> = []
  if (typeof b.product_type !== "string" || b.product_type === "") problems.push({ field: "product_type", message: "This field is required." })
  if (b.access_token !== undefined) {
    const link = typeof b.access_token === "string" ? ctx.state.linksByToken.get(b.access_token) : undefined
    if (link === undefined || link.userId !== userId) problems.push({ field: "access_token", message: "Invalid access token." })
  }
  if (problems.length > 0) return badRequest(problems)
  ctx.report.mutable.bridgeTokensIssued += 1
  const linkId = typeof b.access_token === "string" ? ctx.state.linksByToken.get(b.access_token)?.id ?? null : null
  // Truv's example echoes the request (its quickstart sends `client_name` and `tracking_info`);
  // what the caller left out is null, `allowed_products` the product and `data_sources` payroll.
  const text = (v: unknown): string | null => (typeof v === "string" ? v : null)
  const trackingInfo = text(b.tracking_info)
  return ok({
    bridge_token: issueBridgeToken(ctx, userId, linkId, trackingInfo), user_id: userId, product_type: b.product_type,
    tracking_info: trackingInfo, client_name: text(b.client_name) ?? SANDBOX_CLIENT_NAME,
    allowed_products: Array.isArray(b.allowed_products) ? b.allowed_products : [b.product_type],
    access_token: text(b.access_token), company_mapping_id: text(b.company_mapping_id), template_id: text(b.template_id),
    data_sources: Array.isArray(b.data_sources) ? b.data_sources : ["payroll"]
  })
}
