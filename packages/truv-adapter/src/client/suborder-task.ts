/**
 * `findSuborderTask`: which task one connection of a refresh order ran, and how it ended, from
 * Truv's own records. `GET /v1/orders/{id}/` gives a failed suborder only `error` (its enum is
 * `pending, sent, completed, error, canceled, expired, no_data, skipped`), while the webhook of
 * the same failure carries the task's status. The order's events (`GET /v1/orders/{id}/events/`,
 * truv-api-notes §1.4) name each connection's task (`task_id`, beside `suborder_id` and
 * `link_id`), and the task (`GET /v1/tasks/{id}/`, §2) has the precise status: `login_error`,
 * `mfa_error`, `account_locked`, `unavailable`, ... So polling learns what a webhook would say.
 *
 * The event: the latest (by `timestamp`; equal or missing timestamps: the later in the list) of
 * the refresh order's events that has a `task_id` and names the connection by its suborder id or
 * its link id. The event types themselves are not documented beyond `order_created`, so none is
 * relied on. Pages are read until `next` is null (at most `MAX_PAGES`): a refresh order has a
 * handful of events. A task that names another link is not this connection's: null.
 */
import type { SuborderRef, TruvError, TruvTask } from "@recert/core"
import { Effect } from "effect"
import type { OrderEventJson } from "./schemas.js"
import type { TruvClientApi } from "./truv-client.js"

const PAGE_SIZE = 100
const MAX_PAGES = 10

const namesConnection = (e: OrderEventJson, ref: SuborderRef): boolean =>
  e.task_id != null && (e.order_id == null || e.order_id === ref.orderId) &&
  (e.suborder_id === ref.suborderId || (ref.linkId !== null && e.link_id === ref.linkId))

const notEarlier = (e: OrderEventJson, than: OrderEventJson | null): boolean =>
  than === null || Date.parse(e.timestamp ?? "") >= Date.parse(than.timestamp ?? "") || than.timestamp == null

export const findSuborderTaskWith = (client: TruvClientApi) => (ref: SuborderRef): Effect.Effect<TruvTask | null, TruvError> =>
  Effect.gen(function*() {
    let latest: OrderEventJson | null = null
    for (let page = 1; page <= MAX_PAGES; page++) {
      const events = yield* client.listOrderEvents(ref.orderId, { page, pageSize: PAGE_SIZE })
      for (const e of events.results) if (namesConnection(e, ref) && notEarlier(e, latest)) latest = e
      if (events.next == null) break
    }
    if (latest === null) return null
    const task = yield* client.getTask(latest.task_id!)
    const linkId = task.link_id ?? null
    if (linkId !== null && ref.linkId !== null && linkId !== ref.linkId) return null
    return { id: task.id, status: task.status, linkId, orderId: task.order_id ?? null }
  })
