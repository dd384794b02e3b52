/**
 * Orders the user never completed expire at `expired_at` (creation + 72 h, weekends not counted; truv-api-notes §3.3),
 * and Truv says so with `order-status-updated`, `status: "expired"`, `link_id` and `data_source`
 * null (its documented example, docs.truv.com/reference/orders-1). The sandbox has no timer on
 * sandbox time, so it sweeps whenever time moves (the clock's listener) and before each Truv
 * request; each expired suborder is announced once, dated at the order's `expired_at`.
 */
import type { EngineContext } from "./engine-context.js"
import * as payload from "./webhook-payloads.js"

/** Marks the unconnected suborders of every order past its expiry `expired` and sends the webhook. */
export function sweepExpiredOrders(ctx: EngineContext, now = ctx.clock.now()): void {
  for (const order of ctx.state.orders.values()) {
    if (now < order.expiredAt || order.canceledAt !== null || order.suborders.some((s) => s.status === "completed")) continue
    const common = { at: order.expiredAt, userId: order.userId, orderId: order.id, orderNumber: order.orderNumber, linkId: null, dataSource: null, product: order.products[0] ?? "income", status: "expired" }
    if (order.suborders.length === 0 && order.expiryAnnounced !== true) {
      // No employer was named or picked: one event for the order, `employer_id` null (documented nullable).
      order.expiryAnnounced = true
      ctx.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), employerId: null }))
    }
    for (const s of order.suborders) {
      // A connected suborder has a task running (a refresh order): it ends by its task, not by expiry.
      if (s.linkId !== null || (s.status !== "pending" && s.status !== "sent")) continue
      s.status = "expired"
      order.updatedAt = Math.max(order.updatedAt, order.expiredAt)
      ctx.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), employerId: s.id }))
    }
  }
}
