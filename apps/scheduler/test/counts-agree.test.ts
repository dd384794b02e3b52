/**
 * The counts agree (issues 14 and 15): one pass against the sandbox with a mix of outcomes (done,
 * three employers in one request, the GSE free quota, `no_data`, `login_error`, a provider down,
 * a rate window, an expired OAuth connection) and one refresh whose answer the sandbox loses after
 * processing it (its `responseLossRate` fault), so the attempt's fate is unknown until a
 * `reconcile` job finds the refresh order in Truv's lineage. Then, with exact numbers:
 *
 * - the run report's `refreshes.sent` is the sandbox's refresh orders (the reconciled one included);
 * - `billed`, `free` and `notBilled` (`no_data`) equal the sandbox's billing, `/metrics`' counters,
 *   the store's `stats` and `recert stats --json` (the admin CLI, as a process);
 * - `reconciled` is 1: the attempt settled from the lineage, counted once although its job ran
 *   twice (its first read of the lineage got a 500).
 *
 * Before (measured on main with this mix): the report said sent 8 against the sandbox's 9 refresh
 * orders (the reconciled one missed), `/metrics` said billed 9 against the sandbox's 8 (predicted
 * from the decisions: both `no_data` refreshes counted, the reconciled one not), and there was no
 * `no_data` count; the store counted reserved attempts as billed.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { TruvGateway } from "@recert/core"
import { Store } from "@recert/store"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { renderMetrics } from "../src/http/metrics.js"
import { buildReport, type RunReport } from "../src/report/run-report.js"
import type { SeededCase } from "../src/demo/seed.js"
import { runPass } from "../src/runner/pass.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { metric } from "./support/metrics.js"
import { REPO_ROOT } from "./support/processes.js"
import { seedScenarios } from "./support/seeded-world.js"
import { iso, NOW, openWorld, settle, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"
import { nodeArgsFor } from "../../../scripts/app-entry.mjs"

const MIX: Readonly<Record<string, number>> = {
  "healthy": 3, "several-employers": 1, "gse": 1, "no-data": 2, "login-error": 1, "provider-down": 1, "rate-window": 1, "oauth-expired": 1
}
const ADMIN_MAIN = fileURLToPath(new URL("../../admin-cli/src/main.ts", import.meta.url))

/** `recert stats --json` on the world's database (the admin CLI as a process). */
const recertStats = (db: string, since: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
  execFile(process.execPath, [...nodeArgsFor(ADMIN_MAIN), "stats", "--db", db, "--since", since, "--json"],
    { cwd: REPO_ROOT, env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", NO_COLOR: "1" } },
    (error, stdout, stderr) => error === null ? resolve(JSON.parse(stdout) as Record<string, unknown>) : reject(new Error(`${error.message}\n${stderr}`)))
})


describe("the run report, /metrics, recert stats and the sandbox's billing count the same things", () => {
  let db: TestDatabase
  let world: World
  let seeded: Array<SeededCase>
  let report: RunReport
  let metrics: string
  let lost: SeededCase
  let lineageReads = 0
  const stats = new RunStats()

  beforeAll(async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 11 })
    seeded = await seedScenarios(world, MIX, NOW)
    lost = seeded.find((c) => c.caseId === "case-healthy-0003")!
    // The sandbox processes this one refresh (the order is created, its task billed) and then
    // destroys the socket: the client cannot know what happened. The reconcile job's first read
    // of the lineage then gets a 500 (the sandbox's `errorRate`), so the job runs twice.
    const faulty = <A, E>(fault: "responseLossRate" | "errorRate", call: Effect.Effect<A, E>) => Effect.acquireUseRelease(
      Effect.sync(() => world.sandbox.configureFaults({ [fault]: 1 })),
      () => call,
      () => Effect.sync(() => world.sandbox.configureFaults({ [fault]: 0 }))
    )
    const losing = Layer.effect(TruvGateway, Effect.map(Effect.service(TruvGateway), (inner) => TruvGateway.of({
      ...inner,
      refreshOrder: (r) => r.orderId !== lost.rootOrderId ? inner.refreshOrder(r) : faulty("responseLossRate", inner.refreshOrder(r)),
      getOrder: (id) => id !== lost.rootOrderId || lineageReads++ > 0 ? inner.getOrder(id) : faulty("errorRate", inner.getOrder(id))
    }))).pipe(Layer.provide(world.gateway))
    let stop = false
    const pass = world.store.run(runPass({ workerId: "w-counts", concurrency: 1, pollAfterMs: 200, shouldStop: () => stop }, stats).pipe(Effect.provide(losing)))
    const allFinal = () => seeded.every((c) => { const o = stats.outcomes.get(c.caseId); return o !== undefined && isFinalOutcome(o) })
    const settled = await settle(world, allFinal, 60_000)
    stop = true
    await pass
    if (!settled) throw new Error(`not every case final: ${JSON.stringify(Object.fromEntries(stats.outcomes))}`)
    await world.sandbox.idle()
    report = buildReport(stats, world.sandbox.clock.now())
    metrics = renderMetrics(stats)
  }, 120_000)

  afterAll(async () => {
    await world?.close()
    await db?.cleanup()
  })

  it("the lost answer happened, and the reconcile job found its refresh order in the lineage", async () => {
    expect(world.sandbox.report().responsesLost).toBeGreaterThanOrEqual(1)
    const ledger = await world.store.run(Effect.flatMap(Effect.service(Store), (s) => s.ledgerForCase(lost.caseId)))
    expect(ledger.map((a) => [a.status, a.orderId !== null, a.outcomes])).toEqual([["succeeded", true, { [lost.linkIds[0]!]: "done" }]])
    // The reconcile job ran twice (its first lineage read got a 500); the attempt is counted once.
    // (Other calls in flight during the fault windows may fail too, and are retried: at least these.)
    expect(report.jobsFailed).toBe(0)
    expect(report.apiCalls.errors["Transport"]).toBeGreaterThanOrEqual(1)
    expect(report.apiCalls.errors["ProviderUnavailable"]).toBeGreaterThanOrEqual(1)
    expect(lineageReads).toBe(2)
    expect(report.refreshes.reconciled).toBe(1)
    expect(report.cases.byOutcome).toEqual({ "refreshed": 5, "reauth-queued": 2, "retry-later": 1, "new-order-queued": 2, "waiting": 1 })
  })

  it("report.sent equals the sandbox's refresh orders, the reconciled one included: 9", () => {
    const sandbox = world.sandbox.report()
    expect([report.refreshes.sent, sandbox.refreshOrdersCreated, sandbox.refreshes.accepted]).toEqual([9, 9, 9])
  })

  it("billed, free and not billed (no_data): the report, /metrics, the store's stats, recert stats and the sandbox, exactly", async () => {
    const sandbox = world.sandbox.report().verifications
    const expected = { billed: 8, free: 1, notBilled: 2 }
    // From the scenario table, per case: what Truv bills.
    const fromTable = { billed: 0, free: 0, notBilled: 0 }
    for (const c of seeded) for (const k of ["billed", "free", "notBilled"] as const) fromTable[k] += c.scenario.expect[k]
    expect(fromTable).toEqual(expected)
    expect({ billed: sandbox.billed, free: sandbox.free, notBilled: sandbox.notBilled }).toEqual(expected)
    expect({ billed: report.refreshes.billed, free: report.refreshes.free, notBilled: report.refreshes.notBilled }).toEqual(expected)
    expect({
      billed: metric(metrics, "recert_refreshes_billed_total"), free: metric(metrics, "recert_refreshes_free_total"),
      notBilled: metric(metrics, "recert_refreshes_not_billed_total")
    }).toEqual(expected)
    expect([metric(metrics, "recert_refreshes_sent_total"), metric(metrics, "recert_refreshes_reconciled_total"), metric(metrics, "recert_refreshes_awaiting_outcome")]).toEqual([9, 1, 0])
    const account = { sent: 9, ...expected, awaitingOutcome: 0, unconfirmed: 0 }
    const store = await world.store.run(Effect.flatMap(Effect.service(Store), (s) => s.stats({ since: iso(NOW) })))
    expect(store.refreshes).toEqual(account)
    const cli = await recertStats(db.url, iso(NOW))
    expect(cli["refreshes"]).toEqual(account)
    expect({ ...report.refreshes, reconciled: undefined }).toEqual({ ...account, reconciled: undefined })
  }, 60_000)

  it("the pass is degraded, and says why: a Truv call got no answer", () => {
    expect(report.status).toBe("degraded")
    expect(report.reasons.map((r) => r.code)).toEqual(["truv.errors"])
    expect(report.due).toEqual({ total: 11, processed: 11, unloadable: 0, notReached: 0 })
  })
})
