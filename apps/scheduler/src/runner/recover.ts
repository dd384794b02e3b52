/**
 * Step 1 of a pass: recover what a dead worker left behind. Attempts `reserved`/`unknown` longer
 * than `staleAfterMs` get a `reconcile` job; `sent` ones a poll (never a new refresh); final
 * attempts whose follow-up is still owed `staleAfterMs` after their outcome was recorded get a
 * `follow-up` job, one per attempt (keyed by it), so workers recovering at once enqueue it once
 * and one of them runs it. Inbox events waiting for an attempt to appear are offered again at
 * once: reconciliation is what makes a dead worker's attempt appear (inbox.ts). Open new-order
 * requests get a `request-check` (the polling fallback of a client's order, jobs/request-check.ts).
 */
import { Effect } from "effect"
import { enqueueRequestChecks } from "./jobs/request-check.js"
import type { PassContext } from "./pass-context.js"

export const recover = (ctx: PassContext) =>
  Effect.gen(function*() {
    const { store, start } = ctx
    const staleBefore = new Date(start - ctx.settings.staleAfterMs).toISOString()
    const stale = yield* store.unresolvedAttempts(staleBefore)
    for (const { caseId, attempt } of stale) {
      if (attempt.status === "sent" && attempt.orderId !== null) {
        yield* ctx.schedulePoll({ caseId, attemptId: attempt.id, orderId: attempt.orderId, n: 0 }, start)
      } else {
        yield* store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${attempt.id}`, payload: { caseId, attemptId: attempt.id } }])
      }
    }
    const woken = yield* store.wakeWaitingWebhookEvents()
    if (woken > 0) yield* Effect.logInfo("inbox events waiting for an attempt offered again", { events: woken })
    const owed = yield* store.pendingFollowUps(staleBefore)
    if (owed.length > 0) {
      yield* store.enqueueJobs(owed.map(({ caseId, attempt }) => ({ kind: "follow-up", key: `follow-up:${attempt.id}`, payload: { caseId, attemptId: attempt.id } })))
    }
    // Client requests whose new order no webhook reported finished are polled (issue 16).
    yield* enqueueRequestChecks(ctx)
  })
