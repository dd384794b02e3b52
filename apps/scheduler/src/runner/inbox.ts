/**
 * The webhook inbox, consumer side: events the receiver stored (verified, before its 2xx) are
 * claimed (`claimWebhookEvents`: a lease, so workers sharing the inbox each process different
 * events), processed, and completed with their result (`completeWebhookEvent`, fenced: a worker
 * that lost its lease writes nothing).
 *
 * An outcome event for a refresh order no attempt of ours records yet is never completed
 * unapplied (issue 15). Usually it overtook our own record of the refresh by milliseconds: it is
 * retried locally (still leased) for `LOCAL_RETRY_MS`. Past that, it waits in the store
 * (`deferWebhookEvent`: unprocessed, claimable again after 1 s, 2 s, 4 s ... up to the
 * reconciliation delay, `staleAfterMs`) for as long as an attempt that could have created its
 * order is in flight without an order id: one of its connection's attempts still `reserved` or
 * `unknown`, i.e. a dead worker's, which the first pass that starts `staleAfterMs` after it
 * reconciles (`recover.ts`, which also re-offers every waiting event at once). The attempt
 * appears and the event is applied, or the attempt was resolved another way and the event is
 * recorded as redundant with its reason (`ignored: outcome already recorded`). When no such
 * attempt exists, nothing of ours can ever apply it: it is completed `unmatched` with why, and
 * counted (`webhooksUnmatched`, `/metrics`); so is an event still waiting `WAIT_AT_MOST_MS` after
 * it arrived. An event whose processing failed (a store or Truv error) waits the same way.
 *
 * | the event | while | then |
 * |---|---|---|
 * | applies (or is a duplicate, another type, invalid) | | completed with its result |
 * | names an order we do not know | first `LOCAL_RETRY_MS` of this claim | local retry every 50 ms |
 * | ... | a connection's attempt is `reserved`/`unknown` without order id, under 48 h | waits (backoff, capped at `staleAfterMs`) |
 * | ... | no such attempt, or 48 h passed | completed `unmatched: …`, counted |
 * | failed to process | under 48 h | waits (backoff) |
 *
 * `InboxConsumer` processes events as a stream, not in batches: each claimed event starts as soon
 * as one of its `concurrency` slots is free, so a slow one (its follow-up fetches the refreshed
 * report from Truv) never holds back the others.
 *
 * Time: an event's age is domain time (the Clock against the `receivedAt` the receiver stamped
 * from the same Clock), and so is when a waiting event may be claimed again; when a local retry
 * is due is pacing (`monotonic.ts`), and local retries end `LOCAL_RETRY_MS` (monotonic) after the
 * event's first try in this claim, so a frozen test clock cannot keep it forever.
 */
import type { RenewalStore, TruvGateway } from "@recert/core"
import type { ClaimedWebhookEvent, Store } from "@recert/store"
import { Clock, Effect } from "effect"
import type { CaseProgress } from "../workflow/case-progress.js"
import { processWebhookBody } from "../workflow/process-webhook.js"
import { changedNothing, WebhookResult, webhookResultText } from "../workflow/webhook-result.js"
import { monotonicMillis } from "./monotonic.js"
import { DEFAULT_STALE_AFTER_MS } from "./pass-context.js"
import type { RunStats } from "./run-stats.js"
import type { Wakeup } from "./wakeup.js"

/** Local retries of an event for an order we do not know yet (it overtook our own record: milliseconds). */
const LOCAL_RETRY_MS = 5_000
/** Between two local retries of such an event. */
const RETRY_EVERY_MS = 50
/** The lease on a claimed event: longer than `LOCAL_RETRY_MS`, so a retried event stays ours. */
const LEASE_MS = 60_000
/** A waiting event's first wait; each claim doubles it, up to the consumer's `waitCapMs`. */
const WAIT_FIRST_MS = 1_000
/** An event waits at most this long after it arrived (two nightly runs), then it is `unmatched`. */
export const WAIT_AT_MOST_MS = 48 * 3_600_000

type Env = RenewalStore | TruvGateway | CaseProgress

/** A claimed event waiting for a local retry: due `at`, first tried at `firstTriedAt` (monotonic ms). */
interface PendingRetry {
  readonly event: ClaimedWebhookEvent
  readonly at: number
  readonly firstTriedAt: number
}

/** What to do with an event that could not be applied: wait (why), try again at once, or nothing can ever apply it. */
type Next = { readonly kind: "wait"; readonly why: string } | { readonly kind: "now" } | { readonly kind: "never" }

/**
 * What to do with an event that could not be applied. `now`: its attempt was recorded since it
 * was tried. Waiting for an order we do not know: as long as one of its connection's attempts is
 * in flight without an order id (reconciliation will give it one, or find it never sent).
 */
const nextFor = (store: Store["Service"], result: WebhookResult & { readonly _tag: "Retry" }, ageMs: number): Effect.Effect<Next> =>
  Effect.gen(function*() {
    const wait = (why: string): Next => ({ kind: "wait", why })
    if (ageMs >= WAIT_AT_MOST_MS) return { kind: "never" }
    const w = result.waitingFor
    if (w === undefined) return wait(`processing failed (${result.why}); tried again later`)
    const ledger = yield* store.ledgerForConnection(w.linkId).pipe(Effect.option)
    if (ledger._tag === "None") return wait(`${result.why}; the ledger of ${w.linkId} could not be read, tried again later`)
    if (ledger.value.some((a) => a.orderId === w.orderId)) return { kind: "now" }
    const open = ledger.value.filter((a) => a.orderId === null && (a.status === "reserved" || a.status === "unknown"))
    if (open.length === 0) return { kind: "never" }
    return wait(`${result.why}; waiting for ${open.map((a) => `attempt ${a.id} (${a.status} since ${a.at})`).join(", ")} to be reconciled: it may have created it`)
  })

/** The `unmatched` result of an event that will never be applied. */
const unmatched = (result: WebhookResult & { readonly _tag: "Retry" }, ageMs: number): WebhookResult =>
  WebhookResult.Unmatched(ageMs >= WAIT_AT_MOST_MS
    ? `${result.why}; still not applicable ${Math.round(ageMs / 3_600_000)} h after it arrived`
    : `${result.why}, and no attempt of ours for ${result.waitingFor?.linkId ?? "its connection"} is in flight without an order: none can have created it`)

/**
 * Processes one claimed event: `"done"` (completed, waiting in the store, or the lease was lost:
 * another worker has it) or `"retry"` (overtook our own record; try again shortly, still leased).
 */
const processEvent = (
  store: Store["Service"], stats: RunStats, workerId: string, event: ClaimedWebhookEvent, firstTriedAt: number, waitCapMs: number
): Effect.Effect<"done" | "retry", never, Env> =>
  Effect.gen(function*() {
    let result = yield* processWebhookBody(event.body).pipe(
      Effect.catch((e) => Effect.succeed(WebhookResult.Retry(`${e._tag}: ${e.message}`))),
      Effect.uninterruptible
    )
    if (result._tag === "Retry") {
      const tried = (yield* monotonicMillis) - firstTriedAt
      if (tried < LOCAL_RETRY_MS) return "retry" as const
      const now = yield* Clock.currentTimeMillis
      const age = now - Date.parse(event.receivedAt)
      const next = yield* nextFor(store, result, age)
      if (next.kind === "now") return "retry" as const
      if (next.kind === "wait") {
        const until = new Date(now + Math.min(waitCapMs, WAIT_FIRST_MS * 2 ** Math.max(0, event.claims - 1))).toISOString()
        yield* store.deferWebhookEvent(event.webhookId, workerId, until, `waiting: ${next.why}`).pipe(
          Effect.catch((e) => Effect.logWarning("inbox event not deferred", { webhookId: event.webhookId, error: e._tag }))
        )
        return "done" as const
      }
      result = unmatched(result, age)
    }
    const completed = yield* store.completeWebhookEvent(event.webhookId, workerId, webhookResultText(result)).pipe(
      Effect.as(true),
      Effect.catch((e) => Effect.as(Effect.logWarning("inbox event not completed", { webhookId: event.webhookId, error: e._tag }), false))
    )
    if (completed) {
      stats.webhooksProcessed += 1
      if (changedNothing(result)) stats.webhooksIgnored += 1
      if (result._tag === "Unmatched") {
        stats.webhooksUnmatched += 1
        yield* Effect.logWarning("inbox event unmatched: no attempt of ours can apply it", { webhookId: event.webhookId, why: result.why })
      }
    }
    return "done" as const
  })

/** A worker's inbox consumer: claims and processes events with bounded concurrency. */
export class InboxConsumer {
  readonly inFlight = new Set<string>()
  readonly retries: Array<PendingRetry> = []
  /**
   * Whether the last `fill` may have left claimable events behind: it had no free slot, or it got
   * as many as it asked for. False: the inbox had nothing more, so only a newly stored event (or
   * a local retry falling due) is worth another claim; a slot freeing up is not.
   */
  mayHaveMore = true
  private idleWaiters: Array<() => void> = []

  constructor(
    readonly store: Store["Service"],
    private readonly stats: RunStats,
    readonly workerId: string,
    readonly concurrency: number,
    /** Runs a processing effect with its environment (and counting wrappers). */
    private readonly env: <A, E>(e: Effect.Effect<A, E, Env>) => Effect.Effect<A, E>,
    private readonly onDone: () => void = () => {},
    /** The longest wait between two tries of a waiting event: reconciliation's `staleAfterMs`. */
    private readonly waitCapMs: number = DEFAULT_STALE_AFTER_MS
  ) {}

  /** Events claimed and not finished (in progress or waiting for a local retry). */
  get busy(): number {
    return this.inFlight.size + this.retries.length
  }

  /**
   * Starts what it can: due local retries, then newly claimed events up to the free slots.
   * Returns how many it started (0: nothing claimable, or no slot free).
   */
  fill(): Effect.Effect<number> {
    return this.fillWith(this)
  }

  /** @internal */
  fillWith(c: InboxConsumer): Effect.Effect<number> {
    return Effect.gen(function*() {
      let started = 0
      const now = yield* monotonicMillis
      for (let i = 0; i < c.retries.length && c.inFlight.size < c.concurrency;) {
        const r = c.retries[i]!
        if (r.at <= now) {
          c.retries.splice(i, 1)
          yield* c.start(r.event, r.firstTriedAt)
          started += 1
        } else i += 1
      }
      const free = c.concurrency - c.inFlight.size
      c.mayHaveMore = true
      if (free <= 0) return started
      const events = yield* c.store.claimWebhookEvents({ workerId: c.workerId, limit: free, leaseMs: LEASE_MS }).pipe(
        Effect.catch((e) => Effect.as(Effect.logWarning("inbox claim failed", { message: e.message }), [] as ReadonlyArray<ClaimedWebhookEvent>))
      )
      c.mayHaveMore = events.length === free
      for (const event of events) yield* c.start(event, now)
      return started + events.length
    })
  }

  /** The earliest local retry (monotonic ms), if any. */
  nextRetryAt(): number | null {
    let at: number | null = null
    for (const r of this.retries) if (at === null || r.at < at) at = r.at
    return at
  }

  /** Resolves when nothing is in progress (local retries may remain). */
  awaitIdle(): Effect.Effect<void> {
    return Effect.callback<void>((resume) => {
      if (this.inFlight.size === 0) return resume(Effect.void)
      this.idleWaiters.push(() => resume(Effect.void))
    })
  }

  /** Gives back the leases of events waiting for a local retry (a stop: they stay in the inbox). */
  releaseRetries(): Effect.Effect<void> {
    return this.releaseWith(this)
  }

  /** @internal */
  releaseWith(c: InboxConsumer): Effect.Effect<void> {
    return Effect.gen(function*() {
      for (const r of c.retries.splice(0)) {
        yield* c.store.releaseWebhookEvent(r.event.webhookId, c.workerId).pipe(Effect.ignore)
      }
    })
  }

  start(event: ClaimedWebhookEvent, firstTriedAt: number): Effect.Effect<void> {
    this.inFlight.add(event.webhookId)
    return Effect.asVoid(Effect.forkDetach(
      this.env(processEvent(this.store, this.stats, this.workerId, event, firstTriedAt, this.waitCapMs)).pipe(
        Effect.tap((r) => r === "retry"
          ? Effect.map(monotonicMillis, (now) => void this.retries.push({ event, at: now + RETRY_EVERY_MS, firstTriedAt }))
          : Effect.void),
        Effect.ensuring(Effect.sync(() => {
          this.inFlight.delete(event.webhookId)
          this.onDone()
          if (this.inFlight.size === 0) for (const w of this.idleWaiters.splice(0)) w()
        }))
      )
    ))
  }
}

/**
 * Claims and processes pending events until none is claimable and none in progress (events that
 * overtook our own record are retried locally, then wait in the store). Returns how many it started.
 */
export const drainInboxWith = (consumer: InboxConsumer): Effect.Effect<number> =>
  Effect.gen(function*() {
    let total = 0
    while (true) {
      const n = yield* consumer.fill()
      total += n
      if (n === 0 && consumer.busy === 0) return total
      if (n === 0) {
        if (consumer.busy > 0 && consumer.nextRetryAt() === null) yield* consumer.awaitIdle()
        else yield* Effect.sleep(`${RETRY_EVERY_MS} millis`)
      }
    }
  })


/**
 * The inbox fiber of a pass: fills the consumer, and sleeps until the receiver stores an event
 * (`wakeup`), a local retry falls due, or 100 ms pass (for other workers' receivers); and, only
 * when the last claim was cut short by the slots, until a slot frees (`slotFreed`). A claim is a
 * write: asking an empty inbox after every event processed cost two claims per renewal.
 */
export const inboxLoop = (consumer: InboxConsumer, wakeup: Wakeup, slotFreed: Wakeup): Effect.Effect<never> =>
  Effect.forever(
    Effect.gen(function*() {
      const n = yield* consumer.fill()
      if (n > 0 && consumer.mayHaveMore) return
      const retryAt = consumer.nextRetryAt()
      const wait = retryAt === null ? 100 : Math.max(1, Math.min(100, retryAt - (yield* monotonicMillis)))
      yield* consumer.mayHaveMore ? Effect.raceFirst(wakeup.sleep(wait), slotFreed.sleep(wait)) : wakeup.sleep(wait)
    })
  )
