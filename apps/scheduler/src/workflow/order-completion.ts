/**
 * Whether a new order the client was sent has finished, computed from its suborders (pure).
 * Truv sends `order-status-updated` per suborder change, and one page says a single order-level
 * event fires after all connections finish (truv-reports-notes §3.3: a conflict), so Recert does not
 * wait for an order-level event: it reads the order and decides from every employer's status.
 *
 * Terminal suborder statuses (Truv's order statuses table: "Terminal: yes"): `completed`,
 * `error` (the notification could not be delivered), `canceled`, `expired`, `skipped` (the client
 * opened the link and left), `no_data`. `pending` and `sent` are still open, unless the order
 * itself is expired or canceled (then nothing more will come).
 *
 * | suborders | completion |
 * |---|---|
 * | none yet, or some still open (and the order neither expired nor canceled) | `open`: wait |
 * | all terminal, at least one `completed` with a link | `completed` (the failed ones listed: some failed) |
 * | all terminal, none completed | `ended`: no data came; the request's expiry or replacement deals with it |
 */
import type { TruvOrder, TruvSuborder } from "@recert/core"

export const TERMINAL_SUBORDER_STATUSES: ReadonlySet<string> = new Set(["completed", "error", "canceled", "expired", "skipped", "no_data"])

export type OrderCompletion =
  | { readonly state: "open"; readonly open: ReadonlyArray<TruvSuborder> }
  | { readonly state: "completed"; readonly completed: ReadonlyArray<TruvSuborder & { readonly linkId: string }>; readonly failed: ReadonlyArray<TruvSuborder> }
  | { readonly state: "ended"; readonly statuses: ReadonlyArray<string> }

const hasLink = (s: TruvSuborder): s is TruvSuborder & { readonly linkId: string } => s.linkId !== null && s.linkId !== ""

/**
 * @example
 * orderCompletion({ ...order, suborders: [{ status: "completed", linkId: "l1", ... }, { status: "sent", ... }] }).state   // "open"
 */
export const orderCompletion = (order: TruvOrder): OrderCompletion => {
  const closed = order.isExpired || order.canceledAt !== null
  const open = order.suborders.filter((s) => !TERMINAL_SUBORDER_STATUSES.has(s.status))
  // No suborder yet: the client has not picked an employer; the order is open until it closes.
  if ((open.length > 0 || order.suborders.length === 0) && !closed) return { state: "open", open }
  const completed = order.suborders.filter((s) => s.status === "completed").filter(hasLink)
  if (completed.length === 0) return { state: "ended", statuses: order.suborders.map((s) => s.status) }
  return { state: "completed", completed, failed: order.suborders.filter((s) => !(s.status === "completed" && hasLink(s))) }
}
