/**
 * The HTTP side of the scheduler: Truv's webhooks, health and Prometheus metrics.
 *
 * `POST /webhooks/truv`: the raw body is read and its `X-WEBHOOK-SIGN` verified before anything
 * else; a missing or bad signature gets 401 and nothing is stored. A verified event is stored in
 * the inbox (keyed by `webhook_id`, so a redelivery is a no-op) and only then answered 2xx; if the
 * store fails the answer is 503 so Truv delivers again. Processing happens later, from the inbox.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { Store } from "@recert/store"
import { parseWebhookEvent, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "@recert/truv-adapter"
import { Effect, type Redacted, type Scope } from "effect"
import type { RunStats } from "../runner/run-stats.js"
import { instantOf, resultWithoutProcessing } from "../workflow/process-webhook.js"
import { renderMetrics } from "./metrics.js"

export const WEBHOOK_PATH = "/webhooks/truv"
const MAX_BODY = 1_000_000
const HARD_LIMIT = 64 * MAX_BODY

export interface ReceiverOptions {
  readonly port: number
  readonly host?: string
  readonly secret: Redacted.Redacted<string>
  readonly store: Store["Service"]
  readonly stats: () => RunStats
  readonly health?: () => boolean
  /** A richer `/health` body (serve: database reachability, last pass); `ok: false` answers 503. */
  readonly healthDetail?: () => Promise<{ readonly ok: boolean } & Readonly<Record<string, unknown>>>
  /** Called after an event was stored (newly): wakes the inbox consumer instead of its sleep. */
  readonly onStored?: () => void
  /** What `/metrics` renders (default `stats()`): serve adds the passes before this one. */
  readonly metrics?: () => RunStats
}

export interface Receiver {
  readonly url: string
  readonly port: number
}

/**
 * Reads the body, keeping at most MAX_BODY bytes. A larger body is read to its end and dropped
 * (null), so the sender gets a 413 rather than a reset connection; past HARD_LIMIT the connection
 * is cut, so an endless body cannot hold it.
 */
const readBody = (req: IncomingMessage): Promise<Buffer | null> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
      else if (size > HARD_LIMIT) {
        resolve(null)
        req.destroy()
      }
    })
    req.on("end", () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)))
    req.on("error", reject)
  })

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
  return { webhookId: id, eventType: type, updatedAt: instantOf(record), ...(settled === null ? {} : { processedResult: settled }) }
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
  const receivedAt = new Date().toISOString()
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

/** Starts the server for the lifetime of the scope. */
export const startReceiver = (options: ReceiverOptions): Effect.Effect<Receiver, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const server: Server = createServer((req, res) => {
          const reply = (status: number, body: string, type = "application/json") => {
            res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) })
            res.end(body)
          }
          const path = new URL(req.url ?? "/", "http://receiver").pathname
          if (req.method === "GET" && path === "/health" && options.healthDetail !== undefined) {
            return void options.healthDetail().then(
              (h) => reply(h.ok ? 200 : 503, JSON.stringify({ status: h.ok ? "ok" : "unhealthy", ...h })),
              (e) => reply(503, JSON.stringify({ status: "unhealthy", ok: false, error: String(e) }))
            )
          }
          if (req.method === "GET" && path === "/health") {
            const ok = options.health?.() ?? true
            return reply(ok ? 200 : 503, JSON.stringify({ status: ok ? "ok" : "stopping" }))
          }
          if (req.method === "GET" && path === "/metrics") return reply(200, renderMetrics((options.metrics ?? options.stats)()), "text/plain; version=0.0.4")
          if (req.method !== "POST" || path !== WEBHOOK_PATH) return reply(404, JSON.stringify({ error: "not found" }))
          readBody(req).then(async (raw) => {
            if (raw === null) return reply(413, JSON.stringify({ error: "body too large" }))
            const r = await handleWebhook(options, raw, req.headers[WEBHOOK_SIGNATURE_HEADER])
            reply(r.status, r.body)
          }).catch(() => reply(500, JSON.stringify({ error: "receiver error" })))
        })
        // Longer than any client keeps an idle socket: closing first races with a reused connection.
        server.keepAliveTimeout = 65_000
        server.headersTimeout = 66_000
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject)
          server.listen(options.port, options.host ?? "127.0.0.1", () => resolve())
        })
        const address = server.address() as AddressInfo
        return { server, url: `http://${options.host ?? "127.0.0.1"}:${address.port}`, port: address.port }
      },
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }))
  ).pipe(Effect.map(({ url, port }) => ({ url, port })))
