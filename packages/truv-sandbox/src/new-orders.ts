/**
 * `POST /v1/orders/` (a new order, i.e. a new verification link) and
 * `POST /v1/users/{user_id}/tokens/` (a Bridge token, update mode with `access_token`).
 */
import type { Product } from "@recert/core"
import { issueBridgeToken } from "./bridge-tokens.js"
import { planOrderAction, planTokenAction } from "./clients/client-actions.js"
import { notifyClient } from "./clients/notifications.js"
import { type Body, type EngineContext, isRecord, orderExpiresAt } from "./engine-context.js"
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
  for (const field of ["email", "phone", "external_user_id", "order_number"] as const) {
    if (b[field] !== undefined && b[field] !== null && typeof b[field] !== "string") problems.push({ field, message: "Not a valid string." })
  }
  const suppress = suppressionOf(b.notification_settings)
  if (suppress === "invalid") problems.push({ field: "notification_settings", message: "suppress_user_notifications must be a boolean." })
  if (problems.length > 0) return badRequest(problems)
  const now = ctx.clock.now()
  const id = ctx.prng.hexId()
  // A Truv user persists across orders with the same `external_user_id` (truv-reports-notes §1).
  const externalUserId = typeof b.external_user_id === "string" && b.external_user_id !== "" ? b.external_user_id : null
  const userId = (externalUserId === null ? undefined : ctx.state.usersByExternalId.get(externalUserId)) ?? ctx.prng.hexId()
  if (externalUserId !== null) ctx.state.usersByExternalId.set(externalUserId, userId)
  const orderNumber = typeof b.order_number === "string" ? b.order_number : null
  const order: SandboxOrder = {
    id, rootId: id, parentId: null, orderNumber, products: products as Array<Product>, userId,
    firstName: b.first_name as string, lastName: b.last_name as string, email: typeof b.email === "string" ? b.email : null,
    phone: typeof b.phone === "string" ? b.phone : null, suppressNotifications: suppress === true, notifiedAt: null, isNewOrder: true,
    createdAt: now, updatedAt: now, expiredAt: orderExpiresAt(now), canceledAt: null, finalizedAt: null, refreshOrder: null, initialOrder: null,
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
  // Truv answers with the order as created (`pending`), then sends its messages (`sent`).
  const answer = ok(orderJson(ctx.state, order, now), 201)
  notifyClient(ctx, order, now)
  planOrderAction(ctx, order)
  return answer
}

/** `notification_settings.suppress_user_notifications` (truv-reports-notes §3.3): true, false, undefined when absent, or "invalid". */
export const suppressionOf = (settings: unknown): boolean | undefined | "invalid" => {
  if (settings === undefined || settings === null) return undefined
  if (!isRecord(settings)) return "invalid"
  const v = settings.suppress_user_notifications
  return v === undefined ? undefined : typeof v === "boolean" ? v : "invalid"
}

/**
 * `PATCH /v1/orders/{id}/` with `notification_settings`: turns Truv's messages off, or on (truv-reports-notes
 * §3.3: "turn Truv's messages on later"); turned on for an open order never messaged, Truv sends
 * its first message now. 200 with the order.
 */
export function updateOrder(ctx: EngineContext, id: string, body: unknown): SandboxResponse {
  const order = ctx.state.orders.get(id)
  if (order === undefined) return notFound()
  const b = isRecord(body) ? body : {}
  const suppress = suppressionOf(b.notification_settings)
  if (suppress === "invalid") return badRequest([{ field: "notification_settings", message: "suppress_user_notifications must be a boolean." }])
  const now = ctx.clock.now()
  if (suppress !== undefined) {
    order.suppressNotifications = suppress
    order.updatedAt = now
    if (!suppress) notifyClient(ctx, order, now)
  }
  return ok(orderJson(ctx.state, order, now))
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
  const token = issueBridgeToken(ctx, userId, linkId, trackingInfo)
  planTokenAction(ctx, token, userId, linkId, trackingInfo)
  return ok({
    bridge_token: token, user_id: userId, product_type: b.product_type,
    tracking_info: trackingInfo, client_name: text(b.client_name) ?? SANDBOX_CLIENT_NAME,
    allowed_products: Array.isArray(b.allowed_products) ? b.allowed_products : [b.product_type],
    access_token: text(b.access_token), company_mapping_id: text(b.company_mapping_id), template_id: text(b.template_id),
    data_sources: Array.isArray(b.data_sources) ? b.data_sources : ["payroll"]
  })
}
