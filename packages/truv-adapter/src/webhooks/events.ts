/**
 * The webhook events the scheduler acts on, parsed into a typed union (truv-api-notes §4.3):
 * `order-created`, `order-status-updated`, `order-refresh-failed`, `task-status-updated`,
 * `link-disconnected`, `link-deleted`. Any other event type is kept as `{ eventType: "unknown", raw }` rather
 * than rejected, so a new Truv event never makes the receiver fail. A known event type with a
 * missing field is an error naming the field.
 *
 * Liberal where Truv's documents allow more than one form (docs/decisions.md, "Truv fidelity"):
 * `order_number` as a string or a number, every field but `webhook_id`, `event_type`,
 * `event_created_at` and the event's own id (`order_id`, `task_id`, `link_id`) and `status`
 * optional (the data-refresh guide's `order-status-updated` example carries only
 * `order_id`, `status` and the timestamps), and `status` an open enum: a task status Truv adds
 * later is kept as sent (`isKnownTaskStatus` tells). Timestamps stay as sent (`…Z` with
 * microseconds, `…+00:00`); readers parse them with `Date.parse`.
 */
import { TaskStatus } from "@recert/core"
import { z } from "zod"

/** Whether a webhook's task `status` is one core models (`TaskStatus`). */
export const isKnownTaskStatus = (status: string): status is TaskStatus => TaskStatus.safeParse(status).success

const Text = z.union([z.string(), z.number().transform(String)])

const Common = {
  webhook_id: z.string().min(1),
  event_created_at: z.string(),
  updated_at: z.string().nullable().optional(),
  user_id: z.string().nullable().optional(),
  template_id: z.string().nullable().optional()
}

const OrderFields = {
  ...Common,
  order_id: z.string(),
  order_number: Text.nullable().optional(),
  employer_id: z.string().nullable().optional(),
  link_id: z.string().nullable().optional(),
  data_source: z.string().nullable().optional(),
  product: z.string().nullable().optional(),
  status: z.string()
}

export const OrderCreatedEvent = z.object({ event_type: z.literal("order-created"), ...OrderFields })
export const OrderStatusUpdatedEvent = z.object({ event_type: z.literal("order-status-updated"), ...OrderFields })
/** `status` is "the failure status" (a task status such as `login_error`); `order_id` is the refresh order. */
export const OrderRefreshFailedEvent = z.object({ event_type: z.literal("order-refresh-failed"), ...OrderFields })
export const TaskStatusUpdatedEvent = z.object({
  event_type: z.literal("task-status-updated"),
  ...Common,
  task_id: z.string(),
  link_id: z.string(),
  product: z.string().nullable().optional(),
  data_source: z.string().nullable().optional(),
  tracking_info: z.string().nullable().optional(),
  /** A task status (`TaskStatus`), or one Truv added later, kept as sent. */
  status: z.string()
})
const LinkFields = {
  ...Common,
  link_id: z.string(),
  product: z.string().nullable().optional(),
  data_source: z.string().nullable().optional(),
  tracking_info: z.string().nullable().optional()
}

export const LinkDisconnectedEvent = z.object({ event_type: z.literal("link-disconnected"), ...LinkFields })

/**
 * The link was deleted (`DELETE /v1/links/{link_id}/`, by us or by the client or agency at Truv):
 * Truv lists the event among the link events without an example; its fields here are those of
 * `link-disconnected` (the sandbox sends them), only `link_id` required.
 */
export const LinkDeletedEvent = z.object({ event_type: z.literal("link-deleted"), ...LinkFields })

const KNOWN = {
  "order-created": OrderCreatedEvent,
  "order-status-updated": OrderStatusUpdatedEvent,
  "order-refresh-failed": OrderRefreshFailedEvent,
  "task-status-updated": TaskStatusUpdatedEvent,
  "link-disconnected": LinkDisconnectedEvent,
  "link-deleted": LinkDeletedEvent
} as const

export type KnownWebhookEvent = z.infer<(typeof KNOWN)[keyof typeof KNOWN]>

/** An event type this package does not model, kept whole. */
export interface UnknownWebhookEvent {
  readonly event_type: "unknown"
  readonly originalEventType: string | null
  readonly webhook_id: string | null
  readonly raw: Readonly<Record<string, unknown>>
}

export type WebhookEvent = KnownWebhookEvent | UnknownWebhookEvent

export type WebhookParseResult =
  | { readonly ok: true; readonly event: WebhookEvent }
  | { readonly ok: false; readonly error: string }

/**
 * Parses a webhook body (the raw text, after the signature was verified).
 *
 * @example
 * const r = parseWebhookEvent(rawBody)
 * if (r.ok && r.event.event_type === "order-refresh-failed") r.event.status // "login_error"
 */
export const parseWebhookEvent = (rawBody: string): WebhookParseResult => {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    return { ok: false, error: "webhook body is not JSON" }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { ok: false, error: "webhook body is not a JSON object" }
  const record = json as Record<string, unknown>
  const type = record.event_type
  const schema = typeof type === "string" && type in KNOWN ? KNOWN[type as keyof typeof KNOWN] : undefined
  if (schema === undefined) {
    return {
      ok: true,
      event: {
        event_type: "unknown",
        originalEventType: typeof type === "string" ? type : null,
        webhook_id: typeof record.webhook_id === "string" ? record.webhook_id : null,
        raw: record
      }
    }
  }
  const parsed = schema.safeParse(record)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")
    return { ok: false, error: `${String(type)} event: ${detail}` }
  }
  return { ok: true, event: parsed.data }
}
