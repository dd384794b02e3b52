/**
 * A write that landed although its call failed is counted by the process that wrote it (issue 15,
 * chaos `postgres`: the workers' summed reports billed 21 against Truv's 28 with the ledger exact).
 * The outcome's UPDATE commits and the call then fails with an error that is no lost reply (the
 * store cannot tell it landed), so `countingStore` counts nothing; the next try finds the outcome
 * recorded and writes nothing (`applyOutcome`: already recorded). `OwnWritesLearner` reads the
 * process's own writes back from the ledger: the process's counts, and the sum of two processes'
 * counts, equal the ledger. Its watermark follows the rows' own stamps: an outcome's instant is
 * Truv's (an event's time), and one 10 h ahead made the next read start past this process's write.
 *
 * Each process is its own store opened on one SQLite file (one writer each) and its own `RunStats`.
 */
import type { RenewalStore } from "@recert/core"
import { Store } from "@recert/store"
import { Effect } from "effect"
import { UpdateQueryBuilder, type UpdateResult } from "kysely"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { OwnWritesLearner } from "../src/runner/learn-own-writes.js"
import { RunStats } from "../src/runner/run-stats.js"
import { inProcess, openTwoProcesses, type TwoProcesses } from "./support/two-processes.js"
import { iso, NOW, type Opened } from "./support/world.js"

/** An UPDATE as kysely builds it (the spied method's receiver). */
type Update = UpdateQueryBuilder<never, never, never, UpdateResult>

const counts = (s: RunStats) => ({ sent: s.refreshes.sent, billed: s.refreshes.billed })

describe("a process learns the writes whose call failed from the ledger", () => {
  let two: TwoProcesses
  const mine = new RunStats()
  const theirs = new RunStats()
  const figures: Record<string, unknown> = {}

  beforeAll(async () => {
    two = await openTwoProcesses(19)
    const { world, other, seeded } = two
    const [l1, l2] = seeded.linkIds
    const learn = (opened: Opened<Store | RenewalStore>, learner: OwnWritesLearner, stats: RunStats) =>
      opened.run(Effect.flatMap(Effect.service(Store), (s) => learner.learn(s, stats)))
    const myLearner = new OwnWritesLearner(NOW)
    const theirLearner = new OwnWritesLearner(NOW)
    const { attempt } = await inProcess(world.store, mine, (s) => s.reserve({ caseId: seeded.caseId, product: seeded.product }))
    await inProcess(world.store, mine, (s) => s.transitionAttempt(attempt!.id, "sent", { orderId: "refresh-lw" }))
    // l2: the other process records it, at an instant of Truv's 10 h ahead of ours (the outcome's
    // time is the event's): reading it must not move this process's watermark past its own writes.
    await inProcess(other, theirs, (s) => s.recordOutcome(attempt!.id, l2!, "done", iso(NOW + 10 * 3_600_000)))
    await learn(world.store, myLearner, mine)
    // l1: this process's UPDATE commits, then the call fails (an I/O error: no read-back).
    const execute = (UpdateQueryBuilder.prototype as unknown as { executeTakeFirst: (this: Update) => Promise<UpdateResult> }).executeTakeFirst
    vi.spyOn(UpdateQueryBuilder.prototype, "executeTakeFirst").mockImplementationOnce(async function(this: Update) {
      await execute.call(this)
      throw Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" })
    })
    figures["failed"] = await inProcess(world.store, mine, (s) => Effect.result(s.recordOutcome(attempt!.id, l1!, "done", iso(NOW + 60_000)))).then((r) => r._tag)
    vi.restoreAllMocks()
    figures["before"] = { mine: counts(mine), theirs: counts(theirs) }
    await learn(world.store, myLearner, mine)
    await learn(other, theirLearner, theirs)
    // Read again: nothing is counted twice.
    await learn(world.store, myLearner, mine)
    await learn(other, theirLearner, theirs)
    const ledger = await world.store.run(Effect.flatMap(Effect.service(Store), (s) => s.stats({ since: iso(NOW - 60_000) })))
    figures["after"] = { mine: counts(mine), theirs: counts(theirs), ledger: { sent: ledger.refreshes.sent, billed: ledger.refreshes.billed } }
  }, 60_000)

  afterAll(async () => {
    vi.restoreAllMocks()
    await two?.close()
  })

  it("the failed call counted nothing; read back, each process counts its own once: 1 sent and 2 billed in all, as the ledger", () => {
    expect(figures).toEqual({
      failed: "Failure",
      before: { mine: { sent: 1, billed: 0 }, theirs: { sent: 0, billed: 1 } },
      after: { mine: { sent: 1, billed: 1 }, theirs: { sent: 0, billed: 1 }, ledger: { sent: 1, billed: 2 } }
    })
  })
})
