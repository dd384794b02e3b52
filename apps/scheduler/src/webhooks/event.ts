/**
 * Truv webhook bodies, parsed just enough to act on (truv-api-notes §4.3). Every payload has
 * `webhook_id`, `event_type` and `updated_at`; the order events add `order_id`, `link_id` and
 * `status`. Unknown event types parse too (they are stored and marked ignored), so a new Truv
 * event never makes the receiver refuse a delivery.
 */
import { TaskStatus } from "@recert/core"
import { z } from "zod"

export const WebhookEnvelope = z.object({
  webhook_id: z.string().min(1),
  event_type: z.string().min(1),
  updated_at: z.string().min(1).optional(),
  event_created_at: z.string().min(1).optional(),
  order_id: z.string().nullable().optional(),
  link_id: z.string().nullable().optional(),
  task_id: z.string().nullable().optional(),
  status: z.string().nullable().optional()
})
export type WebhookEnvelope = z.infer<typeof WebhookEnvelope>

export type ParsedWebhook =
  | { readonly ok: true; readonly event: WebhookEnvelope; readonly updatedAt: string }
  | { readonly ok: false; readonly message: string }

/** Parses a raw body (after its signature was verified). */
export const parseWebhook = (body: string): ParsedWebhook => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { ok: false, message: "body is not JSON" }
  }
  const parsed = WebhookEnvelope.safeParse(json)
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }
  const at = parsed.data.updated_at ?? parsed.data.event_created_at ?? ""
  const ms = Date.parse(at)
  return { ok: true, event: parsed.data, updatedAt: Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString() }
}

/** What an order event says about one connection, if anything final. */
export const orderEventOutcome = (event: WebhookEnvelope): { orderId: string; linkId: string; status: TaskStatus } | null => {
  if (event.order_id == null || event.link_id == null || event.status == null) return null
  if (event.event_type === "order-status-updated") {
    return event.status === "completed" ? { orderId: event.order_id, linkId: event.link_id, status: "done" } : null
  }
  if (event.event_type === "order-refresh-failed") {
    const status = TaskStatus.safeParse(event.status)
    return status.success ? { orderId: event.order_id, linkId: event.link_id, status: status.data } : null
  }
  return null
}
