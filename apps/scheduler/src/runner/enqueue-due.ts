/**
 * Step 2 of a pass: a `renew` job per due case, page by page (500), in a fiber of its own while
 * the jobs already enqueued run (a night of 100,000 cases starts its first refresh after one
 * page, not after the whole stream). The snapshots the stream read are kept (a bounded number)
 * for this worker's first run of each job.
 *
 * Keys: with a `runKey`, `renew:<runKey>:<case>` (workers sharing a run do not repeat each other,
 * a re-run is a no-op); without, the UTC date plus the case's eligibility (`eligibilityTag`).
 */
import { type CaseSnapshot, planCase, Policy, type PolicyConfig, type StoreError } from "@recert/core"
import { Effect, type Fiber, Stream } from "effect"
import type { PassContext } from "./pass-context.js"

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
    const { store, start, preloaded } = ctx
    const policy = yield* Policy
    const day = new Date(start).toISOString().slice(0, 10)
    let running = true
    const fiber = yield* Effect.forkChild(store.streamDueCases({ until: new Date(start + policy.leadTimeDays * 86_400_000).toISOString() }).pipe(
      Stream.grouped(PAGE),
      Stream.runForEach((page) => {
        const jobs = page.map((s) => {
          const key = runKey === undefined ? `renew:${day}:${s.case.id}:${eligibilityTag(s, start, policy)}` : `renew:${runKey}:${s.case.id}`
          if (preloaded.size < MAX_PRELOADED) preloaded.set(key, s)
          return { kind: "renew", key, payload: { caseId: s.case.id } }
        })
        return Effect.tap(store.enqueueJobs(jobs), () => Effect.sync(() => { ctx.pacing.renewalsAdded(); ctx.slotFreed.notify() }))
      }),
      Effect.ensuring(Effect.sync(() => { running = false; ctx.slotFreed.notify() }))
    ))
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
