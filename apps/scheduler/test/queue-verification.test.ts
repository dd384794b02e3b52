/**
 * Issue 5, "without wasting": a case still waiting for its user is renewed again by later passes
 * (the renew job's key moves to `since:<attempt>` after the refresh, and to a new date every day),
 * and each renewal decides reauthenticate / new-order again. An open verification request is not
 * asked again: one Bridge token and one new order at Truv however many passes run, until the
 * Bridge token is past its 6 h validity; then one new token, and the old request resolved as
 * expired (issue 16: its lifecycle; the new token replaces it).
 *
 * Against the in-process sandbox (manual clock, which is also the scheduler's), SQLite, the real
 * run pass with the webhook receiver. The world starts at 20:00 UTC so that the pass 7 hours
 * later falls on the next day: a new date in the renew job key, as the daily `run` would see it.
 */
import type { Store } from "@recert/store"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { DAY, getStore, iso, openWorld, settle, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const HOUR = 3_600_000
const T0 = Date.parse("2026-11-22T20:00:00.000Z")
const NAMES = ["login-error", "no-data"] as const

interface Trace {
  /** [case, kind, connections, Bridge token or new order id, created, resolved, resolution], oldest first, then by case. */
  readonly queue: ReadonlyArray<readonly [string, string, ReadonlyArray<string>, string | null, string, string | null, string | null]>
  readonly truv: { readonly bridgeTokens: number; readonly newOrders: number; readonly refreshes: number }
}

describe("an open verification request is not asked again (sandbox, SQLite)", () => {
  let db: TestDatabase
  let world: World
  let byName: Record<(typeof NAMES)[number], SeededCase>
  /** What each pass reported (outcome per case) and the trace after it. */
  const passes: Array<{ readonly outcomes: Record<string, string>; readonly links: RunStats["verifications"]; readonly trace: Trace }> = []

  const trace = async (): Promise<Trace> => {
    const queue = await world.store.run(Effect.gen(function*() {
      const store: Store["Service"] = yield* getStore
      return (yield* store.listVerificationQueue({ includeResolved: true }))
        .map((q) => [q.caseId, q.kind, q.connectionIds, q.kind === "bridge-update" ? q.bridgeToken : q.orderId, q.createdAt, q.resolvedAt, q.resolution] as const)
        // Oldest first; the two follow-ups of the first pass ran at the same instant in either order.
        .sort((a, b) => a[4].localeCompare(b[4]) || a[0].localeCompare(b[0]))
    }))
    const report = world.sandbox.report()
    return { queue, truv: { bridgeTokens: report.bridgeTokensIssued, newOrders: report.ordersCreated, refreshes: report.refreshes.accepted } }
  }

  /** One pass at the sandbox clock's now, until both cases have a final outcome. */
  const pass = async () => {
    const stats = new RunStats()
    let stop = false
    const running = world.pass({ horizonMs: DAY, stats, shouldStop: () => stop })
    const allFinal = () => NAMES.every((n) => { const o = stats.outcomes.get(byName[n].caseId); return o !== undefined && isFinalOutcome(o) })
    const settled = await settle(world, allFinal, 60_000)
    stop = true
    await running
    if (!settled) throw new Error(`not every case final: ${JSON.stringify(Object.fromEntries(stats.outcomes))}`)
    passes.push({ outcomes: Object.fromEntries(stats.outcomes), links: { ...stats.verifications }, trace: await trace() })
  }

  beforeAll(async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 5, start: T0 })
    const scenarios = NAMES.map((name) => ({ ...SCENARIOS.find((s) => s.name === name)!, count: 1 }))
    const seeded = await world.store.run(Effect.gen(function*() {
      return yield* seedDemo(yield* getStore, world.sandbox, { now: T0, scenarios })
    }))
    byName = Object.fromEntries(seeded.map((c) => [c.scenario.name, c])) as typeof byName
    passes.push({ outcomes: {}, links: { "bridge-update": 0, "new-order": 0 }, trace: await trace() })
    await pass() // T0: the refreshes fail (login_error, no_data); their follow-ups queue one link each
    world.sandbox.clock.advance(HOUR)
    await pass() // T0 + 1 h (`serve`): renewed again under a new key, the decision asks again
    world.sandbox.clock.advance(6 * HOUR)
    await pass() // T0 + 7 h, the next day (`run`): the Bridge token is 7 h old
  }, 180_000)

  afterAll(async () => {
    await world?.close()
    await db?.cleanup()
  })

  it("two passes 1 hour apart: one Bridge token and one new order, at Truv and in the queue", () => {
    const [seed, first, second] = passes
    const login = byName["login-error"]
    const noData = byName["no-data"]
    const outcomes = { [login.caseId]: "reauth-queued", [noData.caseId]: "new-order-queued" }
    expect(first!.outcomes).toEqual(outcomes)
    expect(second!.outcomes).toEqual(outcomes)
    // The first pass's follow-ups queued one link each; the second pass queued nothing.
    expect(first!.links).toEqual({ "bridge-update": 1, "new-order": 1 })
    expect(second!.links).toEqual({ "bridge-update": 0, "new-order": 0 })
    // By case id: case-login-error-0001, case-no-data-0001.
    expect(second!.trace.queue).toEqual([
      [login.caseId, "bridge-update", login.linkIds, expect.any(String), iso(T0), null, null],
      [noData.caseId, "new-order", noData.linkIds, expect.any(String), iso(T0), null, null]
    ])
    // The sandbox's own account: what Truv was asked, from the seed on (before the fix: 2 and 2 here, 3 and 3 after the third pass).
    expect(seed!.trace.truv).toEqual({ bridgeTokens: 0, newOrders: 0, refreshes: 0 })
    expect(second!.trace.truv).toEqual({ bridgeTokens: 1, newOrders: 1, refreshes: 2 })
    expect(second!.trace).toEqual(first!.trace)
  })

  it("7 hours after the token: a second Bridge token, the first request expired, one open request; still one new order", () => {
    const [, first, , third] = passes
    const login = byName["login-error"]
    const noData = byName["no-data"]
    expect(third!.outcomes).toEqual({ [login.caseId]: "reauth-queued", [noData.caseId]: "new-order-queued" })
    expect(third!.links).toEqual({ "bridge-update": 1, "new-order": 0 })
    const [firstToken, firstOrder] = first!.trace.queue
    const open = third!.trace.queue.filter((q) => q[5] === null)
    expect(third!.trace.queue).toEqual([
      // Past its 6 h, the token expired (issue 16's lifecycle) and this ask is its replacement.
      [login.caseId, "bridge-update", login.linkIds, firstToken![3], iso(T0), iso(T0 + 7 * HOUR), "expired"],
      firstOrder!,
      [login.caseId, "bridge-update", login.linkIds, expect.any(String), iso(T0 + 7 * HOUR), null, null]
    ])
    expect(open.map((q) => [q[0], q[1]])).toEqual([[noData.caseId, "new-order"], [login.caseId, "bridge-update"]])
    expect(open[1]![3]).not.toBe(firstToken![3])
    expect(third!.trace.truv).toEqual({ bridgeTokens: 2, newOrders: 1, refreshes: 2 })
  })
})
