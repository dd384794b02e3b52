/**
 * Two `serve` processes apply one outcome (issue 15, the chaos suite's `postgres` scenario): the
 * refresh's webhook reaches one worker while another polls the same task. Both call
 * `recordOutcome`; the first write wins and both calls return the attempt. Before, both processes
 * counted the verification, and the sum of the workers' final reports (and of their `/metrics`)
 * billed it twice: 29 against Truv's 28 in chaos seed 6. Now each process counts what its store
 * wrote (`ownWrites`, migration `0018_attempt_writers`): the sum equals the ledger and Truv.
 *
 * Each process is its own store opened on one SQLite file (one writer each) and its own
 * `RunStats` (its registry), wrapped as the runner wraps them (`countingStore`).
 */
import { Store } from "@recert/store"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RunStats } from "../src/runner/run-stats.js"
import { inProcess, openTwoProcesses, type TwoProcesses } from "./support/two-processes.js"
import { iso, NOW } from "./support/world.js"

const counts = (s: RunStats) => ({ sent: s.refreshes.sent, billed: s.refreshes.billed, free: s.refreshes.free, notBilled: s.refreshes.notBilled })

describe("two processes apply one outcome: the sum of their counts equals the ledger", () => {
  let two: TwoProcesses
  const mine = new RunStats()
  const theirs = new RunStats()
  let ledger: { readonly sent: number; readonly billed: number }

  beforeAll(async () => {
    two = await openTwoProcesses(18)
    const { world, other, seeded } = two
    const [l1, l2] = seeded.linkIds
    const { attempt } = await inProcess(world.store, mine, (s) => s.reserve({ caseId: seeded.caseId, product: seeded.product }))
    const at = iso(NOW + 60_000)
    await inProcess(world.store, mine, (s) => s.transitionAttempt(attempt!.id, "sent", { orderId: "refresh-2w" }))
    // l1's webhook on the other process; this one's poll finds the same status a moment later.
    await inProcess(other, theirs, (s) => s.recordOutcome(attempt!.id, l1!, "done", at))
    await inProcess(world.store, mine, (s) => s.recordOutcome(attempt!.id, l1!, "done", at))
    // l2: the other way round.
    await inProcess(world.store, mine, (s) => s.recordOutcome(attempt!.id, l2!, "done", at))
    await inProcess(other, theirs, (s) => s.recordOutcome(attempt!.id, l2!, "done", at))
    const stats = await world.store.run(Effect.flatMap(Effect.service(Store), (s) => s.stats({ since: iso(NOW - 60_000) })))
    ledger = { sent: stats.refreshes.sent, billed: stats.refreshes.billed }
  }, 60_000)

  afterAll(async () => {
    await two?.close()
  })

  it("each outcome is counted by the process that wrote it, once: 1 sent and 2 billed in all, as the ledger says", () => {
    expect({ mine: counts(mine), theirs: counts(theirs), ledger }).toEqual({
      mine: { sent: 1, billed: 1, free: 0, notBilled: 0 },
      theirs: { sent: 0, billed: 1, free: 0, notBilled: 0 },
      ledger: { sent: 1, billed: 2 }
    })
  })
})
