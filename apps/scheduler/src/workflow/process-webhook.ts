/**
 * Processing one stored webhook event (the receiver stored it in the inbox before answering 2xx).
 * Parsing is the adapter's (`parseWebhookEvent`): a typed union, with event types it does not
 * model kept as `unknown` rather than refused. Idempotent: order events go through `applyOutcome`,
 * which records each connection's terminal status once and runs the follow-up only when the
 * attempt becomes final, so duplicates and events arriving out of order (a late
 * `order-status-updated` after a poll already resolved the refresh) change nothing. Returns a
 * `WebhookResult` (`webhook-result.ts`), a tagged union the inbox acts on and stores as text.
 */
import { type RenewalStore, type TaskStatus, TaskStatus as TaskStatusSchema, type TruvGateway } from "@recert/core"
import { parseWebhookEvent, type WebhookEvent, type WebhookParseResult } from "@recert/truv-adapter"
import { Effect } from "effect"
import { applyOutcome } from "./apply-outcome.js"
import type { CaseProgress } from "./case-progress.js"
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

type Classified =
  | { readonly act: false; readonly result: WebhookResult }
  | { readonly act: true; readonly event: WebhookEvent; readonly outcome: NonNullable<ReturnType<typeof orderEventOutcome>> }

/** Whether processing acts on the event (a terminal outcome of an order's connection), else its result. */
const classify = (parsed: WebhookParseResult): Classified => {
  if (!parsed.ok) return { act: false, result: WebhookResult.Invalid(parsed.error) }
  const outcome = orderEventOutcome(parsed.event)
  return outcome === null ? { act: false, result: WebhookResult.Ignored(describe(parsed.event)) } : { act: true, event: parsed.event, outcome }
}

/**
 * The result of an event that processing would not act on (it does not parse as a known event,
 * or it carries no terminal outcome), or null when it must be processed. The receiver stores
 * such events already processed with this result, so no worker claims them.
 */
export const resultWithoutProcessing = (parsed: WebhookParseResult): WebhookResult | null => {
  const c = classify(parsed)
  return c.act ? null : c.result
}

export const processWebhookBody = (body: string): Effect.Effect<WebhookResult, OutcomeError, RenewalStore | TruvGateway | CaseProgress> =>
  Effect.gen(function*() {
    const c = classify(parseWebhookEvent(body))
    if (!c.act) return c.result
    const { outcome } = c
    const r = yield* applyOutcome({ orderId: outcome.orderId, connectionId: outcome.linkId, status: outcome.status, at: eventUpdatedAt(c.event) })
    switch (r.kind) {
      case "ignored":
        // The webhook may overtake our own record of the refresh: try again shortly.
        return r.reason === "unknown-order" ? WebhookResult.Retry(r.why, { orderId: outcome.orderId, linkId: outcome.linkId }) : WebhookResult.Ignored(r.why)
      case "recorded":
        return WebhookResult.Recorded(outcome.status, outcome.linkId)
      case "final":
        return WebhookResult.Final(r.caseId, r.outcome)
    }
  })
