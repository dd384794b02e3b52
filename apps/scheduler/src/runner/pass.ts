/**
 * One pass over the due cases, with a bounded number of jobs in progress:
 *
 * 1. recover: attempts left `reserved`/`unknown` by a dead worker get a `reconcile` job, `sent`
 *    ones a `poll` job (never a new refresh), and final attempts whose follow-up was never marked
 *    complete (a worker died between recording the outcome and finishing it) a `follow-up` job,
 *    keyed by the attempt, that runs the (idempotent) follow-up again;
 * 2. enqueue a `renew` job per due case (keyed per run, so workers sharing a run do not repeat
 *    each other and a re-run with the same `runKey` is a no-op);
 * 3. claim jobs (leases) while slots are free, run each uninterruptibly (a shutdown finishes what
 *    it holds), complete it, or fail it with the error (the store retries with backoff);
 * 4. meanwhile the inbox fiber processes stored webhook events;
 * 5. end when nothing is claimable, the inbox is empty, and nothing this worker sent or
 *    scheduled is still open.
 */
import { type CaseSnapshot, planCase, Policy, type PolicyConfig, RenewalStore, type StoreError, TruvGateway } from "@recert/core"
import { type Job, Store } from "@recert/store"
import { Clock, Context, Effect, Fiber, Schedule, Semaphore, Stream } from "effect"
import { followUp } from "../workflow/apply-outcome.js"
import { FollowUps } from "../workflow/follow-up-port.js"
import { pollAttempt, reconcileAttempt } from "../workflow/reconcile.js"
import { renewCase } from "../workflow/renew-case.js"
import { drainInboxWith, InboxConsumer } from "./inbox.js"
import { countingGateway, countingStore, type RunStats } from "./run-stats.js"
import { storeFollowUpsService } from "./store-follow-ups.js"
import { type PollEntry, RunTracker } from "./tracker.js"
import { permitGateway } from "./truv-permits.js"
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
  /**
   * Attempts reserved longer ago than this are treated as a dead worker's, and final attempts
   * whose follow-up is still owed this long after their outcome was recorded. Default 60 s.
   */
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
const JOB_KINDS = ["reconcile", "follow-up", "renew"] as const
/** Recovery kinds: claimed when this worker flagged one, else at most once a second (they are rare). */
const RECOVERY_KINDS: ReadonlySet<string> = new Set(["reconcile", "follow-up"])
/** Snapshots kept from the due-case stream for the jobs' first run (beyond: the job reads its case). */
const MAX_PRELOADED = 20_000
/**
 * Jobs in progress per Truv permit. `concurrency` bounds the worker's Truv requests in flight
 * (`truv-permits.ts`); twice as many jobs run so that one job's store work (reserve, record,
 * complete) proceeds while others wait on Truv: a permit is held only for the request itself.
 */
const JOBS_PER_PERMIT = 2
/** While busy, how often to ask for renew jobs again after a claim found none left. */
const RENEW_RECHECK_MS = 250
/** Runs of a failed job within the pass (200 ms, 400 ms, 800 ms apart) before the store's backoff. */
const IN_PASS_RETRIES = 3

interface PollPayload { readonly caseId: string; readonly attemptId: string; readonly orderId: string; readonly n: number }

export const runPass = (options: PassOptions, stats: RunStats): Effect.Effect<void, StoreError, Store | RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* Store
    const rawStore = yield* RenewalStore
    const rawTruv = yield* TruvGateway
    const start = yield* Clock.currentTimeMillis
    const tracker = new RunTracker(start + (options.horizonMs ?? 0))
    // When a renew claim last came back short (null: it did not, or this worker enqueued since).
    let renewDryAt: number | null = null
    // The job environment, built once per pass (providing a Layer per job would build it per job).
    const truv = countingGateway(rawTruv, stats)
    const workContext = Context.make(RenewalStore, countingStore(rawStore, stats)).pipe(
      Context.add(TruvGateway, truv),
      Context.add(FollowUps, storeFollowUpsService(store, stats, tracker))
    )
    // Jobs and polls call Truv through the permits (at most `concurrency` requests in flight).
    const jobContext = Context.add(workContext, TruvGateway, permitGateway(truv, Semaphore.makeUnsafe(options.concurrency)))
    const jobSlots = JOBS_PER_PERMIT * options.concurrency
    const env = <A, E>(e: Effect.Effect<A, E, WorkEnv>): Effect.Effect<A, E> => Effect.provideContext(e, workContext)
    const jobEnv = <A, E>(e: Effect.Effect<A, E, WorkEnv>): Effect.Effect<A, E> => Effect.provideContext(e, jobContext)
    const leaseMs = options.leaseMs ?? 30_000
    const pollAfterMs = options.pollAfterMs ?? 3_000
    const maxPolls = options.maxPolls ?? 6
    const iso = (ms: number) => new Date(ms).toISOString()

    // Polls are the fallback for lost webhooks: kept in memory (a restarted worker finds `sent`
    // attempts again through `unresolvedAttempts`), so a refresh costs no extra job rows.
    const schedulePoll = (p: PollPayload, at: number) =>
      Effect.sync(() => void tracker.awaiting.set(p.attemptId, { ...p, nextAt: at, busy: false }))

    // Recovery kinds to claim at the next opportunity (else once a second).
    const recoveryWanted = new Set<string>(RECOVERY_KINDS)
    // 1. recover what a dead worker left behind
    const staleBefore = iso(start - (options.staleAfterMs ?? 60_000))
    const stale = yield* store.unresolvedAttempts(staleBefore)
    for (const { caseId, attempt } of stale) {
      if (attempt.status === "sent" && attempt.orderId !== null) {
        yield* schedulePoll({ caseId, attemptId: attempt.id, orderId: attempt.orderId, n: 0 }, start)
      } else {
        yield* store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${attempt.id}`, payload: { caseId, attemptId: attempt.id } }])
      }
    }
    // Follow-ups owed by final attempts (a worker died after recording the outcome): one job per
    // attempt, so workers recovering at once enqueue it once and one of them runs it.
    const owed = yield* store.pendingFollowUps(staleBefore)
    if (owed.length > 0) {
      yield* store.enqueueJobs(owed.map(({ caseId, attempt }) => ({ kind: "follow-up", key: `follow-up:${attempt.id}`, payload: { caseId, attemptId: attempt.id } })))
    }

    // 2. enqueue the due cases, page by page, while the jobs already enqueued run (a night of
    // 100,000 cases starts its first refresh after one page, not after the whole stream). The
    // snapshots the stream read are kept (a bounded number) for this worker's first run of each
    // job: `reserve` re-reads inside its transaction, so the pre-check need not read the case again.
    const preloaded = new Map<string, CaseSnapshot>()
    let enqueuing = false
    let enqueuer: Fiber.Fiber<void, StoreError> | null = null
    // Ends the dispatcher's wait when a job or poll finishes, or a page of jobs is enqueued.
    const slotFreed = new Wakeup()
    if (options.enqueueDue !== false) {
      const policy = yield* Policy
      const runKey = options.runKey ?? iso(start).slice(0, 10)
      enqueuing = true
      enqueuer = yield* Effect.forkChild(store.streamDueCases({ until: iso(start + policy.leadTimeDays * 86_400_000) }).pipe(
        Stream.grouped(500),
        Stream.runForEach((page) => {
          const jobs = page.map((s) => {
            const key = options.runKey === undefined ? `renew:${runKey}:${s.case.id}:${eligibilityTag(s, start, policy)}` : `renew:${runKey}:${s.case.id}`
            if (preloaded.size < MAX_PRELOADED) preloaded.set(key, s)
            return { kind: "renew", key, payload: { caseId: s.case.id } }
          })
          return Effect.tap(store.enqueueJobs(jobs), () => Effect.sync(() => { renewDryAt = null; slotFreed.notify() }))
        }),
        Effect.ensuring(Effect.sync(() => { enqueuing = false; slotFreed.notify() }))
      ))
    }

    // 3. the job handlers
    const handle = (job: Job) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (job.kind === "renew") {
          const { caseId } = job.payload as { caseId: string }
          const snapshot = job.key === null ? undefined : preloaded.get(job.key)
          if (job.key !== null) preloaded.delete(job.key)
          const r = yield* jobEnv(renewCase(caseId, snapshot?.case.id === caseId ? snapshot : undefined))
          stats.refreshesBilled += r.billed
          stats.refreshesFree += r.free
          if (r.attemptId !== null && r.orderId !== null) stats.refreshesSent += 1
          if (r.limitViolation) stats.limitViolations += 1
          if (r.outcome === "in-flight") yield* schedulePoll({ caseId, attemptId: r.attemptId!, orderId: r.orderId!, n: 0 }, now + pollAfterMs)
          if (r.outcome === "unknown") {
            recoveryWanted.add("reconcile")
            yield* store.enqueueJobs([{ kind: "reconcile", key: `reconcile:${r.attemptId}`, payload: { caseId, attemptId: r.attemptId } }])
          }
          return
        }
        const { caseId, attemptId } = job.payload as { caseId: string; attemptId: string }
        const snapshot = yield* rawStore.loadSnapshot(caseId)
        const attempt = snapshot.ledger.find((a) => a.id === attemptId)
        if (attempt === undefined) return
        if (job.kind === "follow-up") {
          if (attempt.status !== "succeeded" && attempt.status !== "failed") return
          yield* Effect.logInfo("running the follow-up a dead worker left unfinished", { caseId, attemptId })
          yield* jobEnv(followUp(caseId, attempt))
          return
        }
        stats.reconciled += 1
        const r = yield* jobEnv(reconcileAttempt(caseId, attempt))
        if (r.kind === "sent") yield* schedulePoll({ caseId, attemptId, orderId: r.orderId, n: 0 }, now)
        if (r.kind === "not-sent") {
          yield* store.enqueueJobs([{ kind: "renew", key: `renew:${caseId}:after:${attemptId}`, payload: { caseId } }])
          renewDryAt = null
        }
      })

    const runPoll = (p: PollEntry) =>
      Effect.gen(function*() {
        stats.polls += 1
        const final = p.n + 1 >= maxPolls
        const r = yield* jobEnv(pollAttempt(p.attemptId, p.orderId, final))
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

    // A job that fails (a one-off 500, a store hiccup) is run again here, a few times, before it
    // is failed in the store: the store's own retry comes after its backoff (30 s and more), when
    // this pass has ended. Running a job again is safe: `reserve` re-decides from the ledger, so a
    // refresh already reserved or sent is never sent twice.
    const runJob = (job: Job) =>
      handle(job).pipe(
        Effect.tapError((e) => Effect.logDebug("job failed, retrying in this pass", { job: job.kind, key: job.key, error: e._tag })),
        Effect.retry({ times: IN_PASS_RETRIES, schedule: Schedule.exponential("200 millis") }),
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
    // Jobs this worker holds a lease on (started or queued); a stop gives the queued ones back at
    // once and the started ones past the grace period.
    const held = new Map<string, Job>()
    // Claimed ahead (up to one concurrency's worth): a freed slot starts the next job at once
    // instead of waiting for a claim (a write) to come back.
    const queued: Array<Job> = []
    let stoppedAt: number | null = null
    const lastRecoveryClaim = new Map<string, number>()
    const inboxWakeup = options.inboxWakeup ?? new Wakeup()
    const inboxSlotFreed = new Wakeup()
    const consumer = new InboxConsumer(store, stats, options.workerId, Math.max(16, options.concurrency * 2), env, () => {
      inboxSlotFreed.notify()
      options.onProgress?.()
    })
    const inbox = yield* Effect.forkChild(Effect.forever(
      Effect.gen(function*() {
        const n = yield* consumer.fill()
        if (n > 0 && consumer.mayHaveMore) return
        // Sleep until the receiver stores an event, a local retry falls due, or 100 ms pass (for
        // other workers' receivers); and, only when the last claim was cut short by the slots,
        // until a slot frees. (A claim is a write: asking an empty inbox after every event
        // processed cost two claims per renewal.)
        const retryAt = consumer.nextRetryAt()
        const wait = retryAt === null ? 100 : Math.max(1, Math.min(100, retryAt - Date.now()))
        yield* consumer.mayHaveMore ? Effect.raceFirst(inboxWakeup.sleep(wait), inboxSlotFreed.sleep(wait)) : inboxWakeup.sleep(wait)
      })
    ))
    const startJob = (job: Job) => {
      running += 1
      // Detached: a stop past the grace period returns without waiting for it (its lease is
      // released below and the job runs again elsewhere; its send was recorded or is
      // reconciled, never repeated blindly).
      return Effect.forkDetach(Effect.ensuring(runJob(job), Effect.sync(() => { running -= 1; held.delete(job.id); slotFreed.notify() })))
    }
    let quietSince: number | null = null
    while (true) {
      const stopping = options.shouldStop?.() === true
      let claimed = 0
      if (!stopping) {
        while (running < jobSlots && queued.length > 0) {
          yield* startJob(queued.shift()!)
          claimed += 1
        }
        // Claims are write transactions: ask when a batch's worth (a quarter of the concurrency)
        // is missing from slots plus queue, and ask for recovery jobs (reconcile, follow-up) only
        // now and then (this worker's own are flagged at once). Real time: pacing, not a domain instant.
        const nowMs = Date.now()
        const batch = Math.max(1, Math.floor(options.concurrency / 4))
        const want = jobSlots + options.concurrency - running - queued.length
        if (want >= batch || (running === 0 && queued.length === 0)) {
          for (const kind of JOB_KINDS) {
            const free = jobSlots + options.concurrency - running - queued.length
            if (free <= 0) break
            if (RECOVERY_KINDS.has(kind)) {
              if (!recoveryWanted.has(kind) && nowMs - (lastRecoveryClaim.get(kind) ?? 0) < 1_000) continue
              recoveryWanted.delete(kind)
              lastRecoveryClaim.set(kind, nowMs)
            }
            // The renew jobs ran dry at the last claim: while this worker is busy, ask again only
            // now and then (other workers' enqueues, renewals falling due); when idle, at once.
            if (kind === "renew" && renewDryAt !== null && (running > 0 || queued.length > 0) && nowMs - renewDryAt < RENEW_RECHECK_MS) continue
            const jobs = yield* store.claimJobs({ workerId: options.workerId, kind, limit: free, leaseMs }).pipe(
              Effect.catch((e) => Effect.as(Effect.logWarning("claim failed", { message: e.message }), [] as ReadonlyArray<Job>))
            )
            if (kind === "renew") renewDryAt = jobs.length < free ? nowMs : null
            for (const job of jobs) {
              held.set(job.id, job)
              queued.push(job)
            }
          }
          while (running < jobSlots && queued.length > 0) {
            yield* startJob(queued.shift()!)
            claimed += 1
          }
        }
        const polls = tracker.duePolls(yield* Clock.currentTimeMillis, jobSlots - running)
        claimed += polls.length
        for (const p of polls) {
          running += 1
          yield* Effect.forkDetach(Effect.ensuring(runPoll(p), Effect.sync(() => { running -= 1; slotFreed.notify() })))
        }
      }
      if (stopping) {
        // Stop enqueueing (what is enqueued stays for the next pass).
        if (enqueuer !== null && enqueuing) yield* Fiber.interrupt(enqueuer)
        // Queued jobs never started: give them back now, uncounted.
        for (const job of queued.splice(0)) {
          held.delete(job.id)
          yield* store.releaseJob(job.id, options.workerId).pipe(Effect.ignore)
        }
        const now = yield* Clock.currentTimeMillis
        stoppedAt ??= now
        if (running === 0 || now - stoppedAt >= (options.graceMs ?? 30_000)) break
        yield* Effect.sleep("20 millis")
        continue
      }
      if (claimed > 0 || running > 0 || queued.length > 0 || enqueuing) {
        quietSince = null
        // Nothing changes until a job ends (or a poll or a scheduled renewal falls due), so wait
        // for that instead of asking the store again.
        yield* slotFreed.sleep(50)
        continue
      }
      const now = yield* Clock.currentTimeMillis
      const pending = consumer.busy > 0 ? [true] : yield* store.pendingWebhookEvents(1).pipe(Effect.orElseSucceed(() => []))
      const open = yield* stillOpen(rawStore, tracker)
      if (pending.length === 0 && !open && tracker.pendingUntil(now) === null && !enqueuing) {
        quietSince ??= now
        // A short grace for webhooks already on the wire.
        if (now - quietSince >= 200) break
      } else quietSince = null
      yield* Effect.raceFirst(slotFreed.sleep(10), inboxSlotFreed.sleep(10))
    }
    // Past the grace period: give back what is still held, uncounted (the store fences it to us).
    for (const job of held.values()) {
      yield* store.releaseJob(job.id, options.workerId).pipe(
        Effect.tap(() => Effect.sync(() => { stats.jobsReleased += 1 })),
        Effect.catch((e) => Effect.logWarning("release failed", { job: job.kind, key: job.key, error: e._tag }))
      )
    }
    stats.stopped = stoppedAt !== null
    // A failed enqueue (the due-case stream, a store error) fails the pass, after what it did enqueue ran.
    if (enqueuer !== null && stoppedAt === null) yield* Fiber.join(enqueuer)
    yield* Fiber.interrupt(inbox)
    yield* consumer.awaitIdle()
    // What arrived during the grace period is processed before the report (after a stop it stays
    // in the inbox for the next pass: stored events are never lost).
    if (stoppedAt === null) yield* drainInboxWith(consumer)
    else yield* consumer.releaseRetries()
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
 * follow-ups a pass would run. Returns how many were started.
 */
export const drainInbox = (stats: RunStats, workerId = `drain-${process.pid}`): Effect.Effect<number, never, Store | RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* Store
    const tracker = new RunTracker(yield* Clock.currentTimeMillis)
    const renewal = countingStore(yield* RenewalStore, stats)
    const truv = countingGateway(yield* TruvGateway, stats)
    const workContext = Context.make(RenewalStore, renewal).pipe(
      Context.add(TruvGateway, truv), Context.add(FollowUps, storeFollowUpsService(store, stats, tracker))
    )
    const env = <A, E>(e: Effect.Effect<A, E, RenewalStore | TruvGateway | FollowUps>): Effect.Effect<A, E> => Effect.provideContext(e, workContext)
    return yield* drainInboxWith(new InboxConsumer(store, stats, workerId, 16, env))
  })

/**
 * What distinguishes one renewal of a case from the next within a day (the default run key):
 * the instant core next allows a refresh, else the latest attempt. A case waiting for its rate
 * window keeps the same key (later passes do not repeat it) until the window opens; then the key
 * changes and the case is renewed again the same day.
 */
const eligibilityTag = (s: CaseSnapshot, now: number, policy: PolicyConfig): string => {
  const planned = planCase({ ...s, ledger: [...s.ledger] }, now, policy)
  if (planned.nextEligibleAt !== null && Date.parse(planned.nextEligibleAt) > now) return `after:${planned.nextEligibleAt}`
  const last = s.ledger.reduce<string | null>((latest, a) => (latest === null || a.at > latest ? a.at : latest), null)
  return `since:${last ?? "none"}`
}
