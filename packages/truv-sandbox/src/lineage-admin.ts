/**
 * The sandbox's admin operations on lineages and links: seeding a completed root order with its
 * connections, scripting behaviours, the user re-authenticating through Bridge, and the user
 * completing a new order. None of these is a Truv endpoint.
 */
import { type LinkBehaviour, parseBehaviour } from "./behaviour.js"
import { checkBridgeToken } from "./bridge-tokens.js"
import { ClientScript, clientKeyOf } from "./clients/client-script.js"
import { type EngineContext, orderExpiresAt } from "./engine-context.js"
import { recordPull, registerPay } from "./pay/pay-records.js"
import { ConnectionSeed, type SeededConnection, type SeededLineage, SeedLineageInput, toMs } from "./seed.js"
import type { SandboxLink, SandboxSuborder } from "./state.js"
import { isoMillis } from "./truv-time.js"
import * as payload from "./webhook-payloads.js"

/** Creates a completed root order with connected links. No webhooks: nothing happened at Truv's side. */
export function seedLineage(ctx: EngineContext, input: unknown): SeededLineage {
  const seed = SeedLineageInput.parse(input)
  const now = ctx.clock.now()
  const createdAt = seed.createdAt === undefined ? now : toMs(seed.createdAt)
  const id = seed.orderId ?? ctx.prng.hexId()
  if (ctx.state.orders.has(id)) throw new Error(`order ${id} already exists`)
  const userId = seed.userId ?? ctx.prng.hexId()
  const orderNumber = seed.orderNumber === undefined ? String(1_000_000 + Math.floor(ctx.prng.next() * 9_000_000)) : seed.orderNumber
  if (seed.client !== undefined && orderNumber === null) throw new Error("client: a lineage without an orderNumber has no client to script")
  const client = seed.client === undefined ? undefined : ClientScript.parse(seed.client)
  const defaultKind = seed.orderType === "assets" || seed.orderType === "transactions" ? "financial_account" : "employer"
  const connections: Array<SeededConnection> = []
  const suborders: Array<SandboxSuborder> = []
  seed.connections.forEach((c, i) => {
    const kind = c.kind ?? defaultKind
    const suborderId = ctx.prng.hexId()
    const link = createLink(ctx, ConnectionSeed.parse(c), userId, kind, createdAt, suborderId)
    const suborder: SandboxSuborder = {
      id: suborderId,
      suborderNumber: c.suborderNumber ?? `${orderNumber ?? id.slice(0, 7)}-${i + 1}`,
      kind,
      linkId: link.id,
      status: "completed",
      createdAt,
      completedAt: createdAt,
      companyName: c.companyName ?? (kind === "employer" ? `Employer ${i + 1}` : `Bank ${i + 1}`)
    }
    suborders.push(suborder)
    registerPay(ctx.state, link, c.pay, {
      sandboxSeed: ctx.prng.seed, product: seed.orderType, suborderId: suborder.id, pulledAt: createdAt, companyName: suborder.companyName,
      firstName: seed.firstName, lastName: seed.lastName, email: seed.email, rootCreatedAt: createdAt
    })
    connections.push({
      suborderId: suborder.id, suborderNumber: suborder.suborderNumber, kind, linkId: link.id,
      accessToken: link.accessToken, provider: link.provider.name, authKind: link.authKind,
      authenticatedAt: isoMillis(link.authenticatedAt)
    })
  })
  ctx.state.orders.set(id, {
    id, rootId: id, parentId: null, orderNumber, products: [seed.orderType], userId,
    firstName: seed.firstName, lastName: seed.lastName, email: seed.email, createdAt, updatedAt: createdAt,
    expiredAt: orderExpiresAt(createdAt), canceledAt: null, finalizedAt: null, refreshOrder: null, initialOrder: null,
    suborders, gse: seed.gse, bridgeToken: ctx.prng.hexId(),
    events: [{ type: "order_created", orderId: id, isRefresh: false, timestamp: createdAt, suborderId: null, taskId: null, linkId: null }]
  })
  ctx.state.refreshOrdersByRoot.set(id, [])
  ctx.state.users.add(userId)
  if (client !== undefined && orderNumber !== null) ctx.clients.script(clientKeyOf(orderNumber), client)
  if (seed.externalUserId !== undefined) ctx.state.usersByExternalId.set(seed.externalUserId, userId)
  return { orderId: id, orderType: seed.orderType, orderNumber, userId, gse: seed.gse, createdAt: isoMillis(createdAt), connections }
}

export function setBehaviour(ctx: EngineContext, linkId: string, behaviour: unknown): LinkBehaviour {
  const link = requireLink(ctx, linkId)
  link.behaviour = parseBehaviour(behaviour)
  return link.behaviour
}

export interface ReauthenticateOptions {
  /** The Bridge token the user went through Bridge with (from `POST /v1/users/{user_id}/tokens/` or an order). */
  readonly bridgeToken?: string | undefined
  /** When the user did it (default: sandbox now); a scripted client acts at its own instant (clients/). */
  readonly at?: number | undefined
}

/**
 * The user re-authenticated the link through Bridge (update mode): authenticated now, healthy,
 * and Truv's initial pull completes (`task-status-updated: done`). Not a refresh: no slot used.
 * With `bridgeToken`, the token must be valid for the link and younger than 6 h (otherwise a
 * `SandboxRequestError`: 400, or 410 `expired_token`) and nothing changes.
 */
export function reauthenticate(ctx: EngineContext, linkId: string, options: ReauthenticateOptions = {}): { readonly linkId: string; readonly authenticatedAt: string; readonly taskId: string } {
  const link = requireLink(ctx, linkId)
  const now = options.at ?? ctx.clock.now()
  const token = options.bridgeToken === undefined ? undefined : checkBridgeToken(ctx, options.bridgeToken, link, now)
  link.authenticatedAt = now
  link.behaviour = { kind: "healthy" }
  link.lastStatus = "done"
  recordPull(ctx.state, link.id, now, null)
  const taskId = ctx.prng.hexId()
  ctx.webhooks.emit(payload.taskStatusUpdated({
    webhookId: ctx.prng.hexId(), at: now, userId: link.userId, taskId, linkId: link.id, trackingInfo: token === undefined ? link.trackingInfo : token.trackingInfo,
    product: link.dataSource === "payroll" ? "income" : "assets", dataSource: link.dataSource, status: "done"
  }))
  return { linkId, authenticatedAt: isoMillis(now), taskId }
}

/** The user completed a new order (created with `POST /v1/orders/`): its suborders get links. */
export function completeOrder(ctx: EngineContext, orderId: string, connections: ReadonlyArray<unknown> = [], at = ctx.clock.now()): SeededLineage {
  const order = ctx.state.orders.get(orderId)
  if (order === undefined) throw new Error(`unknown order ${orderId}`)
  const now = at
  const product = order.products[0] ?? "income"
  const defaultKind = product === "assets" || product === "transactions" ? "financial_account" : "employer"
  if (order.suborders.length === 0) {
    order.suborders.push({ id: ctx.prng.hexId(), suborderNumber: `${order.orderNumber ?? order.id.slice(0, 7)}-1`, kind: defaultKind, linkId: null, status: "pending", createdAt: now, companyName: "Employer 1" })
  }
  const seeded: Array<SeededConnection> = []
  order.suborders.forEach((s, i) => {
    if (s.linkId !== null) return
    const connection = ConnectionSeed.parse(connections[i] ?? {})
    const link = createLink(ctx, connection, order.userId, s.kind, now, s.id)
    s.linkId = link.id
    s.status = "completed"
    s.completedAt = now
    registerPay(ctx.state, link, connection.pay, {
      sandboxSeed: ctx.prng.seed, product, suborderId: s.id, pulledAt: now, companyName: s.companyName,
      firstName: order.firstName, lastName: order.lastName, email: order.email, rootCreatedAt: order.createdAt
    })
    order.updatedAt = now
    const taskId = ctx.prng.hexId()
    const common = { at: now, userId: order.userId, linkId: link.id, product, dataSource: link.dataSource }
    ctx.webhooks.emit(payload.taskStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), taskId, trackingInfo: s.id, status: "done" }))
    ctx.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), orderId: order.id, orderNumber: order.orderNumber, employerId: s.id, status: "completed" }))
    seeded.push({ suborderId: s.id, suborderNumber: s.suborderNumber, kind: s.kind, linkId: link.id, accessToken: link.accessToken, provider: link.provider.name, authKind: link.authKind, authenticatedAt: isoMillis(now) })
  })
  return { orderId: order.id, orderType: product, orderNumber: order.orderNumber, userId: order.userId, gse: order.gse, createdAt: isoMillis(order.createdAt), connections: seeded }
}


/** A link made through the order suborder `suborderId` (its `tracking_info`, as Truv sets it for orders). */
export function createLink(ctx: EngineContext, c: ConnectionSeed, userId: string, kind: "employer" | "financial_account", defaultAuthAt: number, suborderId: string): SandboxLink {
  const seed = ConnectionSeed.parse(c)
  const link: SandboxLink = {
    id: seed.linkId ?? ctx.prng.hexId(),
    accessToken: seed.accessToken ?? ctx.prng.hexId(),
    userId, provider: providerObject(seed.provider), dataSource: kind === "employer" ? "payroll" : "financial_accounts", authKind: seed.authKind,
    authenticatedAt: seed.authenticatedAt === undefined ? defaultAuthAt : toMs(seed.authenticatedAt),
    ...(seed.validityDays === undefined ? {} : { validityDays: seed.validityDays }),
    trackingInfo: suborderId, behaviour: parseBehaviour(seed.behaviour), refreshes: [], lastStatus: "done"
  }
  if (ctx.state.links.has(link.id) || ctx.state.linksByToken.has(link.accessToken)) throw new Error(`link ${link.id} or its access token already exists`)
  ctx.state.addLink(link)
  return link
}

export function requireLink(ctx: EngineContext, linkId: string): SandboxLink {
  const link = ctx.state.links.get(linkId)
  if (link === undefined) throw new Error(`unknown link ${linkId}`)
  return link
}

/**
 * Truv's provider object (`{ id, name, logo_url }`, Orders reference) for a seeded provider name:
 * the id is the name in snake case (Truv's example: `truv_api`), the logo on Truv's CDN path.
 */
export const providerObject = (name: string): SandboxLink["provider"] => {
  const id = name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "provider"
  return { id, name, logoUrl: `https://cdn.truv.com/providers/${id}.svg` }
}
