/**
 * Closing a lineage: canceled (by hand, or `POST /v1/orders/{id}/cancel/`), finalized (Truv's
 * `order-finalized`: "no further data collection or refresh occurs", truv-api-notes §3.3) or
 * expired. A closed lineage refuses refresh orders with a 400 `incorrect_parameters` naming
 * `order`. Truv documents none of these details; the README lists the assumptions.
 */
import { orderClientKey } from "./clients/notifications.js"
import type { EngineContext } from "./engine-context.js"
import { isOrderExpired, orderJson } from "./order-json.js"
import { badRequest, notFound, ok, type SandboxResponse } from "./responses.js"
import type { SandboxOrder } from "./state.js"
import { isoMillis } from "./truv-time.js"
import * as payload from "./webhook-payloads.js"

export type ClosedReason = "canceled" | "finalized" | "expired"

export const CLOSED_MESSAGES: Readonly<Record<ClosedReason, string>> = {
  canceled: "Order is canceled",
  finalized: "Order is finalized",
  expired: "Order is expired"
}

/** Why a lineage (given by its root) refuses refreshes at `now`, or null when it is open. */
export const lineageClosedReason = (root: SandboxOrder, now: number): ClosedReason | null =>
  root.canceledAt !== null ? "canceled" : root.finalizedAt !== null ? "finalized" : isOrderExpired(root, now) ? "expired" : null

export interface ClosedLineage {
  readonly rootId: string
  /** Every order of the lineage, root first. */
  readonly orderIds: ReadonlyArray<string>
  readonly canceledAt: string | null
  readonly finalizedAt: string | null
}

const lineageOf = (ctx: EngineContext, orderId: string): Array<SandboxOrder> | undefined => {
  const order = ctx.state.orders.get(orderId)
  return order === undefined ? undefined : ctx.state.lineageOrders(order.rootId)
}

const describe = (orders: ReadonlyArray<SandboxOrder>): ClosedLineage => {
  const root = orders[0]!
  return {
    rootId: root.id,
    orderIds: orders.map((o) => o.id),
    canceledAt: root.canceledAt === null ? null : isoMillis(root.canceledAt),
    finalizedAt: root.finalizedAt === null ? null : isoMillis(root.finalizedAt)
  }
}

type CancelResult = { readonly ok: true; readonly lineage: ClosedLineage } | { readonly ok: false; readonly reason: "not-found" | "finalized" }

const cancel = (ctx: EngineContext, orderId: string): CancelResult => {
  const orders = lineageOf(ctx, orderId)
  if (orders === undefined) return { ok: false, reason: "not-found" }
  if (orders[0]!.finalizedAt !== null) return { ok: false, reason: "finalized" }
  if (orders[0]!.canceledAt === null) {
    const now = ctx.clock.now()
    for (const o of orders) {
      o.canceledAt = now
      o.updatedAt = now
      // Work Truv already accepted (a running task) still ends, is billed and sets its suborder.
      for (const s of o.suborders) if (s.status === "pending" || s.status === "sent") s.status = "canceled"
      if (o.isNewOrder === true) ctx.report.client(orderClientKey(o), "canceled")
    }
    ctx.report.mutable.lineagesCanceled += 1
  }
  return { ok: true, lineage: describe(orders) }
}

/** Admin: the lineage of `orderId` is canceled (idempotent). Throws for an unknown or finalized order. */
export function cancelLineage(ctx: EngineContext, orderId: string): ClosedLineage {
  const r = cancel(ctx, orderId)
  if (r.ok) return r.lineage
  throw new Error(r.reason === "not-found" ? `unknown order ${orderId}` : `order ${orderId} is finalized`)
}

/** `POST /v1/orders/{id}/cancel/` (path unverified, notes §3.3): 200 with the order as it is now. */
export function cancelOrderEndpoint(ctx: EngineContext, orderId: string): SandboxResponse {
  const r = cancel(ctx, orderId)
  if (!r.ok) return r.reason === "not-found" ? notFound() : badRequest([{ field: "order", message: CLOSED_MESSAGES.finalized }])
  return ok(orderJson(ctx.state, ctx.state.orders.get(orderId)!, ctx.clock.now()))
}

/**
 * Admin: Truv finalizes the lineage of `orderId`: every order gets `finalizedAt` and one
 * `order-finalized` webhook names the root. Finalizing again changes nothing and sends nothing.
 */
export function finalizeLineage(ctx: EngineContext, orderId: string): ClosedLineage {
  const orders = lineageOf(ctx, orderId)
  if (orders === undefined) throw new Error(`unknown order ${orderId}`)
  const root = orders[0]!
  if (root.finalizedAt === null) {
    const now = ctx.clock.now()
    for (const o of orders) {
      o.finalizedAt = now
      o.updatedAt = now
    }
    ctx.report.mutable.lineagesFinalized += 1
    ctx.webhooks.emit(payload.orderFinalized({
      webhookId: ctx.prng.hexId(), at: now, userId: root.userId, orderId: root.id, orderNumber: root.orderNumber, product: root.products[0] ?? "income"
    }))
  }
  return describe(orders)
}
