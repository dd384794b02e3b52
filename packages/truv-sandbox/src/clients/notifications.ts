/**
 * Truv's own messages to the client about a new order (truv-reports-notes §3.3, truv-api-notes
 * §3.3): given `email` and/or `phone`, Truv sends the link by email and/or SMS when the order is
 * created and the suborders go `sent` (`order-status-updated`); then it sends reminders, "3 spread
 * over the order's life" (current docs; older docs: a daily email). Nothing is sent with
 * `notification_settings: {"suppress_user_notifications": true}` until a `PATCH` turns it off.
 * The sandbox places the reminders at 1/4, 1/2 and 3/4 of the way from creation to `expired_at`,
 * and sends each while the order is still open (not canceled, expired, completed or skipped).
 * Every message is counted in the report (`clients.messages`, per order and per client) and shows
 * in the order's events (`email_sent`, `sms_sent`, `email_reminder_sent`, `sms_reminder_sent`).
 */
import type { EngineContext } from "../engine-context.js"
import type { SandboxOrder } from "../state.js"
import * as payload from "../webhook-payloads.js"
import { clientKeyOf } from "./client-script.js"

/** Where the reminders fall between an order's creation (0) and its `expired_at` (1). */
export const REMINDER_FRACTIONS: ReadonlyArray<number> = [0.25, 0.5, 0.75]

type Channel = "email" | "sms"

const channels = (order: SandboxOrder): Array<Channel> => [
  ...(order.email !== null && order.email !== "" ? ["email" as const] : []),
  ...(order.phone != null && order.phone !== "" ? ["sms" as const] : [])
]

/** The client an order belongs to (the case's `order_number`; "(none)" without one). */
export const orderClientKey = (order: SandboxOrder): string => (order.orderNumber === null ? "(none)" : clientKeyOf(order.orderNumber))

/** Whether the client can still act on the order at `at`: not canceled, finalized or expired, and a suborder (or none yet) still open. */
export const orderOpenAt = (order: SandboxOrder, at: number): boolean =>
  (order.canceledAt === null || order.canceledAt > at) && order.finalizedAt === null && at < order.expiredAt &&
  (order.suborders.length === 0 || order.suborders.some((s) => s.status === "pending" || s.status === "sent"))

/** Truv notifies the client at `at` unless suppressed, already notified, or without email and phone; then plans the reminders. */
export function notifyClient(ctx: EngineContext, order: SandboxOrder, at: number): void {
  const via = channels(order)
  if (order.suppressNotifications === true || order.notifiedAt != null || via.length === 0 || !orderOpenAt(order, at)) return
  order.notifiedAt = at
  const key = orderClientKey(order)
  for (const channel of via) {
    ctx.report.message(order, key, channel, "initial")
    order.events.push({ type: `${channel}_sent`, orderId: order.id, isRefresh: false, timestamp: at, suborderId: null, taskId: null, linkId: null })
  }
  const common = { at, userId: order.userId, orderId: order.id, orderNumber: order.orderNumber, linkId: null, dataSource: null, product: order.products[0] ?? "income", status: "sent" }
  if (order.suborders.length === 0) ctx.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), employerId: null }))
  for (const s of order.suborders) {
    if (s.status !== "pending") continue
    s.status = "sent"
    ctx.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), employerId: s.id }))
  }
  order.updatedAt = Math.max(order.updatedAt, at)
  const life = order.expiredAt - order.createdAt
  for (const fraction of REMINDER_FRACTIONS) {
    const when = order.createdAt + Math.round(life * fraction)
    if (when > at) ctx.clients.schedule(when, () => remind(ctx, order, when))
  }
}

function remind(ctx: EngineContext, order: SandboxOrder, at: number): void {
  if (order.suppressNotifications === true || !orderOpenAt(order, at)) return
  const key = orderClientKey(order)
  for (const channel of channels(order)) {
    ctx.report.message(order, key, channel, "reminder")
    order.events.push({ type: `${channel}_reminder_sent`, orderId: order.id, isRefresh: false, timestamp: at, suborderId: null, taskId: null, linkId: null })
  }
}
