/**
 * What the rooms of one pass share (recover, enqueue-due, the job handlers, the dispatcher): the
 * options with their defaults, the store, the run's stats and tracker, the job environment (built
 * once per pass: providing a Layer per job would build it per job), the snapshots the due-case
 * stream read, the claim pacing and the wake-up a finished job rings. Built by `pass.ts`.
 */
import { type CaseSnapshot, RenewalStore, TruvGateway } from "@recert/core"
import type { Store } from "@recert/store"
import { Clock, Context, Effect, Semaphore } from "effect"
import { CaseProgress } from "../workflow/case-progress.js"
import { ClientRequests, storeClientRequests } from "../workflow/client-requests.js"
import { ClaimPacing } from "./claim-pacing.js"
import { countingGateway, countingStore, type RunStats } from "./run-stats.js"
import { storeCaseProgress } from "./store-case-progress.js"
import { RunTracker } from "./tracker.js"
import { permitGateway } from "./truv-permits.js"
import { Wakeup } from "./wakeup.js"
import { notSentAfterMsFor } from "../workflow/reconcile.js"

/** What the workflow runs in. */
export type WorkEnv = RenewalStore | TruvGateway | CaseProgress | ClientRequests
export type Provide = <A, E>(e: Effect.Effect<A, E, WorkEnv>) => Effect.Effect<A, E>

/**
 * How long an attempt may stay `reserved`/`unknown` (or a final one's follow-up owed) before a
 * pass's recovery treats it as a dead worker's and reconciles it (`PassOptions.staleAfterMs`).
 * The inbox's waiting events are tried again at most this far apart.
 */
export const DEFAULT_STALE_AFTER_MS = 60_000

/**
 * Jobs in progress per Truv permit. `concurrency` bounds the worker's Truv requests in flight
 * (`truv-permits.ts`); twice as many jobs run so that one job's store work (reserve, record,
 * complete) proceeds while others wait on Truv: a permit is held only for the request itself.
 */
export const JOBS_PER_PERMIT = 2

export interface PassSettings {
  readonly workerId: string
  readonly concurrency: number
  readonly leaseMs: number
  readonly pollAfterMs: number
  readonly maxPolls: number
  readonly staleAfterMs: number
  /** How long after its reservation Truv's silence about a refresh means it was never created (`reconcile.ts`). */
  readonly notSentAfterMs: number
  readonly graceMs: number
  /** Jobs (and polls) in progress at once: `JOBS_PER_PERMIT` x concurrency. */
  readonly jobSlots: number
}

export interface PollPayload { readonly caseId: string; readonly attemptId: string; readonly orderId: string; readonly n: number }

export interface PassContext {
  readonly settings: PassSettings
  readonly store: Store["Service"]
  /** The renewal store without the counting wrapper (reads that count nothing). */
  readonly renewalStore: RenewalStore["Service"]
  readonly stats: RunStats
  readonly tracker: RunTracker
  /** The pass's start (a domain instant, from the Clock). */
  readonly start: number
  /** Runs workflow effects (the inbox's): counted, Truv outside the permits. */
  readonly env: Provide
  /** Runs a job's or poll's workflow effects: counted, Truv through the permits. */
  readonly jobEnv: Provide
  /** Snapshots the due-case stream read, by renew job key, for the job's first run. */
  readonly preloaded: Map<string, CaseSnapshot>
  readonly pacing: ClaimPacing
  /** Rung when a job or poll finishes or a page of jobs is enqueued: ends the dispatcher's wait. */
  readonly slotFreed: Wakeup
  /**
   * Polls are the fallback for lost webhooks: kept in memory (a restarted worker finds `sent`
   * attempts again through `unresolvedAttempts`), so a refresh costs no extra job rows. An
   * attempt already polled keeps its poll (a renewal that waits for it asks again: no reset).
   */
  readonly schedulePoll: (p: PollPayload, at: number) => Effect.Effect<void>
}

/** The workflow's environment over the store, counted in `stats`. */
export const workContextOf = (store: Store["Service"], renewal: RenewalStore["Service"], truv: TruvGateway["Service"], stats: RunStats, tracker: RunTracker) =>
  Context.make(RenewalStore, countingStore(renewal, stats)).pipe(
    Context.add(TruvGateway, truv),
    Context.add(CaseProgress, storeCaseProgress(store, stats, tracker)),
    Context.add(ClientRequests, storeClientRequests(store))
  )

export interface PassContextInput {
  readonly workerId: string
  readonly concurrency: number
  readonly leaseMs?: number | undefined
  readonly pollAfterMs?: number | undefined
  readonly maxPolls?: number | undefined
  readonly horizonMs?: number | undefined
  readonly staleAfterMs?: number | undefined
  readonly notSentAfterMs?: number | undefined
  readonly graceMs?: number | undefined
}

export const makePassContext = (options: PassContextInput, stats: RunStats, store: Store["Service"], recoveryKinds: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const renewalStore = yield* RenewalStore
    const start = yield* Clock.currentTimeMillis
    const tracker = new RunTracker(start + (options.horizonMs ?? 0))
    const truv = countingGateway(yield* TruvGateway, stats)
    const workContext = workContextOf(store, renewalStore, truv, stats, tracker)
    // Jobs and polls call Truv through the permits (at most `concurrency` requests in flight).
    const jobContext = Context.add(workContext, TruvGateway, permitGateway(truv, Semaphore.makeUnsafe(options.concurrency)))
    const ctx: PassContext = {
      settings: {
        workerId: options.workerId, concurrency: options.concurrency, leaseMs: options.leaseMs ?? 30_000,
        pollAfterMs: options.pollAfterMs ?? 3_000, maxPolls: options.maxPolls ?? 6, staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
        notSentAfterMs: options.notSentAfterMs ?? notSentAfterMsFor(undefined),
        graceMs: options.graceMs ?? 30_000, jobSlots: JOBS_PER_PERMIT * options.concurrency
      },
      store, renewalStore, stats, tracker, start,
      env: (e) => Effect.provideContext(e, workContext),
      jobEnv: (e) => Effect.provideContext(e, jobContext),
      preloaded: new Map(),
      pacing: new ClaimPacing(recoveryKinds),
      slotFreed: new Wakeup(),
      schedulePoll: (p, at) => Effect.sync(() => tracker.follow(p, at))
    }
    return ctx
  })
