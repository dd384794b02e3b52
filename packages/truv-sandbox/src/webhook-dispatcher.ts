/**
 * Delivers webhook events the way Truv does (truv-api-notes §4.1): a JSON POST with
 * `User-Agent: Truv-Webhook-Service/2.0` and `X-WEBHOOK-SIGN: v1=<hex HMAC-SHA256(raw body,
 * access secret)>`, retried on a non-2xx answer. Faults (delay, duplication, reordering, loss)
 * come from the configuration and the seeded PRNG. A duplicated delivery sends the same bytes,
 * so it carries the same `webhook_id`.
 */
import { Agent, request } from "node:http"
import { signWebhookBody } from "@recert/truv-adapter"
import type { SandboxFaults } from "./faults.js"
import type { PendingWork } from "./pending-work.js"
import type { Prng } from "./prng.js"
import type { ReportRecorder } from "./report.js"

export const WEBHOOK_USER_AGENT = "Truv-Webhook-Service/2.0"

/** How long a delivery may take before it counts as failed (Truv's documented limit: 10 s). */
const DELIVERY_TIMEOUT_MS = 10_000

/**
 * One POST over `node:http` with a keep-alive agent: a delivery reuses the receiver's open
 * connections instead of opening one per webhook (`fetch` costs about twice the CPU per call).
 * Resolves with the status code, or null when no answer came (refused, reset, timed out).
 */
const post = (agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<number | null> =>
  new Promise((resolve) => {
    const req = request(url, { method: "POST", agent, headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) }, timeout: DELIVERY_TIMEOUT_MS }, (res) => {
      res.on("data", () => {})
      res.on("end", () => resolve(res.statusCode ?? null))
      res.on("error", () => resolve(null))
    })
    req.on("timeout", () => req.destroy(new Error("webhook delivery timed out")))
    req.on("error", () => resolve(null))
    req.end(body)
  })

export interface SentWebhook {
  readonly body: string
  readonly eventType: string
  readonly webhookId: string
}

export class WebhookDispatcher {
  /** Every event the sandbox produced, in production order (delivered or not). */
  readonly produced: Array<SentWebhook> = []
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 })

  constructor(
    private readonly faults: () => SandboxFaults,
    private readonly secret: string,
    private readonly prng: Prng,
    private readonly work: PendingWork,
    private readonly report: ReportRecorder
  ) {}

  /** Closes the kept-alive connections (the sandbox is closing). */
  close(): void {
    this.agent.destroy()
  }

  emit(event: Readonly<Record<string, unknown>> & { readonly webhook_id: string; readonly event_type: string }): void {
    const body = JSON.stringify(event)
    this.produced.push({ body, eventType: event.event_type, webhookId: event.webhook_id })
    const stats = this.report.mutable.webhooks
    stats.events += 1
    const faults = this.faults()
    if (faults.webhookUrl === null) return
    if (this.prng.chance(faults.webhookLossRate)) {
      stats.dropped += 1
      return
    }
    const copies = this.prng.chance(faults.webhookDuplicateRate) ? 2 : 1
    if (copies === 2) stats.duplicated += 1
    for (let i = 0; i < copies; i++) {
      let delay = faults.webhookDelayMs + i
      if (this.prng.chance(faults.webhookReorderRate)) {
        stats.reordered += 1
        delay += faults.webhookDelayMs * 2 + 5 + Math.floor(this.prng.next() * (faults.webhookDelayMs + 10))
      }
      const url = faults.webhookUrl
      this.work.schedule(delay, () => this.deliver(url, body, faults.webhookRetries, faults.webhookRetryDelayMs))
    }
  }

  private async deliver(url: string, body: string, retriesLeft: number, retryDelayMs: number): Promise<void> {
    const stats = this.report.mutable.webhooks
    stats.sent += 1
    let ok = false
    try {
      const status = await post(this.agent, new URL(url), {
        "Content-Type": "application/json",
        "User-Agent": WEBHOOK_USER_AGENT,
        "X-WEBHOOK-SIGN": signWebhookBody(body, this.secret)
      }, body)
      ok = status !== null && status >= 200 && status < 300
    } catch {
      ok = false
    }
    if (ok) {
      stats.delivered += 1
    } else {
      stats.failed += 1
      if (retriesLeft > 0) this.work.schedule(retryDelayMs, () => this.deliver(url, body, retriesLeft - 1, retryDelayMs))
    }
  }
}
