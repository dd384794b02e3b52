/**
 * The clients act (client-script.ts): when a new order or a Bridge token is created, its client's
 * action is planned on the sandbox clock; when it falls due, the client completes the order,
 * re-authenticates the link, finds it "Already Connected", or comes too late. What they do is
 * what Truv does when a person does it: the same webhooks and state as the admin calls
 * (`completeOrder`, `reauthenticate`), dated at the instant the client acted.
 */
import { DISCONNECTING_STATUSES, outcomeOf } from "../behaviour.js"
import type { EngineContext } from "../engine-context.js"
import { completeOrder, reauthenticate } from "../lineage-admin.js"
import { SandboxRequestError } from "../request-error.js"
import type { SandboxLink, SandboxOrder, SandboxSuborder } from "../state.js"
import { validityFacts } from "../tasks.js"
import { HOUR_MS } from "../truv-time.js"
import { isExpired } from "../validity.js"
import * as payload from "../webhook-payloads.js"
import type { ClientRequest, ClientRequestKind } from "./client-records.js"
import { clientKeyOf } from "./client-script.js"
import { BRIDGE_TOKEN_LIFETIME_MS } from "../bridge-tokens.js"
import { orderClientKey, orderOpenAt } from "./notifications.js"

/** A new order was created (`POST /v1/orders/`): counted for its client, and the client's action planned. */
export function planOrderAction(ctx: EngineContext, order: SandboxOrder): void {
  const key = orderClientKey(order)
  ctx.report.client(key, "orders")
  if (order.orderNumber === null) return
  plan(ctx, key, "new-order", order.id, order.orderNumber, order.createdAt, order.expiredAt, (request, at) => actOnOrder(ctx, key, request, order, at))
}

/** A Bridge token was issued: counted for the client of its link's lineage; in update mode, the client's action planned. */
export function planTokenAction(ctx: EngineContext, token: string, userId: string, linkId: string | null, trackingInfo: string | null): void {
  const order = linkId === null ? newestOrderOfUser(ctx, userId) : orderOfLink(ctx, linkId)
  const key = order === undefined ? "(none)" : orderClientKey(order)
  ctx.report.client(key, "tokens")
  if (linkId === null || order?.orderNumber == null) return
  const issuedAt = ctx.clock.now()
  plan(ctx, key, "bridge-update", linkId, trackingInfo ?? token, issuedAt, issuedAt + BRIDGE_TOKEN_LIFETIME_MS, (request, at) =>
    actOnToken(ctx, key, request, token, linkId, at))
}

function plan(
  ctx: EngineContext, key: string, kind: ClientRequestKind, id: string, requestKey: string, createdAt: number, expiresAt: number,
  act: (request: ClientRequest, at: number) => void
): void {
  const action = ctx.clients.actionFor(key, requestKey, kind)
  const actsAt = action === null || action.kind === "never" || (action.kind === "unreachable" && kind === "bridge-update") ? null
    : action.kind === "unreachable" ? createdAt
    : action.kind === "after-expiry" ? expiresAt + action.afterHours * HOUR_MS : createdAt + action.afterHours * HOUR_MS
  const outcome = action === null ? "unscripted" : actsAt === null ? "never" : "waiting"
  // Two live links for one client: counted (the request's `liveAlongside` names the earlier ones).
  const liveAlongside = ctx.clients.record(key).requests.filter((r) => stillLive(ctx, r, kind, id, createdAt)).map((r) => r.id)
  if (liveAlongside.length > 0) ctx.report.client(key, "overlapping")
  // Recorded even unscripted: every order and token the sandbox made for a client is listed (`sandbox.clients()`).
  const request: ClientRequest = { kind, id, requestKey, createdAt, action, actsAt, outcome, actedAt: null, liveAlongside }
  ctx.clients.record(key).requests.push(request)
  if (actsAt !== null) ctx.clients.schedule(actsAt, () => act(request, actsAt))
}

/**
 * Whether the client could still act on its earlier request `r` at `at`, when a request of `kind`
 * (`id`: the order, or the token's link) is made: an order of the same client still open (not
 * completed, canceled, expired or closed); a token for the same link within its 6 h that the client
 * has not used or found too late. Tokens for different links of one client are one per connection.
 */
function stillLive(ctx: EngineContext, r: ClientRequest, kind: ClientRequestKind, id: string, at: number): boolean {
  if (r.kind !== kind) return false
  if (r.kind === "new-order") {
    const order = ctx.state.orders.get(r.id)
    return order !== undefined && orderOpenAt(order, at)
  }
  return r.id === id && at < r.createdAt + BRIDGE_TOKEN_LIFETIME_MS && (r.actedAt === null || r.actedAt > at)
}

/** Whether the client already did what `request` asks through another ask of the same request (a second order, a second token). */
const alreadyDone = (ctx: EngineContext, key: string, request: ClientRequest): boolean =>
  ctx.clients.record(key).requests.some((r) => r !== request && r.requestKey === request.requestKey && r.kind === request.kind && (r.outcome === "completed" || r.outcome === "reauthenticated"))

function settle(ctx: EngineContext, key: string, request: ClientRequest, outcome: ClientRequest["outcome"], at: number): void {
  request.outcome = outcome
  request.actedAt = at
  if (outcome === "completed") ctx.report.client(key, "completed")
  else if (outcome === "reauthenticated") ctx.report.client(key, "reauthenticated")
  else if (outcome === "already-connected") ctx.report.client(key, "alreadyConnected")
  else if (outcome === "too-late") ctx.report.client(key, "tooLate")
  else if (outcome === "unreachable") ctx.report.client(key, "undelivered")
}

function actOnOrder(ctx: EngineContext, key: string, request: ClientRequest, order: SandboxOrder, at: number): void {
  if (request.action?.kind === "unreachable") return undeliverable(ctx, key, request, order, at)
  // Completed already (a test's `completeOrder`): nothing left to do. Closed otherwise: too late.
  if (order.suborders.some((s) => s.status === "completed")) return settle(ctx, key, request, "moot", at)
  if (!orderOpenAt(order, at)) return settle(ctx, key, request, "too-late", at)
  if (alreadyDone(ctx, key, request)) return settle(ctx, key, request, "moot", at)
  const current = currentConnections(ctx, key, order.id)
  if (request.action?.kind === "already-connected" && current.some((c) => linkActive(ctx, c.link, at))) {
    // Bridge shows "Already Connected" (help.truv.com/why-does-the-applicant-see-already-connected):
    // the client opened the link and could not finish, Truv's `skipped` (opened, not finished).
    for (const s of suborders(ctx, order, current, at)) {
      s.status = "skipped"
      ctx.webhooks.emit(payload.orderStatusUpdated({
        webhookId: ctx.prng.hexId(), at, userId: order.userId, orderId: order.id, orderNumber: order.orderNumber,
        employerId: s.id, linkId: null, dataSource: null, product: order.products[0] ?? "income", status: "skipped"
      }))
    }
    order.updatedAt = Math.max(order.updatedAt, at)
    return settle(ctx, key, request, "already-connected", at)
  }
  suborders(ctx, order, current, at)
  const explicit = request.action !== null && "connections" in request.action ? request.action.connections ?? [] : []
  // Each new connection is like the old one at its position (provider, auth kind), with what the script says over it.
  const seeds = Array.from({ length: Math.max(current.length, explicit.length) }, (_, i) => {
    const from = current[i]
    return { ...(from === undefined ? {} : { provider: from.link.provider.name, authKind: from.link.authKind }), ...explicit[i] }
  })
  const made = completeOrder(ctx, order.id, seeds, at)
  // Same job, same pay: the new connection continues the old one's history, unless the script gave it a `pay`.
  made.connections.forEach((m, i) => {
    const from = current[i]
    const old = from === undefined || explicit[i]?.pay !== undefined ? undefined : ctx.state.payRecords.get(from.link.id)
    if (old === undefined) return
    const pull = { at, spec: old.spec }
    ctx.state.payRecords.set(m.linkId, { spec: old.spec, seed: old.seed, product: old.product, lastPull: pull, suborderPulls: new Map([[m.suborderId, pull]]) })
  })
  settle(ctx, key, request, "completed", at)
}

/** Truv's messages bounced: each open suborder (or the order, without any) goes `error`, "notification delivery failed" (truv-api-notes §3.3). */
function undeliverable(ctx: EngineContext, key: string, request: ClientRequest, order: SandboxOrder, at: number): void {
  if (order.notifiedAt == null || !orderOpenAt(order, at)) return settle(ctx, key, request, "never", at)
  const common = { at, userId: order.userId, orderId: order.id, orderNumber: order.orderNumber, linkId: null, dataSource: null, product: order.products[0] ?? "income", status: "error" }
  if (order.suborders.length === 0) ctx.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), employerId: null }))
  for (const s of order.suborders) {
    if (s.status !== "pending" && s.status !== "sent") continue
    s.status = "error"
    ctx.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), employerId: s.id }))
  }
  order.deliveryFailedAt = at
  order.updatedAt = Math.max(order.updatedAt, at)
  settle(ctx, key, request, "unreachable", at)
}

function actOnToken(ctx: EngineContext, key: string, request: ClientRequest, token: string, linkId: string, at: number): void {
  if (alreadyDone(ctx, key, request)) return settle(ctx, key, request, "moot", at)
  try {
    reauthenticate(ctx, linkId, { bridgeToken: token, at })
    settle(ctx, key, request, "reauthenticated", at)
  } catch (e) {
    // 410 `expired_token` (6 h passed): too late, nothing changes (counted in expiredBridgeTokensRefused too).
    if (!(e instanceof SandboxRequestError)) throw e
    settle(ctx, key, request, "too-late", at)
  }
}

interface CurrentConnection {
  readonly suborder: SandboxSuborder
  readonly link: SandboxLink
}

/**
 * The client's connections now: the completed suborders of its newest root order (seeded, or a
 * new order it completed) other than `exceptOrderId`. A new order is a new root (truv-reports-notes §3.4).
 */
function currentConnections(ctx: EngineContext, key: string, exceptOrderId: string): Array<CurrentConnection> {
  const roots = [...ctx.state.orders.values()].filter((o) =>
    o.id === o.rootId && o.id !== exceptOrderId && o.orderNumber !== null && clientKeyOf(o.orderNumber) === key && o.suborders.some((s) => s.status === "completed" && s.linkId !== null))
  const newest = roots.sort((a, b) => b.createdAt - a.createdAt)[0]
  if (newest === undefined) return []
  return newest.suborders.flatMap((s) => {
    const link = s.status === "completed" && s.linkId !== null ? ctx.state.links.get(s.linkId) : undefined
    return link === undefined ? [] : [{ suborder: s, link }]
  })
}

/** The order's open suborders; an order made without employers gets one per current connection (the client picks them in Bridge). */
function suborders(ctx: EngineContext, order: SandboxOrder, current: ReadonlyArray<CurrentConnection>, at: number): Array<SandboxSuborder> {
  if (order.suborders.length === 0) {
    current.forEach((c, i) => order.suborders.push({
      id: ctx.prng.hexId(), suborderNumber: `${order.orderNumber ?? order.id.slice(0, 7)}-${i + 1}`, kind: c.suborder.kind, linkId: null,
      status: order.notifiedAt == null ? "pending" : "sent", createdAt: at, companyName: c.suborder.companyName
    }))
  }
  return order.suborders.filter((s) => s.linkId === null && (s.status === "pending" || s.status === "sent"))
}

/** A link that still works at `at` (Bridge would say "Already Connected"): not expired, and not failing a login. */
const linkActive = (ctx: EngineContext, link: SandboxLink, at: number): boolean =>
  !DISCONNECTING_STATUSES.has(outcomeOf(link.behaviour, isExpired(validityFacts(link), ctx.validity, at), at)) &&
  (link.lastStatus === null || !DISCONNECTING_STATUSES.has(link.lastStatus))

const orderOfLink = (ctx: EngineContext, linkId: string): SandboxOrder | undefined => {
  for (const o of ctx.state.orders.values()) if (o.id === o.rootId && o.suborders.some((s) => s.linkId === linkId)) return o
  return undefined
}

const newestOrderOfUser = (ctx: EngineContext, userId: string): SandboxOrder | undefined =>
  [...ctx.state.orders.values()].filter((o) => o.userId === userId).sort((a, b) => b.createdAt - a.createdAt)[0]
