/**
 * One poll of a refresh this worker sent whose outcome no webhook has brought yet (the fallback
 * for lost webhooks): `GET` the order and record what it says. Unresolved, the next poll comes
 * `pollAfterMs` later, up to `maxPolls`; the last one records whatever Truv says.
 */
import { Clock, Effect } from "effect"
import { pollAttempt } from "../workflow/reconcile.js"
import type { PassContext } from "./pass-context.js"
import type { PollEntry } from "./tracker.js"

export const runPoll = (ctx: PassContext, p: PollEntry, onProgress?: () => void): Effect.Effect<void> =>
  Effect.gen(function*() {
    ctx.stats.polls += 1
    const final = p.n + 1 >= ctx.settings.maxPolls
    const r = yield* ctx.jobEnv(pollAttempt(p.attemptId, p.orderId, final))
    if (r.outcome !== null) ctx.stats.outcomes.set(p.caseId, r.outcome)
    if (r.resolved || final) ctx.tracker.awaiting.delete(p.attemptId)
    else {
      p.n += 1
      p.nextAt = (yield* Clock.currentTimeMillis) + ctx.settings.pollAfterMs
    }
  }).pipe(
    Effect.catch((e) => Effect.logWarning("poll failed", { attemptId: p.attemptId, error: e._tag, message: e.message })),
    Effect.uninterruptible,
    Effect.ensuring(Effect.sync(() => { p.busy = false; onProgress?.() }))
  )
