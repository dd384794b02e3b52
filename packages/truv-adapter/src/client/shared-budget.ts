/**
 * The client's side of the budget every process on one secret shares (core's `TruvBudget` port;
 * `@recert/store` keeps it in the database the workers share). It sits behind the process-wide
 * budget (rate-budget.ts): a call first takes its slot in this process, then a permit of the
 * shared budget, then is sent.
 *
 * Permits are taken in batches: callers that wait at the same time are served by one round trip
 * (the first caller to find the budget's lock free asks for everyone waiting, up to `batch`, and
 * hands the permits out oldest first), so the store is asked once per batch, not per request. A
 * permit is handed to a caller that is waiting for it and used at once, never kept for later, so
 * no permit goes stale and none is spent on a request that is never made. When the budget says
 * "not before T" (its window is full, or Truv sent `Retry-After`), nobody in the process asks
 * again before T.
 */
import { type StoreError, Transport, type TruvBudget } from "@recert/core"
import { Clock, Deferred, Effect, Semaphore } from "effect"

export interface SharedBudgetOptions {
  /** At most this many permits per round trip. Default 50. */
  readonly batch?: number
  /**
   * Added to the window per grant (core's `BudgetRequest.slackMs`). Default 1.5 s: the budget's
   * instants are Truv's time as each worker measures it (`clock` below), within about half a
   * second each, so two workers differ by about a second; the rest is the time from a grant to
   * its request.
   */
  readonly slackMs?: number
  /** Who asks, kept beside each grant for operators (a worker id). */
  readonly holder?: string
}

export interface SharedBudget {
  /** Waits for a permit of the shared budget. Fails only when the budget cannot be read (nothing was sent). */
  readonly take: Effect.Effect<void, Transport>
  /** Truv said `Retry-After: afterMs`: nobody on this secret, in any process, sends for that long. */
  readonly block: (afterMs: number) => Effect.Effect<void>
}

const WINDOW_MS = 60_000
export const DEFAULT_SLACK_MS = 1_500

const unavailable = (e: StoreError): Transport =>
  new Transport({ reachedTruv: false, message: `Truv request budget (shared through the database) unavailable: ${e.message}` })

/**
 * `clock`: the clock the budget's instants are read and stamped with, for every holder the same
 * (the client passes its own clock plus its estimate of Truv's, clock-skew.ts); default the
 * program's.
 */
export const makeSharedBudget = (port: TruvBudget["Service"], key: string, limit: number, options: SharedBudgetOptions = {}, clock?: Clock.Clock): Effect.Effect<SharedBudget> =>
  Effect.gen(function*() {
    const batch = options.batch ?? 50
    const slackMs = options.slackMs ?? DEFAULT_SLACK_MS
    const onClock = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> => clock === undefined ? effect : Effect.provideService(effect, Clock.Clock, clock)
    const lock = yield* Semaphore.make(1)
    const waiting: Array<Deferred.Deferred<void>> = []
    /** The shared budget said nothing before this instant (local knowledge: no round trip before it). */
    let notBefore = 0

    /** One round trip for every caller waiting now; returns when to try again (null: nobody left waiting). */
    const serve: Effect.Effect<number | null, Transport> = onClock(Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (now < notBefore) return notBefore
      const pending = waiting.filter((d) => !Deferred.isDoneUnsafe(d))
      if (pending.length === 0) return null
      const want = Math.min(batch, pending.length)
      const grant = yield* Effect.mapError(port.acquire({ key, want, limit, windowMs: WINDOW_MS, slackMs, ...(options.holder === undefined ? {} : { holder: options.holder }) }), unavailable)
      for (const d of pending.slice(0, grant.granted)) Deferred.doneUnsafe(d, Effect.void)
      if (grant.retryAt !== null) notBefore = Math.max(notBefore, grant.retryAt)
      return grant.retryAt
    }))

    const take: Effect.Effect<void, Transport> = Effect.suspend(() => {
      const mine = Deferred.makeUnsafe<void>()
      waiting.push(mine)
      const loop: Effect.Effect<void, Transport> = Effect.gen(function*() {
        while (!Deferred.isDoneUnsafe(mine)) {
          const retryAt = yield* lock.withPermit(serve)
          if (Deferred.isDoneUnsafe(mine)) return
          const now = yield* onClock(Clock.currentTimeMillis)
          // Someone else's grant may still reach us; otherwise ask again when the budget allows.
          if (retryAt !== null && retryAt > now) yield* Effect.sleep(retryAt - now)
        }
      })
      // A permit handed over while we wait for the lock or sleep ends the wait at once.
      return Effect.raceFirst(Deferred.await(mine), loop).pipe(
        Effect.ensuring(Effect.sync(() => {
          const i = waiting.indexOf(mine)
          if (i >= 0) waiting.splice(i, 1)
        }))
      )
    })

    // The instant on the budget's clock, like every other instant of the budget.
    const block = (afterMs: number): Effect.Effect<void> => onClock(Effect.gen(function*() {
      const until = (yield* Clock.currentTimeMillis) + afterMs
      notBefore = Math.max(notBefore, until)
      yield* port.block(key, until).pipe(
        Effect.catch((e: StoreError) => Effect.logWarning(`Truv Retry-After could not be shared through the database (${e.message}); this process honours it`))
      )
    }))

    return { take, block }
  })
