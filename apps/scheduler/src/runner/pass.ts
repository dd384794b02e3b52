/**
 * One pass over the due cases, in rooms:
 *
 * 1. `recover.ts`: what a dead worker left behind (reconcile, poll, unfinished follow-ups);
 *    then the request sweep (`workflow/request-sweep.ts`): due reminders, expiries, replacements
 *    and escalations of open verification requests;
 * 2. `enqueue-due.ts`: a `renew` job per due case, in a fiber of its own;
 * 3. `dispatcher.ts`: claims jobs while slots are free and runs each with its kind's handler
 *    (`jobs/registry.ts`), in named modes, until the pass settles or a stop has drained it;
 * 4. meanwhile the inbox fiber (`inbox.ts`) processes stored webhook events;
 * 5. at the end, the inbox is finished (or, after a stop, its retries given back).
 *
 * A pass ends when nothing is claimable, the inbox is empty, and nothing this worker sent or
 * scheduled is still open; or, stopped, when what it holds has finished: a signal
 * (`shouldStop`), or a failure no retry fixes (`RunStats.fatal`: Truv refused our credentials,
 * Truv unreachable, the disk full or read-only), which also ends the in-pass retries of jobs.
 * Every store failure of the pass reaches the stats (`store-watch.ts`). A pass that cannot go on
 * (the due-case stream or recovery failing) records why in `fatal` and fails.
 */
import { RenewalStore, type StoreError, type TruvGateway } from "@recert/core"
import { Store } from "@recert/store"
import { Effect, Fiber } from "effect"
import { dispatch } from "./dispatcher.js"
import { forkEnqueueDue } from "./enqueue-due.js"
import { drainInboxWith, InboxConsumer, inboxLoop } from "./inbox.js"
import { RECOVERY_KINDS } from "./jobs/registry.js"
import { makePassContext } from "./pass-context.js"
import { recover } from "./recover.js"
import { sweepAndRenewOwed } from "./sweep.js"
import { oneLine, type RunStats } from "./run-stats.js"
import { watchStore } from "./store-watch.js"
import { Wakeup } from "./wakeup.js"
import { type NewOrderReach, sweepRequests } from "../workflow/request-sweep.js"

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
  /**
   * How long after its reservation Truv's silence about a refresh of unknown fate means it was
   * never created (`notSentAfterMsFor`: the send window, Truv's timeout and 30 s for Truv to land
   * a request it still holds). Default: with Truv's default timeout, 90 s.
   */
  readonly notSentAfterMs?: number
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
  /** How a new order's client is reached, for its reminders (`request-sweep.ts`). Default `truv-sends`. */
  readonly newOrderReach?: NewOrderReach
}

export const runPass = (options: PassOptions, stats: RunStats): Effect.Effect<void, StoreError, Store | RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const onStoreError = (operation: string, e: StoreError) => stats.storeFailed(operation, e)
    const store = watchStore(yield* Store, onStoreError)
    const renewal = watchStore(yield* RenewalStore, onStoreError)
    yield* passOn(store, options, stats).pipe(
      Effect.provideService(RenewalStore, renewal),
      // The pass could not go on: the report says why, whatever the caller does with the error.
      Effect.tapError((e) => Effect.sync(() => stats.fail({ code: "store.failing", message: `the pass could not go on: ${e.operation}: ${oneLine(e.message)}` })))
    )
  })

/**
 * The pass's fibers (the due-case enqueuer, the inbox) live in the pass's scope: however the pass
 * ends, a failure included, they end with it, and what the inbox was processing finishes first,
 * counted in this pass. Forked as children of the caller's fiber, a failed pass's inbox went on
 * for the life of a `serve` process beside every later pass's, and counted the outcomes it
 * applied into a report already summed (chaos `postgres`: the workers' billed 21 of Truv's 28).
 */
const passOn = (store: Store["Service"], options: PassOptions, stats: RunStats) =>
  Effect.scoped(Effect.gen(function*() {
    const ctx = yield* makePassContext(options, stats, store, RECOVERY_KINDS)
    stats.startedAt ??= ctx.start
    yield* recover(ctx)
    yield* sweepAndRenewOwed(store, (o) => ctx.jobEnv(sweepRequests(options.newOrderReach === undefined ? o : { ...o, newOrderReach: options.newOrderReach })))
    // Validity learned from the ledger, refreshed once per pass: reserve's decisions read it.
    yield* store.refreshValidityEstimates()
    const enqueuer = options.enqueueDue === false ? null : yield* forkEnqueueDue(ctx, options.runKey)
    const inboxSlotFreed = new Wakeup()
    const consumer = new InboxConsumer(store, stats, options.workerId, Math.max(16, options.concurrency * 2), ctx.env, () => {
      inboxSlotFreed.notify()
      options.onProgress?.()
    }, ctx.settings.staleAfterMs)
    const inbox = yield* Effect.forkScoped(inboxLoop(consumer, options.inboxWakeup ?? new Wakeup(), inboxSlotFreed))
    // A pass that fails: its inbox stops, the events in progress finish, the local retries' leases go back.
    yield* Effect.addFinalizer((exit) => exit._tag === "Success" ? Effect.void : Fiber.interrupt(inbox).pipe(
      Effect.andThen(consumer.awaitIdle()),
      Effect.andThen(consumer.releaseRetries())
    ))
    // A signal, or a failure no retry fixes, stops claiming alike.
    const shouldStop = () => options.shouldStop?.() === true || stats.fatal !== null
    const { stoppedAt } = yield* dispatch(ctx, { enqueuer, consumer, inboxSlotFreed, shouldStop, onProgress: options.onProgress })
    stats.stopped = stoppedAt !== null
    // A failed enqueue (the due-case stream, a store error) fails the pass, after what it did enqueue ran.
    if (enqueuer !== null && stoppedAt === null) yield* Fiber.join(enqueuer.fiber)
    yield* Fiber.interrupt(inbox)
    yield* consumer.awaitIdle()
    // What arrived during the grace period is processed before the report (after a stop it stays
    // in the inbox for the next pass: stored events are never lost).
    if (stoppedAt === null) yield* drainInboxWith(consumer)
    else yield* consumer.releaseRetries()
  }))
