/**
 * A process learns its own writes from the ledger (issue 15). Its refresh counts (the run report,
 * `serve`'s final report, `/metrics`) count what its store calls returned (`countingStore`), but a
 * write can land although its call failed: a reply an outage cut for longer than the read-back
 * waits, an error after the commit. The next try then finds the outcome recorded and writes
 * nothing (`applyOutcome`: already recorded), so the process that wrote it was never told, and no
 * other process counts a write that is not its own (decision 166): the workers' summed reports
 * fell short of Truv's (chaos `postgres`: billed 21 against 28).
 *
 * `learn` reads the attempts this process's store wrote since its watermark
 * (`Store.attemptsWrittenHere`, by `updated_at`) and hands each to the counts, which count a write
 * once whichever way it is learnt (the registry's keys). The watermark follows the newest write
 * read (its `updated_at`, stamped with this process's clock), less `OVERLAP_MS` (10 minutes): a
 * write stamped before a read and committed after it, or stamped by a clock a correction moved
 * back, is read next time. It needs no clock of its own.
 */
import type { Store } from "@recert/store"
import { Effect } from "effect"
import type { RunStats } from "./run-stats.js"

/** How often `serve` reads them between passes. */
export const LEARN_EVERY_MS = 5_000

/**
 * How far before the newest write read the next read starts, and before the process's start the
 * first one does: a write stamped, then committed late (a lost reply's read-back waits 20 s); a
 * Truv clock correction that moves this process's clock back after its start (a few seconds
 * under latency spikes); another process's later write on the row stamped with a clock ahead.
 * A read re-reads at most this much: the registry counts each write once.
 */
export const OVERLAP_MS = 10 * 60_000

export class OwnWritesLearner {
  private since: number

  /** `since`: when the process started writing (its first pass's start; read from `OVERLAP_MS` before). */
  constructor(since: number) {
    this.since = since - OVERLAP_MS
  }

  /** Reads this process's writes since the watermark into `stats`; a store error leaves it for the next time. */
  learn(store: Store["Service"], stats: RunStats): Effect.Effect<void> {
    return store.attemptsWrittenHere(this.since).pipe(
      Effect.map(({ attempts, newest }) => {
        for (const a of attempts) stats.ownWriteLearnt(a)
        // From the rows' own stamps (this process's clock), never from an outcome's instant: an
        // event's time is Truv's, and one ahead of ours moved the watermark past later writes.
        if (newest !== null) this.since = Math.max(this.since, newest - OVERLAP_MS)
      }),
      Effect.catch((e) => Effect.logDebug("own writes not read back; next time", { message: e.message }))
    )
  }
}
