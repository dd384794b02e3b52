/**
 * Step 3 of a pass: the dispatcher. It claims jobs (leases) while slots are free, runs each
 * (`run-job.ts`) and the polls that fall due (`run-poll.ts`), and ends the pass when it has
 * settled or, after a stop, when what it holds has finished or the grace period is over.
 *
 * Its state is one named mode, changed only by `transition` (graphile-worker's localQueue.ts):
 *
 * | mode | what the dispatcher does | next |
 * |---|---|---|
 * | `STARTING` | recovery done, the due-case enqueuer started; nothing claimed yet | CLAIMING |
 * | `CLAIMING` | starts queued jobs in free slots, claims more (paced: `claim-pacing.ts`), starts due polls | WAITING if anything is in flight, queued or still being enqueued; else SETTLING |
 * | `WAITING` | sleeps until a job or poll ends or a page is enqueued (at most 50 ms) | CLAIMING |
 * | `SETTLING` | nothing to run: waits for the inbox, the attempts this worker sent and its scheduled renewals; 200 ms of quiet ends the pass | CLAIMING, or STOPPED |
 * | `DRAINING` | a stop was requested: stops enqueueing, gives queued jobs back, lets started ones finish within the grace period | DRAINING, or STOPPED |
 * | `STOPPED` | done: leases still held are released (uncounted), the pass finishes the inbox | (final) |
 *
 * A stop request turns any next mode but STOPPED into DRAINING, so it is seen between any two steps.
 */
import type { Job } from "@recert/store"
import { Clock, Effect, Fiber } from "effect"
import type { DueEnqueuer } from "./enqueue-due.js"
import type { InboxConsumer } from "./inbox.js"
import { JOB_HANDLERS } from "./jobs/registry.js"
import { monotonicMillis } from "./monotonic.js"
import type { PassContext } from "./pass-context.js"
import { runJob } from "./run-job.js"
import { runPoll } from "./run-poll.js"
import { type Wakeup } from "./wakeup.js"

export type Mode = "STARTING" | "CLAIMING" | "WAITING" | "SETTLING" | "DRAINING" | "STOPPED"

/** The modes each mode may change to (a change not listed is a defect). */
const NEXT: Readonly<Record<Mode, ReadonlyArray<Mode>>> = {
  STARTING: ["CLAIMING", "DRAINING"],
  CLAIMING: ["WAITING", "SETTLING", "DRAINING"],
  WAITING: ["CLAIMING", "DRAINING"],
  SETTLING: ["CLAIMING", "STOPPED", "DRAINING"],
  DRAINING: ["DRAINING", "STOPPED"],
  STOPPED: []
}
/** Quiet this long (nothing to run, nothing pending) ends a pass: a grace for webhooks on the wire. */
const QUIET_MS = 200

export interface DispatcherInput {
  readonly enqueuer: DueEnqueuer | null
  readonly consumer: InboxConsumer
  /** Rung when an inbox event finishes. */
  readonly inboxSlotFreed: Wakeup
  readonly shouldStop?: (() => boolean) | undefined
  readonly onProgress?: (() => void) | undefined
}

/** What the dispatcher leaves: when a stop was first seen (null: the pass settled). */
export interface DispatchResult {
  readonly stoppedAt: number | null
}

export const dispatch = (ctx: PassContext, input: DispatcherInput): Effect.Effect<DispatchResult> =>
  Effect.gen(function*() {
    const d = new Dispatcher(ctx, input)
    while (d.mode !== "STOPPED") d.transition(yield* d.step())
    yield* d.releaseHeld()
    return { stoppedAt: d.stoppedAt }
  })

class Dispatcher {
  mode: Mode = "STARTING"
  /** Jobs and polls started and not finished. */
  running = 0
  /** Jobs this worker holds a lease on (started or queued): a stop gives them back. */
  readonly held = new Map<string, Job>()
  /** Claimed ahead (up to one concurrency's worth): a freed slot starts the next job at once. */
  readonly queued: Array<Job> = []
  stoppedAt: number | null = null
  /** Since when SETTLING found nothing pending (null: something was). */
  quietSince: number | null = null

  constructor(readonly ctx: PassContext, readonly input: DispatcherInput) {}

  /** The one place the mode changes. */
  transition(next: Mode): void {
    const to = next !== "STOPPED" && this.input.shouldStop?.() === true ? "DRAINING" : next
    if (!NEXT[this.mode].includes(to)) throw new Error(`dispatcher: no change from ${this.mode} to ${to}`)
    if (to === "WAITING") this.quietSince = null
    this.mode = to
  }

  step(): Effect.Effect<Mode> {
    switch (this.mode) {
      case "STARTING":
        return Effect.succeed("CLAIMING")
      case "CLAIMING":
        return claiming(this)
      case "WAITING":
        // Nothing changes until a job ends (or a poll or a scheduled renewal falls due), so wait
        // for that instead of asking the store again.
        return Effect.as(this.ctx.slotFreed.sleep(50), "CLAIMING")
      case "SETTLING":
        return settling(this)
      case "DRAINING":
        return draining(this)
      case "STOPPED":
        return Effect.succeed("STOPPED")
    }
  }

  get busy(): boolean {
    return this.running > 0 || this.queued.length > 0
  }

  startQueued(): Effect.Effect<number> {
    return Effect.suspend(() => {
      const starts: Array<Effect.Effect<unknown>> = []
      while (this.running < this.ctx.settings.jobSlots && this.queued.length > 0) starts.push(this.startJob(this.queued.shift()!))
      return Effect.as(Effect.all(starts, { discard: true }), starts.length)
    })
  }

  startJob(job: Job): Effect.Effect<unknown> {
    this.running += 1
    const handler = JOB_HANDLERS.find((h) => h.kind === job.kind)
    // Detached: a stop past the grace period returns without waiting for it (its lease is
    // released and the job runs again elsewhere; its send was recorded or is reconciled).
    return Effect.forkDetach(Effect.ensuring(runJob(this.ctx, job, handler, this.input.onProgress), Effect.sync(() => {
      this.running -= 1
      this.held.delete(job.id)
      this.ctx.slotFreed.notify()
    })))
  }

  /** Past the grace period: gives back what is still held, uncounted (the store fences it to us). */
  releaseHeld(): Effect.Effect<void> {
    const { store, settings, stats } = this.ctx
    return Effect.forEach(this.held.values(), (job) => store.releaseJob(job.id, settings.workerId).pipe(
      Effect.tap(() => Effect.sync(() => { stats.jobsReleased += 1 })),
      Effect.catch((e) => Effect.logWarning("release failed", { job: job.kind, key: job.key, error: e._tag }))
    ), { discard: true })
  }
}

/** CLAIMING: fill the slots from the queue, the store and the due polls. */
const claiming = (d: Dispatcher): Effect.Effect<Mode> =>
  Effect.gen(function*() {
    const { ctx } = d
    let started = yield* d.startQueued()
    // Claims are write transactions: ask when a batch's worth (a quarter of the concurrency) is
    // missing from slots plus queue.
    const capacity = ctx.settings.jobSlots + ctx.settings.concurrency
    const batch = Math.max(1, Math.floor(ctx.settings.concurrency / 4))
    if (capacity - d.running - d.queued.length >= batch || !d.busy) {
      yield* claimJobs(d, capacity)
      started += yield* d.startQueued()
    }
    const polls = ctx.tracker.duePolls(yield* Clock.currentTimeMillis, ctx.settings.jobSlots - d.running)
    started += polls.length
    for (const p of polls) {
      d.running += 1
      yield* Effect.forkDetach(Effect.ensuring(runPoll(ctx, p, d.input.onProgress), Effect.sync(() => { d.running -= 1; ctx.slotFreed.notify() })))
    }
    return started > 0 || d.busy || d.input.enqueuer?.running() === true ? "WAITING" : "SETTLING"
  })

/** Claims each kind in the registry's order, as the pacing allows, up to `capacity` held. */
const claimJobs = (d: Dispatcher, capacity: number) =>
  Effect.gen(function*() {
    const { ctx } = d
    const now = yield* monotonicMillis
    for (const { kind } of JOB_HANDLERS) {
      const free = capacity - d.running - d.queued.length
      if (free <= 0) break
      if (!ctx.pacing.mayClaim(kind, d.busy, now)) continue
      const jobs = yield* ctx.store.claimJobs({ workerId: ctx.settings.workerId, kind, limit: free, leaseMs: ctx.settings.leaseMs }).pipe(
        Effect.catch((e) => Effect.as(Effect.logWarning("claim failed", { message: e.message }), [] as ReadonlyArray<Job>))
      )
      ctx.pacing.claimed(kind, free, jobs.length, now)
      for (const job of jobs) {
        d.held.set(job.id, job)
        d.queued.push(job)
      }
    }
  })

/** SETTLING: whether anything may still come (the inbox, our open attempts, renewals scheduled later). */
const settling = (d: Dispatcher): Effect.Effect<Mode> =>
  Effect.gen(function*() {
    const { ctx, input } = d
    const now = yield* Clock.currentTimeMillis
    // Events waiting for an attempt to appear (inbox.ts) are not work for now: a pass does not stay open for them.
    const pending = input.consumer.busy > 0 ? [true] : yield* ctx.store.pendingWebhookEvents(1, { includeWaiting: false }).pipe(Effect.orElseSucceed(() => []))
    const open = yield* stillOpen(ctx)
    if (pending.length === 0 && !open && ctx.tracker.pendingUntil(now) === null && input.enqueuer?.running() !== true) {
      d.quietSince ??= now
      if (now - d.quietSince >= QUIET_MS) return "STOPPED"
    } else d.quietSince = null
    yield* Effect.raceFirst(ctx.slotFreed.sleep(10), input.inboxSlotFreed.sleep(10))
    return "CLAIMING"
  })

/** DRAINING: no claims; queued jobs go back at once, started ones finish within the grace period. */
const draining = (d: Dispatcher): Effect.Effect<Mode> =>
  Effect.gen(function*() {
    const { ctx, input } = d
    // Stop enqueueing (what is enqueued stays for the next pass).
    if (input.enqueuer !== null && input.enqueuer.running()) yield* Fiber.interrupt(input.enqueuer.fiber)
    for (const job of d.queued.splice(0)) {
      d.held.delete(job.id)
      yield* ctx.store.releaseJob(job.id, ctx.settings.workerId).pipe(Effect.ignore)
    }
    const now = yield* Clock.currentTimeMillis
    d.stoppedAt ??= now
    if (d.running === 0 || now - d.stoppedAt >= ctx.settings.graceMs) return "STOPPED"
    yield* Effect.sleep("20 millis")
    return "DRAINING"
  })

/** Whether an attempt this worker sent is still without an outcome (asks the store). */
const stillOpen = (ctx: PassContext) =>
  Effect.gen(function*() {
    for (const [attemptId, { orderId }] of ctx.tracker.awaiting) {
      const found = yield* ctx.renewalStore.findAttemptByOrderId(orderId).pipe(Effect.orElseSucceed(() => null))
      const status = found?.attempt.status
      if (found === null || status === "succeeded" || status === "failed" || status === "rejected") ctx.tracker.awaiting.delete(attemptId)
      else return true
    }
    return false
  })
