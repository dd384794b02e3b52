/**
 * A write whose reply was lost (issue 15, the chaos suite's Postgres outage): a connection cut
 * after the statement (or the COMMIT) was sent leaves the caller not knowing whether it
 * committed: Postgres ends a terminated backend with 57P01 even after its commit, and pg reports
 * a connection that went away without a code. Failing then (a retryable `unavailable`
 * `StoreError`) lost writes that were done: the caller's job failed, and every later route found
 * the work done and learnt nothing from it (the workers' counts fell short of the ledger's).
 *
 * `resolvingLostReply` runs the write; when it fails `unavailable` after it said its write was
 * sent, it reads back (once the database answers, for up to `LOST_REPLY_MS`) what the write left:
 * the read-back returns the write's result when the row holds exactly this call's write, or
 * `undefined` when nothing was written, and then the write runs again on what is there. Past
 * `LOST_REPLY_MS`, or on any other failure, the error is returned as before.
 */
import { reasonOf } from "./driver-error.js"

/** How long a write whose reply was lost keeps asking the database what became of it. */
export const LOST_REPLY_MS = 20_000
/** The waits between those reads (the last one repeats). */
const WAITS_MS = [50, 100, 250, 500, 1_000, 2_000] as const

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * `write(sent)` calls `sent()` just before the statement that writes; `readBack()` says what a
 * lost one left: its result, or `undefined` (not written).
 */
export const resolvingLostReply = async <A>(write: (sent: () => void) => Promise<A>, readBack: () => Promise<A | undefined>): Promise<A> => {
  let until: number | null = null
  let waits = 0
  for (;;) {
    let pending = false
    try {
      return await write(() => { pending = true })
    } catch (error) {
      if (!pending || reasonOf(error) !== "unavailable") throw error
      until ??= Date.now() + LOST_REPLY_MS
      let found: A | undefined
      for (;;) {
        if (Date.now() >= until) throw error
        await sleep(WAITS_MS[Math.min(waits++, WAITS_MS.length - 1)]!)
        try {
          found = await readBack()
          break
        } catch (e) {
          if (reasonOf(e) !== "unavailable") throw e
        }
      }
      if (found !== undefined) return found
    }
  }
}
