/**
 * The deliverer: sends the outbox's events to the configured destinations. A round, per
 * destination: fan new events out into deliveries (its event-type filter applied), lease at most
 * `concurrency` runnable ones (the store's claim: each the earliest open delivery of its case,
 * so a later event of a case waits for the earlier one), POST them concurrently, and record each
 * outcome fenced to the lease: delivered on 2xx; otherwise the next try from the schedule and
 * `Retry-After` (`@recert/delivery` retry-schedule.ts), or a dead letter after the last.
 *
 * States of a destination's loop: FANNING-OUT → CLAIMING → SENDING → (claimed nothing) IDLE for
 * `pollMs` → FANNING-OUT ..., until stopped. A worker killed mid-send leaves leases that expire
 * after `leaseMsFor` (twice the timeout, at least timeout + 5 s); the event is then sent again with the same `webhook-id`, so
 * the receiver recognises the duplicate. Logs name the destination, the event id and the outcome,
 * never the secret or the body.
 */
import { type Destination, delivered, describeOutcome, nextTryAt, postEvent, retryAfterMs, type RetrySchedule, type TryOutcome } from "@recert/delivery"
import { type ClaimedDelivery, Store } from "@recert/store"
import type { StoreError } from "@recert/core"
import { Clock, Effect, Random } from "effect"
import { monotonicMillis } from "../runner/monotonic.js"
import { DELIVERY_STATS, type DeliveryStats } from "./delivery-stats.js"
import { withResultPdf } from "./result-attachment.js"

/**
 * A lease outlives the try's timeout by as much again (at least 5 s), so a live try never loses
 * its lease, and a killed worker's deliveries are free again soon after.
 */
export const leaseMsFor = (destination: Destination): number => destination.timeoutMs + Math.max(5_000, destination.timeoutMs)

export interface DelivererOptions {
  readonly workerId: string
  readonly destinations: ReadonlyArray<Destination>
  readonly stats?: DeliveryStats
  /** Default: the production schedule (`DELIVERY_BACKOFF`). */
  readonly retry?: RetrySchedule
}

/** What one round of one destination did. */
export interface RoundResult {
  readonly claimed: number
  readonly delivered: number
  readonly failed: number
  readonly deadLettered: number
}

const record = (destination: Destination, d: ClaimedDelivery, outcome: TryOutcome, o: DelivererOptions, stats: DeliveryStats) =>
  Effect.gen(function*() {
    const store = yield* Store
    const counters = stats.of(destination.name)
    counters.tries += 1
    counters.triesMs += outcome.ms
    if (delivered(outcome)) {
      counters.delivered += 1
      yield* store.completeDelivery(d, o.workerId, outcome._tag === "answered" ? outcome.status : 200)
      return "delivered" as const
    }
    counters.failed += 1
    if (outcome._tag === "timed-out") counters.timeouts += 1
    if (outcome._tag === "unreachable") counters.unreachable += 1
    const now = yield* Clock.currentTimeMillis
    const retryAt = nextTryAt(d.attempt, now, yield* Random.next, retryAfterMs(outcome._tag === "answered" ? outcome.retryAfter : null, now), o.retry)
    if (retryAt === null) counters.deadLettered += 1
    yield* store.failDelivery(d, o.workerId, { status: outcome._tag === "answered" ? outcome.status : null, error: describeOutcome(outcome), retryAt })
    yield* Effect.logWarning(retryAt === null ? "event dead-lettered" : "event delivery failed", {
      destination: destination.name, eventId: d.eventId, type: d.type, attempt: d.attempt, outcome: describeOutcome(outcome),
      ...(retryAt === null ? {} : { retryAt: new Date(retryAt).toISOString() })
    })
    return retryAt === null ? "dead" as const : "failed" as const
  }).pipe(
    // Lost the lease (expired during a very slow try, someone else took it): theirs to record.
    Effect.catchTag("LeaseLost", () => Effect.succeed("lost" as const))
  )

/** One round for one destination (see the top of the file). */
export const deliverRound = (o: DelivererOptions, destination: Destination): Effect.Effect<RoundResult, StoreError, Store> =>
  Effect.gen(function*() {
    const store = yield* Store
    const stats = o.stats ?? DELIVERY_STATS
    yield* store.fanOutDeliveries([{ name: destination.name, types: destination.events }])
    const claimed = yield* store.claimDeliveries({
      workerId: o.workerId, destination: destination.name, limit: destination.concurrency, leaseMs: leaseMsFor(destination)
    })
    const results = yield* Effect.forEach(claimed, (d) => Effect.gen(function*() {
      const body = destination.pdf === "inline" ? yield* withResultPdf(d) : d.body
      const timestampSec = Math.floor((yield* Clock.currentTimeMillis) / 1000)
      const outcome = yield* Effect.promise(() => postEvent(destination, { id: d.eventId, body, timestampSec }))
      return yield* record(destination, d, outcome, o, stats)
    }), { concurrency: destination.concurrency })
    return {
      claimed: claimed.length, delivered: results.filter((r) => r === "delivered").length,
      failed: results.filter((r) => r === "failed").length, deadLettered: results.filter((r) => r === "dead").length
    }
  })

/** `serve`: each destination's loop until `shouldStop`; a store failure is logged and the loop goes on after `pollMs`. */
export const runDeliverer = (o: DelivererOptions & { readonly pollMs: number; readonly shouldStop: () => boolean }): Effect.Effect<void, never, Store> =>
  Effect.forEach(o.destinations, (destination) => Effect.gen(function*() {
    while (!o.shouldStop()) {
      const round = yield* deliverRound(o, destination).pipe(Effect.catch((e) =>
        Effect.as(Effect.logError("delivery round failed", { destination: destination.name, error: e.message }), null)))
      if (round === null || round.claimed === 0) yield* Effect.sleep(o.pollMs)
    }
  }), { concurrency: "unbounded", discard: true })

/** What `run`'s drain did, and what it left owed. */
export interface DrainResult {
  readonly delivered: number
  readonly failed: number
  readonly deadLettered: number
  /** The deadline passed with deliveries still runnable. */
  readonly timedOut: boolean
  /** How long the drain took. */
  readonly elapsedMs: number
}

/**
 * `run`'s end: rounds until no destination has a runnable delivery (those waiting for a later
 * try stay owed: the next `run` or `serve` sends them) or `deadlineMs` has passed.
 */
export const drainDeliveries = (o: DelivererOptions & { readonly deadlineMs: number }): Effect.Effect<DrainResult, StoreError, Store> =>
  Effect.gen(function*() {
    const start = yield* monotonicMillis
    const end = start + o.deadlineMs
    const total = { delivered: 0, failed: 0, deadLettered: 0 }
    for (;;) {
      const now = yield* monotonicMillis
      if (now >= end) return { ...total, timedOut: true, elapsedMs: Math.round(now - start) }
      const rounds = yield* Effect.forEach(o.destinations, (d) => deliverRound(o, d), { concurrency: "unbounded" })
      for (const r of rounds) {
        total.delivered += r.delivered
        total.failed += r.failed
        total.deadLettered += r.deadLettered
      }
      if (rounds.every((r) => r.claimed === 0)) return { ...total, timedOut: false, elapsedMs: Math.round((yield* monotonicMillis) - start) }
    }
  })
