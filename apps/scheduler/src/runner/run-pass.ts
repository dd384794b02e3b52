/**
 * One pass over the due cases, with a bounded number of jobs in progress:
 *
 * 1. recover: attempts left `reserved`/`unknown` by a dead worker get a `reconcile` job, `sent`
 *    ones a `poll` job (never a new refresh);
 * 2. enqueue a `renew` job per due case (keyed per run, so workers sharing a run do not repeat
 *    each other and a re-run with the same `runKey` is a no-op);
 * 3. claim jobs (leases) while slots are free, run each uninterruptibly (a shutdown finishes what
 *    it holds), complete it, or fail it with the error (the store retries with backoff);
 * 4. meanwhile the inbox fiber processes stored webhook events;
 * 5. end when nothing is claimable, the inbox is empty, and nothing this worker sent or
 *    scheduled is still open.
 */
import { Policy, RenewalStore, type StoreError, TruvGateway } from "@recert/core"
import { type Job, Store } from "@recert/store"
import { Clock, Effect, Fiber, Stream } from "effect"
import type { FollowUps } from "../workflow/follow-up-port.js"
import { pollAttempt, reconcileAttempt } from "../workflow/reconcile.js"
import { renewCase } from "../workflow/renew-case.js"
import { processInboxBatch } from "./inbox.js"
import { countingGateway, countingStore, type RunStats } from "./run-stats.js"
import { storeFollowUps } from "./store-follow-ups.js"
import { type PollEntry, RunTracker } from "./tracker.js"
import { Wakeup } from "./wakeup.js"

export interface PassOptions {
  readonly workerId: string
  readonly concurrency: number
  /** Lease per job; a killed worker's jobs are claimable again after it. Default 30 s. */
  readonly leaseMs?: number
  /** First poll of a sent refresh when no webhook resolved it. Default 3 s. */
  readonly pollAfterMs?: number
  readonly maxPolls?: number
  /** Renewals scheduled later than now + horizon are left for the next run. Default 0. */
  readonly horizonMs?: number
  /** Attempts reserved longer ago than this are treated as a dead worker's. Default 60 s. */
  readonly staleAfterMs?: number
  /** Enqueue due cases (false: only work on jobs others enqueued). Default true. */
  readonly enqueueDue?: boolean
  /** Key of this run's `renew` jobs. Default: the UTC date (one nightly run per day). */
  readonly runKey?: string
  /** Set to stop claiming (graceful shutdown); held jobs finish within `graceMs`. */
  readonly shouldStop?: () => boolean
  /** After a stop, how long held jobs may run before their leases are given back. Default 30 s. */
  readonly graceMs?: number
  /** Woken by the receiver when it stores an event, so the inbox is processed at once. */
  readonly inboxWakeup?: Wakeup
  /** Called after each job and inbox batch (progress display). */
  readonly onProgress?: () => void
}

type WorkEnv = RenewalStore | TruvGateway | FollowUps
const JOB_KINDS = ["reconcile", "renew"] as const

interface PollPayload { readonly caseId: string; readonly attemptId: string; readonly orderId: string; readonly n: number }

export const runPass = (options: PassOptions, stats: RunStats): Effect.Effect<void, StoreError, Store | RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* Store
    const rawStore = yield* RenewalStore
    const rawTruv = yield* TruvGateway
    const start = yield* Clock.currentTimeMillis
    const tracker = new RunTracker(start + (options.horizonMs ?? 0))
    const followUps = storeFollowUps(store, stats, tracker)
    const env = <A, E>(e: Effect.Effect<A, E, WorkEnv>): Effect.Effect<A, E> =>
      e.pipe(
        Effect.provideService(RenewalStore, countingStore(rawStore, stats)),
        Effect.provideService(TruvGateway, countingGateway(rawTruv, stats)),
        Effect.provide(followUps)
      )
    const leaseMs = options.leaseMs ?? 30_000
    const pollAfterMs = options.pollAfterMs ?? 3_000
    const maxPolls = options.maxPolls ?? 6
    const iso = (ms: number) => new Date(ms).toISOString()

    // Polls are the fallback for lost webhooks: kept in memory (a restarted worker finds `sent`
    // attempts again through `unresolvedAttempts`), so a refresh costs no extra job rows.
    const schedulePoll = (p: PollPayload, at: number) =>
      Effect.sync(() => void tracker.awaiting.set(p.attemptId, { ...p, nextAt: at, busy: false }))

    let reconcileWanted = true
    // 1. recover what a dead worker left behind
    const stale = yield* store.unresolvedAttempts(iso(start - (options.staleAfterMs ?? 60_000)))
    for (const { caseId, attempt } of stale) {
      if (attempt.status === "sent" && attempt.orderId !== null) {
        yield* schedulePoll({ caseId, attemptId: attempt.id, orderId: attempt.orderId, n: 0 }, start)
      } else {
        yield* store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${attempt.id}`, payload: { caseId, attemptId: attempt.id } }])
      }
    }

    // 2. enqueue the due cases
    if (options.enqueueDue !== false) {
      const policy = yield* Policy
      const runKey = options.runKey ?? iso(start).slice(0, 10)
      yield* store.streamDueCases({ until: iso(start + policy.leadTimeDays * 86_400_000) }).pipe(
        Stream.grouped(500),
        Stream.runForEach((page) => store.enqueueJobs(page.map((s) => ({
          kind: "renew", key: `renew:${runKey}:${s.case.id}`, payload: { caseId: s.case.id }
        }))))
      )
    }

    // 3. the job handlers
    const handle = (job: Job) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (job.kind === "renew") {
          const { caseId } = job.payload as { caseId: string }
          const r = yield* env(renewCase(caseId))
          stats.refreshesBilled += r.billed
          stats.refreshesFree += r.free
          if (r.attemptId !== null && r.orderId !== null) stats.refreshesSent += 1
          if (r.limitViolation) stats.limitViolations += 1
          if (r.outcome === "in-flight") yield* schedulePoll({ caseId, attemptId: r.attemptId!, orderId: r.orderId!, n: 0 }, now + pollAfterMs)
          if (r.outcome === "unknown") {
            reconcileWanted = true
            yield* store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${r.attemptId}`, payload: { caseId, attemptId: r.attemptId } }])
          }
          return
        }
        const { caseId, attemptId } = job.payload as { caseId: string; attemptId: string }
        const snapshot = yield* rawStore.loadSnapshot(caseId)
        const attempt = snapshot.ledger.find((a) => a.id === attemptId)
        if (attempt === undefined) return
        stats.reconciled += 1
        const r = yield* env(reconcileAttempt(caseId, attempt))
        if (r.kind === "sent") yield* schedulePoll({ caseId, attemptId, orderId: r.orderId, n: 0 }, now)
        if (r.kind === "not-sent") {
          yield* store.enqueueJobs([{ kind: "renew", key: `renew:${caseId}:after:${attemptId}`, payload: { caseId } }])
        }
      })

    const runPoll = (p: PollEntry) =>
      Effect.gen(function*() {
        stats.polls += 1
        const final = p.n + 1 >= maxPolls
        const r = yield* env(pollAttempt(p.attemptId, p.orderId, final))
        if (r.outcome !== null) stats.outcomes.set(p.caseId, r.outcome)
        if (r.resolved || final) tracker.awaiting.delete(p.attemptId)
        else {
          p.n += 1
          p.nextAt = (yield* Clock.currentTimeMillis) + pollAfterMs
        }
      }).pipe(
        Effect.catch((e) => Effect.logWarning("poll failed", { attemptId: p.attemptId, error: e._tag, message: e.message })),
        Effect.uninterruptible,
        Effect.ensuring(Effect.sync(() => { p.busy = false; options.onProgress?.() }))
      )

    const runJob = (job: Job) =>
      handle(job).pipe(
        Effect.matchEffect({
          onSuccess: () => store.completeJob(job.id, options.workerId),
          onFailure: (e) => {
            stats.jobsFailed += 1
            return Effect.andThen(
              Effect.logWarning("job failed", { job: job.kind, key: job.key, error: e._tag, message: e.message }),
              store.failJob(job.id, options.workerId, `${e._tag}: ${e.message}`)
            )
          }
        }),
        Effect.catch((e) => Effect.logWarning("job not finished", { job: job.kind, error: e._tag })),
        Effect.uninterruptible,
        Effect.ensuring(Effect.sync(() => options.onProgress?.()))
      )

    // 4. the dispatcher and the inbox fiber
    let running = 0
    // Jobs this worker holds a lease on; a stop past the grace period gives them back.
    const held = new Map<string, Job>()
    let stoppedAt: number | null = null
    let lastReconcileClaim = 0
    // Ends the dispatcher's wait when a job or poll finishes (it may have enqueued work or freed a slot).
    const slotFreed = new Wakeup()
    const inboxWakeup = options.inboxWakeup ?? new Wakeup()
    const inbox = yield* Effect.forkChild(Effect.forever(
      Effect.gen(function*() {
        const n = yield* env(processInboxBatch(store, stats, 200))
        if (n > 0) options.onProgress?.()
        // Nothing pending: sleep until the receiver stores an event (or 100 ms, for other workers' receivers).
        else {
          yield* inboxWakeup.sleep(100)
          // Let a burst of deliveries land: one query then serves many events.
          yield* Effect.sleep("20 millis")
        }
      })
    ))
    let quietSince: number | null = null
    while (true) {
      const stopping = options.shouldStop?.() === true
      let claimed = 0
      // Claims are write transactions: take slots in batches (a quarter of the concurrency) and
      // ask for reconcile jobs only now and then (this worker's own are flagged at once).
      // Real time: pacing, not a domain instant (tests freeze the Clock).
      const nowMs = Date.now()
      const batch = Math.max(1, Math.floor(options.concurrency / 4))
      if (!stopping && (options.concurrency - running >= batch || running === 0)) {
        for (const kind of JOB_KINDS) {
          const free = options.concurrency - running
          if (free <= 0) break
          if (kind === "reconcile") {
            if (!reconcileWanted && nowMs - lastReconcileClaim < 1_000) continue
            reconcileWanted = false
            lastReconcileClaim = nowMs
          }
          const jobs = yield* store.claimJobs({ workerId: options.workerId, kind, limit: free, leaseMs }).pipe(
            Effect.catch((e) => Effect.as(Effect.logWarning("claim failed", { message: e.message }), [] as ReadonlyArray<Job>))
          )
          claimed += jobs.length
          for (const job of jobs) {
            running += 1
            held.set(job.id, job)
            // Detached: a stop past the grace period returns without waiting for it (its lease
            // is released below and the job runs again elsewhere; its send was recorded or is
            // reconciled, never repeated blindly).
            yield* Effect.forkDetach(Effect.ensuring(runJob(job), Effect.sync(() => { running -= 1; held.delete(job.id); slotFreed.notify() })))
          }
        }
      }
      if (!stopping) {
        const polls = tracker.duePolls(yield* Clock.currentTimeMillis, options.concurrency - running)
        claimed += polls.length
        for (const p of polls) {
          running += 1
          yield* Effect.forkDetach(Effect.ensuring(runPoll(p), Effect.sync(() => { running -= 1; slotFreed.notify() })))
        }
      }
      if (stopping) {
        const now = yield* Clock.currentTimeMillis
        stoppedAt ??= now
        if (running === 0 || now - stoppedAt >= (options.graceMs ?? 30_000)) break
        yield* Effect.sleep("20 millis")
        continue
      }
      if (claimed > 0 || running > 0) {
        quietSince = null
        // More may be claimable at once; otherwise nothing changes until a job ends (or a poll or
        // a scheduled renewal falls due), so wait for that instead of asking the store again.
        if (claimed > 0 && running < options.concurrency) yield* Effect.yieldNow
        else yield* slotFreed.sleep(50)
        continue
      }
      const now = yield* Clock.currentTimeMillis
      const pending = yield* store.pendingWebhookEvents(1).pipe(Effect.orElseSucceed(() => []))
      const open = yield* stillOpen(rawStore, tracker)
      if (pending.length === 0 && !open && tracker.pendingUntil(now) === null) {
        quietSince ??= now
        // A short grace for webhooks already on the wire.
        if (now - quietSince >= 200) break
      } else quietSince = null
      yield* Effect.sleep("10 millis")
    }
    // Past the grace period: give back what is still held, uncounted (the store fences it to us).
    for (const job of held.values()) {
      yield* store.releaseJob(job.id, options.workerId).pipe(
        Effect.tap(() => Effect.sync(() => { stats.jobsReleased += 1 })),
        Effect.catch((e) => Effect.logWarning("release failed", { job: job.kind, key: job.key, error: e._tag }))
      )
    }
    stats.stopped = stoppedAt !== null
    yield* Fiber.interrupt(inbox)
    // What arrived during the grace period is processed before the report (after a stop it stays
    // in the inbox for the next pass: stored events are never lost).
    if (stoppedAt === null) while ((yield* env(processInboxBatch(store, stats, 100))) > 0) options.onProgress?.()
  })

/** Whether an attempt this worker sent is still without an outcome (asks the store). */
const stillOpen = (store: RenewalStore["Service"], tracker: RunTracker) =>
  Effect.gen(function*() {
    for (const [attemptId, { orderId }] of tracker.awaiting) {
      const found = yield* store.findAttemptByOrderId(orderId).pipe(Effect.orElseSucceed(() => null))
      const status = found?.attempt.status
      if (found === null || status === "succeeded" || status === "failed" || status === "rejected") tracker.awaiting.delete(attemptId)
      else return true
    }
    return false
  })

/**
 * Processes every pending inbox event outside a pass (`serve` between passes), with the same
 * follow-ups a pass would run. Returns how many were marked.
 */
export const drainInbox = (stats: RunStats): Effect.Effect<number, never, Store | RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* Store
    const tracker = new RunTracker(yield* Clock.currentTimeMillis)
    const work = processInboxBatch(store, stats, 100).pipe(
      Effect.provideService(RenewalStore, countingStore(yield* RenewalStore, stats)),
      Effect.provideService(TruvGateway, countingGateway(yield* TruvGateway, stats)),
      Effect.provide(storeFollowUps(store, stats, tracker))
    )
    let total = 0
    for (let n = yield* work; n > 0; n = yield* work) total += n
    return total
  })
