/**
 * Truv's webhooks, the receiving side (`POST /webhooks/truv`, routed by `server.ts`): the raw body's
 * `X-WEBHOOK-SIGN` is verified before anything else; a missing or bad signature gets 401 and
 * nothing is stored. A verified event is stored in the inbox (keyed by `webhook_id`, so a
 * redelivery is a no-op) and only then answered 2xx; if the store fails the answer is 503 so Truv
 * delivers again. Processing happens later, from the inbox (`runner/inbox.ts`).
 */
import type { Store } from "@recert/store"
import { parseWebhookEvent, verifyWebhookSignature } from "@recert/truv-adapter"
import { Effect, type Redacted } from "effect"
import type { RunStats } from "../runner/run-stats.js"
import { instantOf, resultWithoutProcessing, webhookResultText } from "../workflow/process-webhook.js"

export const WEBHOOK_PATH = "/webhooks/truv"

export interface ReceiverOptions {
  readonly secret: Redacted.Redacted<string>
  readonly store: Store["Service"]
  readonly stats: () => RunStats
  /** Called after an event was stored (newly): wakes the inbox consumer instead of its sleep. */
  readonly onStored?: () => void
  /** The receiving instant (epoch ms), from the server's Clock. */
  readonly now: () => number
}

/**
 * The inbox key and columns of a verified body, or why it is not an event. A Truv event is a JSON
 * object with a non-empty string `webhook_id` (the inbox key: a redelivery is a duplicate) and a
 * non-empty string `event_type`. Unknown event types are stored and marked ignored when
 * processed; anything that is not an event at all is refused (400) and nothing is stored.
 */
export const inboxEntry = (text: string): { webhookId: string; eventType: string; updatedAt: string; processedResult?: string } | string => {
  const parsed = parseWebhookEvent(text)
  let record: Record<string, unknown>
  if (parsed.ok) record = parsed.event.event_type === "unknown" ? parsed.event.raw : parsed.event
  else {
    try {
      const json: unknown = JSON.parse(text)
      if (typeof json !== "object" || json === null || Array.isArray(json)) return "webhook body is not a JSON object"
      record = json as Record<string, unknown>
    } catch {
      return "webhook body is not a JSON object"
    }
  }
  const id = record["webhook_id"]
  const type = record["event_type"]
  if (typeof id !== "string" || id === "") return "webhook body has no webhook_id string"
  if (typeof type !== "string" || type === "") return "webhook body has no event_type string"
  // An event that processing would not act on is stored processed (still stored before the 2xx,
  // so it is accounted for), and no worker claims it.
  const settled = resultWithoutProcessing(parsed)
  return { webhookId: id, eventType: type, updatedAt: instantOf(record), ...(settled === null ? {} : { processedResult: webhookResultText(settled) }) }
}

export const handleWebhook = async (options: ReceiverOptions, raw: Buffer, signature: string | Array<string> | undefined): Promise<{ status: number; body: string }> => {
  const stats = options.stats()
  const check = verifyWebhookSignature(raw, signature, options.secret)
  if (!check.ok) {
    stats.webhooksRejected += 1
    return { status: 401, body: JSON.stringify({ error: `signature ${check.reason}` }) }
  }
  const text = raw.toString("utf8")
  const entry = inboxEntry(text)
  if (typeof entry === "string") return { status: 400, body: JSON.stringify({ error: entry }) }
  const receivedAt = new Date(options.now()).toISOString()
  const inserted = await Effect.runPromise(Effect.result(options.store.insertWebhookEvent({
    ...entry, body: text, receivedAt
  })))
  if (inserted._tag === "Failure") return { status: 503, body: JSON.stringify({ error: "inbox unavailable, deliver again" }) }
  stats.webhooksReceived += 1
  if (inserted.success === "duplicate") stats.webhooksDuplicate += 1
  else if (entry.processedResult !== undefined) {
    stats.webhooksProcessed += 1
    stats.webhooksIgnored += 1
  } else options.onStored?.()
  return { status: 200, body: JSON.stringify({ stored: inserted.success }) }
}

