/**
 * The one vocabulary of refresh counts: the run report (`refreshes`), `/metrics` and `recert stats`
 * use these names and these definitions, and count by core's rule (`refreshAccountOf`), which the
 * store's `stats` applies to the ledger too. See the README's "Counts" table.
 *
 * In a process the counts are events, each counted once, in the pass (or `serve` interval) that
 * learnt it:
 *
 * - `sent`: a refresh order Truv created, counted when this process records it on the attempt
 *   (the send's answer, reconciliation from the lineage, or an outcome event for an attempt whose
 *   send was unknown: every route goes through `transitionAttempt(…, "sent")`);
 * - `billed` / `free` / `notBilled`: one connection's final task status recorded by this process
 *   (`recordOutcome`; written by it: `ownWrites`, so two processes applying one outcome count it
 *   once between them), billed by Truv's rule: `no_data` is not billed, the GSE quota is free;
 * - `reconciled`: an attempt of unknown fate (`reserved` or `unknown`) settled from Truv's lineage
 *   by a `reconcile` job (sent after all, or never sent); a job run again counts it once;
 * - `awaitingOutcome` and `unconfirmed` are gauges: of the attempts the pass touched, the
 *   connections still without a final status, and the attempts whose fate is still unknown.
 *
 * `AttemptRegistry` is the process's memory of what it has counted (one per process, shared by
 * every `RunStats` of a `serve` process), so a pass never counts again what an earlier pass of
 * the same process counted, and the sum of the passes is the process's total.
 */
import { type Attempt, REFRESH_ACCOUNT_TERMS, type RefreshAccount, type WrittenAttempt } from "@recert/core"

export type RefreshCountKey = keyof RefreshAccount | "reconciled"

export interface RefreshCountName {
  readonly key: RefreshCountKey
  /** The row of the text report and of `recert stats`. */
  readonly label: string
  readonly metric: string
  readonly type: "counter" | "gauge"
  readonly help: string
}

const term = (key: keyof RefreshAccount, metric: string, type: "counter" | "gauge"): RefreshCountName =>
  ({ key, label: REFRESH_ACCOUNT_TERMS[key].label, metric, type, help: REFRESH_ACCOUNT_TERMS[key].definition })

/** Report key, text label, Prometheus name, and definition (core's terms), in the order they are shown. */
export const REFRESH_COUNT_NAMES: ReadonlyArray<RefreshCountName> = [
  term("sent", "recert_refreshes_sent_total", "counter"),
  term("billed", "recert_refreshes_billed_total", "counter"),
  term("free", "recert_refreshes_free_total", "counter"),
  term("notBilled", "recert_refreshes_not_billed_total", "counter"),
  term("awaitingOutcome", "recert_refreshes_awaiting_outcome", "gauge"),
  term("unconfirmed", "recert_refreshes_unconfirmed", "gauge"),
  { key: "reconciled", label: "reconciled (learnt from the lineage)", metric: "recert_refreshes_reconciled_total", type: "counter", help: "Requests of unknown fate settled from Truv's lineage (sent after all, or never sent)." }
]

/** The refresh counts of a report: core's account plus `reconciled`. */
export type RefreshCounts = RefreshAccount & { readonly reconciled: number }

/** Counted events a pass adds to (sums across passes). */
export interface RefreshEvents {
  sent: number
  billed: number
  free: number
  notBilled: number
  reconciled: number
}

export const emptyRefreshEvents = (): RefreshEvents => ({ sent: 0, billed: 0, free: 0, notBilled: 0, reconciled: 0 })

const RANK: Readonly<Record<Attempt["status"], number>> = { reserved: 0, unknown: 1, sent: 2, succeeded: 3, failed: 3, rejected: 3 }
const isFinal = (a: Attempt): boolean => RANK[a.status] === 3
/** Final attempts are forgotten this long after they became final (nothing can count them again by then). */
const FORGET_AFTER_MS = 6 * 3_600_000

/**
 * Whether `attempt` holds a refresh order whose `sent` this process wrote (a store shared with
 * no other process says nothing: everything is its own). A `sent` whose reply was lost can come
 * back already `succeeded`/`failed` (the outcomes recorded meanwhile, store `lost-reply.ts`).
 */
const ownSent = (attempt: WrittenAttempt): boolean =>
  attempt.orderId !== null && (attempt.status === "sent" || attempt.status === "succeeded" || attempt.status === "failed") &&
  (attempt.ownWrites === undefined || attempt.ownWrites.sent)

/** The further along of two views of one attempt (states only move forward). */
const furthest = (a: Attempt | undefined, b: Attempt): Attempt => {
  if (a === undefined) return b
  if (RANK[b.status] !== RANK[a.status]) return RANK[b.status] > RANK[a.status] ? b : a
  return Object.keys(b.outcomes).length >= Object.keys(a.outcomes).length ? b : a
}

/** What this process has counted, and the latest view of each attempt it touched. */
export class AttemptRegistry {
  private readonly latest = new Map<string, Attempt>()
  private readonly counted = new Set<string>()
  private readonly finalized: Array<readonly [id: string, at: number]> = []

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Records the latest view of `attempt`; true when `event` (a key) is counted for the first time. */
  private note(attempt: Attempt, event: string): boolean {
    const before = this.latest.get(attempt.id)
    const after = furthest(before, attempt)
    this.latest.set(attempt.id, after)
    if (!isFinal(before ?? attempt) && isFinal(after)) this.finalized.push([attempt.id, this.clock()])
    this.forget()
    if (this.counted.has(event)) return false
    this.counted.add(event)
    return true
  }

  /** `transitionAttempt` returned `attempt`: counts its order as sent, once, when this process wrote the `sent`. */
  transitioned(attempt: WrittenAttempt, events: RefreshEvents): void {
    const key = ownSent(attempt) ? `sent:${attempt.id}` : `seen:${attempt.id}`
    if (this.note(attempt, key) && key.startsWith("sent:")) events.sent += 1
  }

  /**
   * `recordOutcome(attempt, connectionId)` returned `attempt`: counts that connection's billing,
   * once, when this process wrote it (another process that recorded it first counts it). Its
   * `sent` too, when the store says this process wrote that (`ownWrites.sent`) and it has not
   * been counted: a `sent` whose reply an outage cut for longer than the read-back waits came back
   * as an error, and is learnt here. (A store that says nothing: the send is counted where it was made.)
   */
  outcome(attempt: WrittenAttempt, connectionId: string, events: RefreshEvents): void {
    if (attempt.ownWrites?.sent === true) this.transitioned(attempt, events)
    const status = attempt.outcomes[connectionId]
    const own = attempt.ownWrites === undefined || attempt.ownWrites.outcomes.includes(connectionId)
    if (status === undefined || !own || !this.note(attempt, `outcome:${attempt.id}:${connectionId}`)) return
    if (status === "no_data") events.notBilled += 1
    else if (attempt.gseFree) events.free += 1
    else events.billed += 1
  }

  /** A `reconcile` job settled `attemptId` from the lineage: counted once. */
  reconciled(attemptId: string, events: RefreshEvents): void {
    if (this.counted.has(`reconciled:${attemptId}`)) return
    this.counted.add(`reconciled:${attemptId}`)
    events.reconciled += 1
  }

  /** Gauges over `ids`: connections awaiting their outcome, attempts of unknown fate. */
  gauges(ids: Iterable<string>): { readonly awaitingOutcome: number; readonly unconfirmed: number } {
    let awaitingOutcome = 0
    let unconfirmed = 0
    for (const id of ids) {
      const a = this.latest.get(id)
      if (a === undefined) continue
      if (a.status === "reserved" || a.status === "unknown") unconfirmed += 1
      else if (a.status === "sent") awaitingOutcome += a.connectionIds.filter((c) => a.outcomes[c] === undefined).length
    }
    return { awaitingOutcome, unconfirmed }
  }

  private forget(): void {
    const cutoff = this.clock() - FORGET_AFTER_MS
    while (this.finalized.length > 0 && this.finalized[0]![1] < cutoff) {
      const [id] = this.finalized.shift()!
      const a = this.latest.get(id)
      this.latest.delete(id)
      this.counted.delete(`sent:${id}`)
      this.counted.delete(`seen:${id}`)
      this.counted.delete(`reconciled:${id}`)
      for (const c of a?.connectionIds ?? []) this.counted.delete(`outcome:${id}:${c}`)
    }
  }
}
