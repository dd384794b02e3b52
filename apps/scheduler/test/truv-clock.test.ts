/**
 * Issue 15: "a worker an hour off turned 10 expired OAuth connections into 10 billed failures".
 * The production layers (`liveLayer`) over the sandbox, whose manual clock is Truv's at NOW, with
 * the worker's own clock an hour behind: 10 OAuth connections authenticated 180 days and 10
 * minutes before NOW are expired at Truv, and 50 minutes short of it on the worker's clock (far
 * outside the 120 s guard: only reading Truv's clock can save them). With the clock corrected (the
 * default) the worker decides on Truv's time and sends none; with `truv.correctClock` off it sends
 * all ten, and the sandbox bills ten failures, as in the issue.
 *
 * Also here: the scheduler's settings for the clock and the skew metric.
 */
import { randomBytes } from "node:crypto"
import { TruvGateway } from "@recert/core"
import { generateEncryptionKey, openDatabase, type Store } from "@recert/store"
import { budgetKey } from "@recert/truv-adapter"
import { TruvSandbox } from "@recert/truv-sandbox"
import { Clock, Effect, Exit, Fiber, Layer, Redacted, Scope } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import type { Scenario } from "../src/demo/scenarios.js"
import { renderMetrics } from "../src/http/metrics.js"
import { runPass } from "../src/runner/pass.js"
import { RunStats } from "../src/runner/run-stats.js"
import { resolveConfig } from "../src/runtime/config.js"
import { liveLayer, policyOf, readTruvClock } from "../src/runtime/live-layers.js"
import { clockFrom, DAY, getStore, NOW, sleepMs, sqliteDatabase, type TestDatabase } from "./support/world.js"

const HOUR = 3_600_000
/** What `liveLayer` provides. */
type LiveServices = Layer.Success<ReturnType<typeof liveLayer>>
const MINUTE = 60_000

const expiredTenMinutesAgo: Scenario = {
  name: "oauth-expired-at-truv", description: "OAuth authenticated 180 days and 10 minutes before Truv's now", count: 10,
  seed: (now) => ({
    orderType: "income", createdAt: new Date(now - 250 * DAY).toISOString(),
    connections: [{ behaviour: "healthy", authKind: "oauth", authenticatedAt: new Date(now - 180 * DAY - 10 * MINUTE).toISOString() }]
  }),
  expect: { outcome: "reauth-queued", billed: 0, free: 0, notBilled: 0, refreshes: 0 }
}

let cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

/** The sandbox at NOW, and the production layers of a worker whose clock is `offsetMs` from it. */
const worker = async (env: Readonly<Record<string, string>>, offsetMs: number) => {
  const secret = `sandbox-${randomBytes(12).toString("hex")}`
  const sandbox = await TruvSandbox.start({ secret, seed: 3, clock: { mode: "manual", start: NOW }, faults: { rateLimitPerMinute: 1_000_000, completionDelayMs: 5, webhookDelayMs: 5 } })
  const db: TestDatabase = sqliteDatabase()
  cleanups.push(() => sandbox.close(), () => db.cleanup())
  const key = generateEncryptionKey()
  const config = await Effect.runPromise(resolveConfig({
    env: { DATABASE_URL: db.url, RECERT_ENCRYPTION_KEY: Redacted.value(key), TRUV_BASE_URL: sandbox.url, TRUV_CLIENT_ID: sandbox.clientId, TRUV_SECRET: secret, ...env },
    flags: { "database.create": { flag: "--create", value: true } }
  }))
  const own = clockFrom(() => sandbox.clock.now() + offsetMs)
  const scope = Scope.makeUnsafe()
  cleanups.push(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  // Built on the worker's own clock, as `run` and `serve` build it on the machine's.
  const context = await Effect.runPromise(Layer.buildWithScope(liveLayer(config, { key, source: "test" }), scope).pipe(Effect.provideService(Clock.Clock, own)))
  /** Runs in the layers' context: their Clock when they provide one (Truv's time), else the worker's own. */
  const run = <A, E>(effect: Effect.Effect<A, E, LiveServices>) =>
    Effect.runPromise(effect.pipe(Effect.provideContext(context), Effect.provideService(Clock.Clock, own)))
  return { sandbox, run, db, secret, config }
}

/**
 * Seeds the ten cases, runs one pass until each case has an outcome (a refresh sent is enough:
 * with no webhook receiver and Truv's clock standing still, its follow-up would wait), and
 * returns what happened, with the sandbox's account of it.
 */
const renewAll = async (w: Awaited<ReturnType<typeof worker>>) => {
  const seeded: Array<SeededCase> = await w.run(Effect.flatMap(getStore, (store: Store["Service"]) => seedDemo(store, w.sandbox, { now: NOW, scenarios: [expiredTenMinutesAgo] })))
  // As `run` does before its pass.
  await w.run(readTruvClock(w.config))
  const stats = new RunStats()
  let stop = false
  const pass = w.run(runPass({ workerId: "w-skewed", concurrency: 8, pollAfterMs: 200, shouldStop: () => stop }, stats))
  const deadline = Date.now() + 60_000
  const allDecided = () => seeded.every((c) => stats.outcomes.has(c.caseId))
  while (!allDecided() && Date.now() < deadline) await sleepMs(20)
  stop = true
  await pass
  await w.sandbox.idle()
  const decidedAt = await w.run(Effect.gen(function*() {
    const store = yield* getStore
    return (yield* store.decisionsForCase(seeded[0]!.caseId, 1))[0]?.at
  }))
  const report = w.sandbox.report()
  return {
    outcomes: seeded.map((c) => stats.outcomes.get(c.caseId)),
    refreshesAccepted: Object.values(report.refreshes.acceptedByLink).reduce((n, k) => n + k, 0),
    billed: seeded.reduce((n, c) => n + (report.verifications.byLineage[c.rootOrderId]?.billed ?? 0), 0),
    /** How each link's last task at the sandbox ended. */
    linkStatuses: [...new Set(seeded.flatMap((c) => c.linkIds.map((l) => w.sandbox.link(l).lastStatus)))],
    decidedAt: decidedAt === undefined ? null : Date.parse(decidedAt)
  }
}

describe("a worker whose clock is an hour behind Truv's", () => {
  it("decides on Truv's clock (read from its Date header): 0 refreshes to the 10 connections expired at Truv", async () => {
    const r = await renewAll(await worker({}, -HOUR))
    expect({ ...r, decidedAt: null }).toEqual({
      outcomes: Array.from({ length: 10 }, () => "new-order-queued"), refreshesAccepted: 0, billed: 0, linkStatuses: ["done"], decidedAt: null
    })
    // The decision's instant is Truv's (the Date header's second, ± half of it), not the worker's hour-old one.
    expect(Math.abs(r.decidedAt! - NOW)).toBeLessThanOrEqual(1_000)
  }, 90_000)

  it("with the correction off (issue 15 as reported): 10 refreshes sent, 10 billed failures", async () => {
    const r = await renewAll(await worker({ TRUV_CORRECT_CLOCK: "false" }, -HOUR))
    expect(r).toEqual({ outcomes: Array.from({ length: 10 }, () => "in-flight"), refreshesAccepted: 10, billed: 10, linkStatuses: ["login_error"], decidedAt: NOW - HOUR })
  }, 90_000)
})

describe("the Truv budget the workers share", () => {
  it("takes its permits from the database, under a hash of the secret, in the worker's name", async () => {
    const w = await worker({ RECERT_WORKER_ID: "worker-7", TRUV_MAX_REQUESTS_PER_MINUTE: "3" }, 0)
    const root = w.sandbox.seedLineage({ orderType: "income", connections: [{ behaviour: "healthy", authKind: "oauth" }] }).orderId
    await w.run(readTruvClock(w.config))
    const fibers = await w.run(Effect.gen(function*() {
      const truv = yield* TruvGateway
      return yield* Effect.forEach([1, 2, 3, 4], () => Effect.forkDetach(truv.getOrder(root)))
    }))
    await sleepMs(500)
    // Three in the window: the clock probe before the first pass and two of the four; the other two wait for
    // the window to move (Truv's clock stands still here).
    expect(w.sandbox.report().calls).toEqual({ "GET /v1/webhooks/": 1, "GET /v1/orders/{id}/": 2 })
    const { db } = openDatabase(w.db.url, { readOnly: true })
    cleanups.push(() => db.destroy())
    const rows = await db.selectFrom("truv_budget_grants").select(["key", "permits", "holder"]).execute()
    expect(rows.reduce((n, r) => n + r.permits, 0)).toBe(3)
    expect(new Set(rows.map((r) => [r.key, r.holder].join(" ")))).toEqual(new Set([`${budgetKey(Redacted.make(w.secret))} worker-7`]))
    expect(JSON.stringify(await db.selectFrom("truv_budgets").selectAll().execute())).not.toContain(w.secret)
    await w.run(Effect.forEach(fibers, Fiber.interrupt))
  }, 30_000)
})

describe("the scheduler's clock settings", () => {
  const env = { TRUV_CLIENT_ID: "id", TRUV_SECRET: "sandbox-x" }
  const load = (extra: Record<string, string>) => Effect.runPromise(Effect.result(resolveConfig({ env: { ...env, ...extra } })))

  it("clock guard 120 s, correction on, warning beyond 60 s by default; each from its variable", async () => {
    const defaults = await load({})
    expect(defaults._tag === "Success" && [defaults.success.clockGuard, defaults.success.truv.correctClock, defaults.success.truv.clockSkewWarning]).toEqual([120_000, true, 60_000])
    const set = await load({ RECERT_CLOCK_GUARD: "5m", TRUV_CORRECT_CLOCK: "false", TRUV_CLOCK_SKEW_WARNING: "10s" })
    expect(set._tag === "Success" && [set.success.clockGuard, set.success.truv.correctClock, set.success.truv.clockSkewWarning]).toEqual([300_000, false, 10_000])
    expect(set._tag === "Success" && policyOf(set.success).clockGuardSeconds).toBe(300)
  })

  it("a bad value is named with its variable", async () => {
    const bad = await load({ TRUV_CORRECT_CLOCK: "maybe", RECERT_CLOCK_GUARD: "2d" })
    expect(bad._tag === "Failure" && bad.failure.problems).toEqual([
      "RECERT_CLOCK_GUARD: must be at most 1d; got \"2d\"",
      "TRUV_CORRECT_CLOCK: expected true or false; got \"maybe\""
    ])
  })

  it("/metrics shows Truv's clock against ours once known", () => {
    expect(renderMetrics(new RunStats(), undefined, 3_600_500)).toContain("# TYPE recert_truv_clock_skew_seconds gauge\nrecert_truv_clock_skew_seconds 3600.5\n")
    expect(renderMetrics(new RunStats())).not.toContain("recert_truv_clock_skew_seconds")
  })
})
