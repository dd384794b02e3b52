/**
 * The drafts of the events a change produces, pure: the store calls these inside the change's
 * own transaction and appends what they return (`appendOutboxEvent`). One function per change,
 * so the mapping from a change to its event is read in one place and tested without a database.
 */
import type { QueuedVerification, VerificationRequest, VerificationResolution } from "../ports/renewal-store.js"
import type { VerificationRecord } from "../ports/verification-record.js"
import type { OutboxEventDraft } from "./outbox-event.js"
import { ESCALATION_CASEWORKER_ACTION } from "../requests/expiry-outcome.js"
import type { RequestState } from "../requests/request-state.js"
import { requestExpiresAt } from "./request-expiry.js"

const contactOf = (kind: VerificationRequest["kind"]) => kind === "new-order" ? "verification-link" as const : "bridge-reauthentication" as const

/** `case.renewed` or `case.review-needed`, by the verification's class. */
export const verificationStoredEvent = (v: VerificationRecord): OutboxEventDraft => {
  const common = {
    orderId: v.orderId, via: v.via, verifiedAt: v.verifiedAt, policyVersion: v.result.policyVersion,
    summary: v.result.summary, notes: v.result.notes
  }
  return v.result.class === "renew"
    ? { type: "case.renewed", caseId: v.caseId, payload: { ...common, class: "renew" } }
    : { type: "case.review-needed", caseId: v.caseId, payload: { ...common, class: "review", reasons: v.result.reasons } }
}

/** `case.client-action-needed` for a request just queued with id `requestId`. */
export const requestQueuedEvent = (r: VerificationRequest, requestId: number): OutboxEventDraft => ({
  type: "case.client-action-needed", caseId: r.caseId,
  payload: {
    requestId, contact: contactOf(r.kind), url: r.shareUrl, orderId: r.orderId, connectionIds: [...r.connectionIds],
    reason: r.reason, detail: r.detail, expiresAt: new Date(requestExpiresAt(r.kind, Date.parse(r.createdAt))).toISOString()
  }
})

/**
 * The event of a request's resolution: `handled` is `case.client-action-completed`; `superseded`
 * (the scheduler replaced a request that can no longer serve) is `verification.expired`.
 */
export const requestResolvedEvent = (q: Pick<QueuedVerification, "id" | "caseId" | "kind">, resolution: VerificationResolution | "expired" | "canceled", resolvedAt: string): OutboxEventDraft =>
  resolution === "handled"
    ? { type: "case.client-action-completed", caseId: q.caseId, payload: { requestId: q.id, contact: contactOf(q.kind), resolution, resolvedAt } }
    : { type: "verification.expired", caseId: q.caseId, payload: { requestId: q.id, contact: contactOf(q.kind), resolution, resolvedAt } }

/** `case.escalated`: Recert stops asking the client; the caseworker takes over. */
export const caseEscalatedEvent = (caseId: string, why: string, caseworkerAction: string, requestId: number | null = null): OutboxEventDraft => ({
  type: "case.escalated", caseId, payload: { requestId, why, caseworkerAction }
})

/** `case.client-reminder-due`: reminder `n` of request `requestId` is the agency's to send. */
export const requestReminderEvent = (
  q: { readonly id: number; readonly caseId: string; readonly kind: VerificationRequest["kind"]; readonly shareUrl: string | null },
  n: number, expiresAt: string
): OutboxEventDraft => ({
  type: "case.client-reminder-due", caseId: q.caseId,
  payload: { requestId: q.id, contact: contactOf(q.kind), reminder: n, url: q.kind === "new-order" ? q.shareUrl : null, expiresAt }
})

/**
 * The event of a request's lifecycle transition (`RenewalStore.transitionRequest`), written in the
 * transition's transaction: `sent` is `case.client-action-needed`; `completed`
 * `case.client-action-completed`; `expired`, `superseded` and `canceled` `verification.expired`;
 * `escalated` `case.escalated` (the reason, and what the caseworker must do); `reminded` is
 * `case.client-reminder-due` only when the agency reminds the client (`notify`; when Truv sends
 * the link, its own reminders are recorded, no event). `created` has none (nothing exists yet).
 */
export const requestTransitionEvent = (
  q: QueuedVerification, to: RequestState, reason: string, at: string, after: { readonly reminders: number; readonly expiresAt: string | null }, notify: boolean
): OutboxEventDraft | null => {
  switch (to) {
    case "created": return null
    case "sent": return requestQueuedEvent(q, q.id)
    case "reminded": return notify ? requestReminderEvent(q, after.reminders, after.expiresAt ?? new Date(requestExpiresAt(q.kind, Date.parse(q.createdAt))).toISOString()) : null
    case "completed": return requestResolvedEvent(q, "handled", at)
    case "expired": case "superseded": case "canceled": return requestResolvedEvent(q, to, at)
    case "escalated": return caseEscalatedEvent(q.caseId, reason, ESCALATION_CASEWORKER_ACTION, q.id)
  }
}
