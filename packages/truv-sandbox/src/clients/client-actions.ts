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
  const actsAt = action === null || action.kind === "never" ? null : action.kind === "after-expiry" ? expiresAt + action.afterHours * HOUR_MS : createdAt + action.afterHours * HOUR_MS
  const outcome = action === null ? "unscripted" : actsAt === null ? "never" : "waiting"
  // Recorded even unscripted: every order and token the sandbox made for a client is listed (`sandbox.clients()`).
  const request: ClientRequest = { kind, id, requestKey, createdAt, action, actsAt, outcome, actedAt: null }
  ctx.clients.record(key).requests.push(request)
  if (actsAt !== null) ctx.clients.schedule(actsAt, () => act(request, actsAt))
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
}

function actOnOrder(ctx: EngineContext, key: string, request: ClientRequest, order: SandboxOrder, at: number): void {
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
  const explicit = request.action !== null && "connections" in request.action ? request.action.connections : undefined
  const seeds = explicit ?? current.map((c) => ({ provider: c.link.provider.name, authKind: c.link.authKind }))
  const made = completeOrder(ctx, order.id, seeds, at)
  // Same job, same pay: the new connection continues the old one's history (unless the script gave its own).
  if (explicit === undefined) {
    made.connections.forEach((m, i) => {
      const from = current[i]
      const old = from === undefined ? undefined : ctx.state.payRecords.get(from.link.id)
      if (old === undefined) return
      const pull = { at, spec: old.spec }
      ctx.state.payRecords.set(m.linkId, { spec: old.spec, seed: old.seed, product: old.product, lastPull: pull, suborderPulls: new Map([[m.suborderId, pull]]) })
    })
  }
  settle(ctx, key, request, "completed", at)
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
