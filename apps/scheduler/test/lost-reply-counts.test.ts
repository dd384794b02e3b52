/**
 * Reports equal Truv's when the database's replies are lost (issue 15, the chaos suite's
 * `postgres` scenario): every write of an attempt (the refresh recorded `sent`, each
 * connection's outcome) commits and then its reply is lost, as when a Postgres outage cuts the
 * connection between the commit and the answer: the driver throws a connection error
 * (SQLSTATE 57P01, `unavailable`, retryable) although the row is written.
 *
 * The fault is below the store (kysely's UPDATE of the `attempts` row runs, then throws), so the
 * store's own handling is what is tested. The run report's and `/metrics`' refresh counts must
 * equal the sandbox's exactly, and the ledger's (`Store.stats`).
 *
 * Before (main): every such write failed the job or the event that made it although it was done;
 * the retries found the work done and counted nothing, so the report and `/metrics` said sent 0
 * and billed 0 against the sandbox's 6 refresh orders and 6 billed verifications, and the pass
 * never settled (the jobs' retries wait for their backoff).
 */
import { Store } from "@recert/store"
import { Effect } from "effect"
import { UpdateQueryBuilder, type UpdateResult } from "kysely"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { renderMetrics } from "../src/http/metrics.js"
import type { SeededCase } from "../src/demo/seed.js"
import { buildReport, type RunReport } from "../src/report/run-report.js"
import { runPass } from "../src/runner/pass.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { metric } from "./support/metrics.js"
import { seedScenarios } from "./support/seeded-world.js"
import { iso, NOW, openWorld, settle, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const MIX: Readonly<Record<string, number>> = { "healthy": 2, "several-employers": 1, "gse": 1, "no-data": 1, "login-error": 1 }

/** What pg throws when `pg_terminate_backend` cuts the connection (the store reads it as `unavailable`). */
/** An UPDATE as kysely builds it (the spied method's receiver). */
type Update = UpdateQueryBuilder<never, never, never, UpdateResult>

const lostReply = () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })

describe("a write of an attempt whose reply is lost after its commit is counted once", () => {
  let db: TestDatabase
  let world: World
  let seeded: Array<SeededCase>
  let report: RunReport
  let metrics: string
  let settled = false
  /** Attempt writes (status changes, outcomes) whose reply was lost after the commit. */
  let cut = 0
  const stats = new RunStats()

  beforeAll(async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 15 })
    seeded = await seedScenarios(world, MIX, NOW)
    // Every UPDATE of an attempt's status and outcomes runs (and commits: no transaction is
    // open), then its reply is lost.
    const execute = (UpdateQueryBuilder.prototype as unknown as { executeTakeFirst: (this: Update) => Promise<UpdateResult> }).executeTakeFirst
    vi.spyOn(UpdateQueryBuilder.prototype, "executeTakeFirst").mockImplementation(async function(this: Update) {
      const result = await execute.call(this)
      if (/^update "attempts" set "status" = /.test(this.compile().sql) && result.numUpdatedRows > 0n) {
        cut += 1
        throw lostReply()
      }
      return result
    })
    let stop = false
    const pass = world.store.run(runPass({ workerId: "w-lost-replies", concurrency: 2, pollAfterMs: 200, shouldStop: () => stop }, stats).pipe(Effect.provide(world.gateway)))
    const allFinal = () => seeded.every((c) => { const o = stats.outcomes.get(c.caseId); return o !== undefined && isFinalOutcome(o) })
    settled = await settle(world, allFinal, 30_000)
    stop = true
    await pass
    vi.restoreAllMocks()
    await world.sandbox.idle()
    report = buildReport(stats, world.sandbox.clock.now())
    metrics = renderMetrics(stats)
  }, 120_000)

  afterAll(async () => {
    vi.restoreAllMocks()
    await world?.close()
    await db?.cleanup()
  })

  it("the report's and /metrics' sent, billed, free and not billed equal the sandbox's and the ledger's, exactly", async () => {
    const sandbox = world.sandbox.report()
    const truv = { sent: sandbox.refreshOrdersCreated, billed: sandbox.verifications.billed, free: sandbox.verifications.free, notBilled: sandbox.verifications.notBilled }
    // From the scenario table: 6 refreshes; 3 + 2 + 1 billed (healthy, several employers, login_error), 1 free (GSE), 1 no_data.
    expect(truv).toEqual({ sent: 6, billed: 6, free: 1, notBilled: 1 })
    const ledger = await world.store.run(Effect.flatMap(Effect.service(Store), (s) => s.stats({ since: iso(NOW) })))
    expect({
      settled,
      report: { sent: report.refreshes.sent, billed: report.refreshes.billed, free: report.refreshes.free, notBilled: report.refreshes.notBilled },
      metrics: {
        sent: metric(metrics, "recert_refreshes_sent_total"), billed: metric(metrics, "recert_refreshes_billed_total"),
        free: metric(metrics, "recert_refreshes_free_total"), notBilled: metric(metrics, "recert_refreshes_not_billed_total")
      },
      ledger: { sent: ledger.refreshes.sent, billed: ledger.refreshes.billed, free: ledger.refreshes.free, notBilled: ledger.refreshes.notBilled }
    }).toEqual({ settled: true, report: truv, metrics: truv, ledger: truv })
    expect([report.refreshes.awaitingOutcome, report.refreshes.unconfirmed, metric(metrics, "recert_refreshes_awaiting_outcome")]).toEqual([0, 0, 0])
  })

  it("every write's reply was lost (6 sent, 8 outcomes), and no job failed for it", () => {
    expect([cut, report.jobsFailed]).toEqual([14, 0])
    expect(report.cases.byOutcome).toEqual({ "refreshed": 4, "reauth-queued": 1, "new-order-queued": 1 })
  })
})
