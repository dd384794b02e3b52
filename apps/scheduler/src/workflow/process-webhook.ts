/**
 * Processing one stored webhook event (the receiver stored it in the inbox before answering 2xx).
 * Idempotent: order events go through `applyOutcome`, which records each connection's terminal
 * status once and runs the follow-up only when the attempt becomes final, so duplicates and
 * events arriving out of order (a late `order-status-updated` after a poll already resolved the
 * refresh) change nothing. Returns a short result for the inbox row.
 */
import type { RenewalStore, TruvGateway } from "@recert/core"
import { Effect } from "effect"
import { orderEventOutcome, parseWebhook } from "../webhooks/event.js"
import { applyOutcome, type OutcomeError } from "./apply-outcome.js"
import type { FollowUps } from "./follow-up-port.js"

export const processWebhookBody = (body: string): Effect.Effect<string, OutcomeError, RenewalStore | TruvGateway | FollowUps> =>
  Effect.gen(function*() {
    const parsed = parseWebhook(body)
    if (!parsed.ok) return `invalid: ${parsed.message}`
    const outcome = orderEventOutcome(parsed.event)
    if (outcome === null) return `ignored: ${parsed.event.event_type}${parsed.event.status == null ? "" : ` ${parsed.event.status}`}`
    const r = yield* applyOutcome({ orderId: outcome.orderId, connectionId: outcome.linkId, status: outcome.status, at: parsed.updatedAt })
    switch (r.kind) {
      case "ignored":
        // The webhook may overtake our own record of the refresh: try again shortly.
        return r.why.startsWith("no attempt") ? `retry: ${r.why}` : `ignored: ${r.why}`
      case "recorded":
        return `recorded ${outcome.status} for ${outcome.linkId}`
      case "final":
        return `final: case ${r.caseId} ${r.outcome}`
    }
  })
