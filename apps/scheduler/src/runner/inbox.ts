/**
 * The webhook inbox, consumer side: events the receiver stored (verified, before its 2xx) are
 * processed oldest `updated_at` first and marked with their result. An event for a refresh order
 * we have not recorded yet (the webhook overtook our own write) is left pending and retried; after
 * 30 s it is marked, and the poll fallback covers it.
 */
import type { RenewalStore, TruvGateway } from "@recert/core"
import type { Store } from "@recert/store"
import { Effect } from "effect"
import type { FollowUps } from "../workflow/follow-up-port.js"
import { processWebhookBody } from "../workflow/process-webhook.js"
import type { RunStats } from "./run-stats.js"

/** How long an event for an order we do not know yet is kept pending before it is marked. */
const RETRY_FOR_MS = 30_000

/** Processes up to `limit` pending events; returns how many were marked processed. */
export const processInboxBatch = (store: Store["Service"], stats: RunStats, limit: number): Effect.Effect<number, never, RenewalStore | TruvGateway | FollowUps> =>
  Effect.gen(function*() {
    const events = yield* store.pendingWebhookEvents(limit).pipe(Effect.orElseSucceed(() => []))
    // Several at once: each may call Truv (the refreshed report), and the store keeps every
    // outcome idempotent, so order between them does not matter.
    const marks = yield* Effect.forEach(events, (event) =>
      Effect.gen(function*() {
        const result = yield* processWebhookBody(event.body).pipe(
          Effect.catch((e) => Effect.succeed(`retry: ${e._tag}: ${e.message}`)),
          Effect.uninterruptible
        )
        if (result.startsWith("retry:") && Date.now() - Date.parse(event.receivedAt) < RETRY_FOR_MS) return 0
        yield* store.markWebhookProcessed(event.webhookId, result).pipe(Effect.orElseSucceed(() => undefined))
        stats.webhooksProcessed += 1
        if (result.startsWith("ignored:") || result.startsWith("invalid:") || result.startsWith("retry:")) stats.webhooksIgnored += 1
        return 1
      }), { concurrency: 16 })
    const marked = marks.reduce((a: number, b: number) => a + b, 0)
    return marked
  })
