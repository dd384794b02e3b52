/**
 * Step 2 of a pass: a `renew` job per due case, page by page (500), in a fiber of its own while
 * the jobs already enqueued run (a night of 100,000 cases starts its first refresh after one
 * page, not after the whole stream). The snapshots the stream read are kept (a bounded number)
 * for this worker's first run of each job.
 *
 * Every due case read is recorded in the run's stats (`due`), and a case that cannot be loaded
 * (`UnloadableCase`: a bad imported row) is recorded with why (`unloadable`), so the report
 * accounts for it instead of a warning in the log only; the other cases of its page go on.
 *
 * Keys: with a `runKey`, `renew:<runKey>:<case>` (workers sharing a run do not repeat each other,
 * a re-run is a no-op); without, the UTC date plus the case's eligibility (`eligibilityTag`).
 */
import { type CaseSnapshot, planCase, planningHorizonDays, Policy, type PolicyConfig, type StoreError } from "@recert/core"
import { isUnloadableCase } from "@recert/store"
import { Effect, type Fiber, Stream } from "effect"
import type { PassContext } from "./pass-context.js"
import { oneLine } from "./run-stats.js"

/** Snapshots kept from the due-case stream for the jobs' first run (beyond: the job reads its case). */
const MAX_PRELOADED = 20_000
const PAGE = 500

/** The enqueueing fiber and whether it is still at work (the dispatcher waits for it). */
export interface DueEnqueuer {
  readonly fiber: Fiber.Fiber<void, StoreError>
  readonly running: () => boolean
}

export const forkEnqueueDue = (ctx: PassContext, runKey: string | undefined) =>
  Effect.gen(function*() {
    const { store, start, preloaded, stats } = ctx
    const policy = yield* Policy
    const day = new Date(start).toISOString().slice(0, 10)
    // Every case whose renewal window may be open (lead time, freshness windows, pre-closing); the planner decides.
    const until = new Date(start + planningHorizonDays(policy) * 86_400_000).toISOString()
    // How many are due now: what the report counts as not reached if a stop ends the stream early.
    stats.dueAtStart = yield* store.countDue(until).pipe(Effect.orElseSucceed(() => null))
    let running = true
    const enqueueAll: Effect.Effect<void, StoreError> = store.streamDueCaseLoads({ until }).pipe(
      Stream.grouped(PAGE),
      Stream.runForEach((loads): Effect.Effect<unknown, StoreError> => {
        const unloadable = loads.filter(isUnloadableCase)
        const page = loads.filter((l): l is CaseSnapshot => !isUnloadableCase(l))
        for (const u of unloadable) {
          stats.due.add(u.caseId)
          stats.unloadable.set(u.caseId, oneLine(u.reason))
        }
        for (const s of page) stats.due.add(s.case.id)
        const warn = Effect.forEach(unloadable, (u) => Effect.logWarning("case skipped: cannot be loaded", { caseId: u.caseId, reason: u.reason }), { discard: true })
        const jobs = page.map((s) => {
          const key = runKey === undefined ? `renew:${day}:${s.case.id}:${eligibilityTag(s, start, policy)}` : `renew:${runKey}:${s.case.id}`
          if (preloaded.size < MAX_PRELOADED) preloaded.set(key, s)
          return { kind: "renew", key, payload: { caseId: s.case.id } }
        })
        if (jobs.length === 0) return warn
        return Effect.andThen(warn, Effect.tap(store.enqueueJobs(jobs), () => Effect.sync(() => { ctx.pacing.renewalsAdded(); ctx.slotFreed.notify() })))
      }),
      Effect.tap(() => Effect.sync(() => { stats.dueStreamDone = true })),
      Effect.ensuring(Effect.sync(() => { running = false; ctx.slotFreed.notify() }))
    )
    // In the pass's scope (pass.ts): it ends with the pass, however the pass ends.
    const fiber = yield* Effect.forkScoped(enqueueAll)
    const enqueuer: DueEnqueuer = { fiber, running: () => running }
    return enqueuer
  })

/**
 * What distinguishes one renewal of a case from the next within a day (the default run key):
 * the instant core next allows a refresh, else the latest attempt. A case waiting for its rate
 * window keeps the same key (later passes do not repeat it) until the window opens; then the key
 * changes and the case is renewed again the same day.
 */
export const eligibilityTag = (s: CaseSnapshot, now: number, policy: PolicyConfig): string => {
  const planned = planCase({ ...s, ledger: [...s.ledger] }, now, policy)
  if (planned.nextEligibleAt !== null && Date.parse(planned.nextEligibleAt) > now) return `after:${planned.nextEligibleAt}`
  const last = s.ledger.reduce<string | null>((latest, a) => (latest === null || a.at > latest ? a.at : latest), null)
  return `since:${last ?? "none"}`
}
