/**
 * The events Recert tells the agency's (or lender's) own system about, as zod schemas: the
 * outbox's rows and the webhook bodies the deliverer POSTs. Every event has the same envelope
 * (a stable sortable id, a type, a schema version, the instant, the case's id and the lineage's
 * `order_number`) and a payload per type. `outboxEventJsonSchema()` gives the JSON Schema
 * (`schemas/outbox-event.json`). Payloads carry no personal data beyond their documented fields:
 * never an access token or a Bridge token, never a client's email or phone; amounts and the
 * classification are the point of the events and are included.
 */
import { z } from "zod"
import { Instant } from "../model/primitives.js"
import { ChangeReason } from "../results/change-result.js"
import { IncomeSummary } from "../results/income-summary.js"

/** Every event type, in the order of a case's life. */
export const OutboxEventType = z.enum([
  "case.renewed", "case.review-needed", "case.client-action-needed", "case.client-action-completed", "verification.expired", "case.escalated",
  "case.client-reminder-due"
])
export type OutboxEventType = z.infer<typeof OutboxEventType>

/** The envelope's schema version; a payload change that a receiver could trip on bumps it. */
export const OUTBOX_EVENT_VERSION = 1

const Verification = {
  /** The Truv order whose data this is. */
  orderId: z.string(),
  via: z.enum(["refresh", "new-order", "reauthentication"]),
  verifiedAt: Instant,
  /** SHA-256 of the results policy the classification used (replayable). */
  policyVersion: z.string(),
  /** The caseworker summary; null when the report was not usable. */
  summary: IncomeSummary.nullable(),
  notes: z.array(ChangeReason)
}

/** `case.renewed`: the verification changed nothing material; the case is renewed. */
export const CaseRenewedPayload = z.object({ ...Verification, class: z.literal("renew") })
/** `case.review-needed`: a caseworker must look; every reason the classification found. */
export const CaseReviewNeededPayload = z.object({ ...Verification, class: z.literal("review"), reasons: z.array(ChangeReason) })

/** How the client is reached: a new Truv verification link, or re-authenticating an existing link in Bridge. */
export const ClientContact = z.enum(["verification-link", "bridge-reauthentication"])

/** `case.client-action-needed`: Recert asked for the client; what the agency sends them and until when. */
export const ClientActionNeededPayload = z.object({
  /** The verification request's id (`recert queue`); later events about it name it. */
  requestId: z.int(),
  contact: ClientContact,
  /** The link to send the client (a new order's share URL); null for a Bridge re-authentication, whose token is a credential and is not delivered. */
  url: z.url().nullable(),
  /** The Truv order a new link belongs to; null for Bridge. */
  orderId: z.string().nullable(),
  connectionIds: z.array(z.string()),
  /** The rule code that sent the case to the client (`connection.auth-expired`). */
  reason: z.string(),
  detail: z.string(),
  expiresAt: Instant
})

/** `case.client-action-completed`: the request was dealt with (the client came back, or a caseworker handled it). */
export const ClientActionCompletedPayload = z.object({
  requestId: z.int(),
  contact: ClientContact,
  resolution: z.literal("handled"),
  resolvedAt: Instant
})

/** `verification.expired`: the request can no longer serve (its link or token expired, or it was replaced). */
export const VerificationExpiredPayload = z.object({
  requestId: z.int(),
  contact: ClientContact,
  resolution: z.enum(["superseded", "expired", "canceled"]),
  resolvedAt: Instant
})

/** `case.escalated`: Recert gave up asking; why, and what the caseworker must do. */
export const CaseEscalatedPayload = z.object({
  requestId: z.int().nullable(),
  why: z.string().min(1),
  caseworkerAction: z.string().min(1)
})

/**
 * `case.client-reminder-due`: a reminder of an open request is due and Recert does not send it
 * itself (the agency sends the link, or the client re-authenticates in the agency's Bridge
 * portal): the agency reminds the client. When Truv sends the link, Truv's own reminders go out
 * and no event is written.
 */
export const ClientReminderDuePayload = z.object({
  requestId: z.int(),
  contact: ClientContact,
  /** 1 for the first reminder of the request. */
  reminder: z.int().positive(),
  /** The link to send again; null for a Bridge re-authentication (its token is not delivered). */
  url: z.url().nullable(),
  expiresAt: Instant
})

/** A document attached to an event for a destination that asks for it (`pdf: "inline"`): the caseworker PDF of a result. */
export const EventAttachment = z.object({
  name: z.string(),
  contentType: z.literal("application/pdf"),
  /** The document, base64. */
  data: z.base64()
})

const envelope = <T extends OutboxEventType, P extends z.ZodType>(type: T, payload: P) => z.object({
  /** UUID v7: unique, sortable by creation; the `webhook-id` of every delivery of the event. */
  id: z.uuid(),
  type: z.literal(type),
  version: z.literal(OUTBOX_EVENT_VERSION),
  occurredAt: Instant,
  /** The case's id as imported (the agency's own case reference). */
  caseId: z.string(),
  /** The lineage's Truv `order_number` (the agency's correlation key), or null when it has none. */
  orderNumber: z.string().nullable(),
  payload,
  /** Only for destinations configured to receive them; not part of the stored event. */
  attachments: z.array(EventAttachment).optional()
})

export const OutboxEvent = z.discriminatedUnion("type", [
  envelope("case.renewed", CaseRenewedPayload),
  envelope("case.review-needed", CaseReviewNeededPayload),
  envelope("case.client-action-needed", ClientActionNeededPayload),
  envelope("case.client-action-completed", ClientActionCompletedPayload),
  envelope("verification.expired", VerificationExpiredPayload),
  envelope("case.escalated", CaseEscalatedPayload),
  envelope("case.client-reminder-due", ClientReminderDuePayload)
])
export type OutboxEvent = z.infer<typeof OutboxEvent>

/** The payload of each type. */
export type OutboxPayload<T extends OutboxEventType> = Extract<OutboxEvent, { type: T }>["payload"]

/** An event before the store gives it its id and the lineage's order number. */
export type OutboxEventDraft = { [T in OutboxEventType]: { readonly type: T; readonly caseId: string; readonly payload: OutboxPayload<T> } }[OutboxEventType]

/**
 * @example
 * JSON.stringify(outboxEventJsonSchema(), null, 2)
 */
export const outboxEventJsonSchema = () => z.toJSONSchema(OutboxEvent, { io: "output" })
