/**
 * Processing one stored webhook event (the receiver stored it in the inbox before answering 2xx).
 * Parsing is the adapter's (`parseWebhookEvent`): a typed union, with event types it does not
 * model kept as `unknown` rather than refused. Idempotent: order events go through `applyOutcome`,
 * which records each connection's terminal status once and runs the follow-up only when the
 * attempt becomes final, so duplicates and events arriving out of order (a late
 * `order-status-updated` after a poll already resolved the refresh) change nothing. Returns a
 * `WebhookResult` (`webhook-result.ts`), a tagged union the inbox acts on and stores as text.
 *
 * Events about a client request (issue 16: a new order the client completed or abandoned, a link
 * re-authenticated through Bridge) go to `follow-request.ts` when the environment has
 * `ClientRequests` (the scheduler's passes do); they are idempotent the same way.
 *
 * `link-deleted` (issue 19: we deleted the link, `recert cases close --delete-link`, or the client
 * or the agency did at Truv): the connection is recorded deleted and its access token erased
 * (`RenewalStore.connectionDeleted`); core's `connection.deleted` then never decides a refresh or
 * a re-authentication for it again, and asks for a new order at the case's next renewal when the
 * case is still open. Again idempotent: a second one changes nothing.
 */
import { RenewalStore, type TaskStatus, TaskStatus as TaskStatusSchema, type TruvGateway } from "@recert/core"
import { parseWebhookEvent, type WebhookEvent, type WebhookParseResult } from "@recert/truv-adapter"
import { Effect, Option } from "effect"
import { applyOutcome } from "./apply-outcome.js"
import type { CaseProgress } from "./case-progress.js"
import { ClientRequests, REQUEST_KEY_PREFIX } from "./client-requests.js"
import { type FollowError, followOrderEvent, followReauthentication, requestFollowedText } from "./follow-request.js"
import { TERMINAL_SUBORDER_STATUSES } from "./order-completion.js"
import type { OutcomeError } from "./outcome.js"
import { WebhookResult } from "./webhook-result.js"

export { webhookResultText } from "./webhook-result.js"

/** What an order event says about one connection, if anything final. */
export const orderEventOutcome = (event: WebhookEvent): { orderId: string; linkId: string; status: TaskStatus } | null => {
  if (event.event_type === "order-status-updated") {
    if (event.link_id == null || event.status !== "completed") return null
    return { orderId: event.order_id, linkId: event.link_id, status: "done" }
  }
  if (event.event_type === "order-refresh-failed") {
    const status = TaskStatusSchema.safeParse(event.status)
    return event.link_id == null || !status.success ? null : { orderId: event.order_id, linkId: event.link_id, status: status.data }
  }
  return null
}

/** The instant a body describes (`updated_at`, else `event_created_at`), as ISO; epoch if neither parses. */
export const instantOf = (fields: Readonly<Record<string, unknown>>): string => {
  const at = [fields["updated_at"], fields["event_created_at"]].find((v): v is string => typeof v === "string" && Number.isFinite(Date.parse(v)))
  return new Date(at === undefined ? 0 : Date.parse(at)).toISOString()
}

export const eventUpdatedAt = (event: WebhookEvent): string => instantOf(event.event_type === "unknown" ? event.raw : event)

const describe = (event: WebhookEvent): string =>
  event.event_type === "unknown"
    ? `unknown event type ${event.originalEventType ?? "(none)"}`
    : `${event.event_type}${"status" in event ? ` ${event.status}` : ""}`

/**
 * What an event may say about a client request (issue 16): a new order's suborder reached a
 * terminal status other than `completed` (a `completed` one is an outcome first: an attempt's, or
 * else a request's), or a link re-authenticated through a Bridge token of ours (`done`, with our
 * request key as `tracking_info`, as the token was created: a refresh's own task carries its
 * suborder id and is left alone, so a refresh's third webhook is still never claimed).
 */
export const requestEvent = (event: WebhookEvent): { readonly orderId: string } | { readonly linkId: string } | null => {
  if (event.event_type === "order-status-updated" && event.status !== "completed" && TERMINAL_SUBORDER_STATUSES.has(event.status)) return { orderId: event.order_id }
  if (event.event_type === "task-status-updated" && event.status === "done" && event.tracking_info?.startsWith(REQUEST_KEY_PREFIX) === true) return { linkId: event.link_id }
  return null
}

type Classified =
  | { readonly act: false; readonly result: WebhookResult }
  | { readonly act: true; readonly event: WebhookEvent; readonly outcome: null; readonly deletedLink: string }
  | { readonly act: true; readonly event: WebhookEvent; readonly outcome: NonNullable<ReturnType<typeof orderEventOutcome>> }
  | { readonly act: true; readonly event: WebhookEvent; readonly outcome: null; readonly request: NonNullable<ReturnType<typeof requestEvent>> }

/** Whether processing acts on the event (a terminal outcome of an order's connection, or a client request's news), else its result. */
const classify = (parsed: WebhookParseResult): Classified => {
  if (!parsed.ok) return { act: false, result: WebhookResult.Invalid(parsed.error) }
  if (parsed.event.event_type === "link-deleted") return { act: true, event: parsed.event, outcome: null, deletedLink: parsed.event.link_id }
  const outcome = orderEventOutcome(parsed.event)
  if (outcome !== null) return { act: true, event: parsed.event, outcome }
  const request = requestEvent(parsed.event)
  return request === null ? { act: false, result: WebhookResult.Ignored(describe(parsed.event)) } : { act: true, event: parsed.event, outcome: null, request }
}

/**
 * Follows the client request an event is about, when the environment follows requests
 * (`ClientRequests`); null when it does not, or when no request of ours is concerned.
 */
const followRequest = (about: { readonly orderId: string } | { readonly linkId: string }, at: string) =>
  Effect.gen(function*() {
    const requests = yield* Effect.serviceOption(ClientRequests)
    if (Option.isNone(requests)) return null
    const followed = "orderId" in about ? followOrderEvent(about.orderId) : followReauthentication(about.linkId, at)
    const r = yield* followed.pipe(Effect.provideService(ClientRequests, requests.value))
    return r === null ? null : WebhookResult.Request(requestFollowedText(r))
  })

/**
 * A link Truv deleted: recorded (its token erased), or ignored when it is not ours or already
 * recorded. An open Bridge update request for it is canceled: its token cannot re-authenticate a
 * link that is gone (the case's next renewal asks the client for a new order instead).
 */
const linkDeleted = (linkId: string, at: string) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const r = yield* store.connectionDeleted(linkId, at)
    if (r === null) return WebhookResult.Ignored(`link-deleted: ${linkId} is not a link of ours`)
    for (const caseId of r.openCases) {
      for (const q of yield* store.openVerificationsForCase(caseId)) {
        if (q.kind !== "bridge-update" || !q.connectionIds.includes(linkId)) continue
        // Already final (a racing completion or sweep) or not movable: nothing to cancel.
        yield* store.transitionRequest(q.id, "canceled", `link ${linkId} deleted at Truv: a Bridge update token cannot re-authenticate it`, at).pipe(
          Effect.catchTags({ IllegalRequestTransition: () => Effect.void, RequestNotFound: () => Effect.void }))
      }
    }
    if (r.alreadyDeleted) return WebhookResult.Ignored(`link-deleted: ${linkId} already recorded deleted at ${r.deletedAt}`)
    return WebhookResult.LinkDeleted(linkId, r.deletedAt, r.openCases)
  })

/**
 * The result of an event that processing would not act on (it does not parse as a known event,
 * or it carries no terminal outcome), or null when it must be processed. The receiver stores
 * such events already processed with this result, so no worker claims them.
 */
export const resultWithoutProcessing = (parsed: WebhookParseResult): WebhookResult | null => {
  const c = classify(parsed)
  return c.act ? null : c.result
}

export const processWebhookBody = (body: string): Effect.Effect<WebhookResult, OutcomeError | FollowError, RenewalStore | TruvGateway | CaseProgress> =>
  Effect.gen(function*() {
    const c = classify(parseWebhookEvent(body))
    if (!c.act) return c.result
    if ("deletedLink" in c) return yield* linkDeleted(c.deletedLink, eventUpdatedAt(c.event))
    if (c.outcome === null) return (yield* followRequest(c.request, eventUpdatedAt(c.event))) ?? WebhookResult.Ignored(`${describe(c.event)}: no open client request of ours`)
    const { outcome } = c
    const r = yield* applyOutcome({ orderId: outcome.orderId, connectionId: outcome.linkId, status: outcome.status, at: eventUpdatedAt(c.event) })
    switch (r.kind) {
      case "ignored": {
        if (r.reason !== "unknown-order") return WebhookResult.Ignored(r.why)
        // Not a refresh of ours: perhaps a client's new order (issue 16).
        const followed = yield* followRequest({ orderId: outcome.orderId }, eventUpdatedAt(c.event))
        // Else the webhook may overtake our own record of the refresh: try again shortly.
        return followed ?? WebhookResult.Retry(r.why, { orderId: outcome.orderId, linkId: outcome.linkId })
      }
      case "recorded":
        return WebhookResult.Recorded(outcome.status, outcome.linkId)
      case "final":
        return WebhookResult.Final(r.caseId, r.outcome)
    }
  })
