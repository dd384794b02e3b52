/**
 * Issue 16, a client who never acts, end to end over simulated days (the sandbox's manual clock,
 * which is also the scheduler's; SQLite; the real pass): the no-data case's refresh fails, its
 * follow-up asks one new order (Truv sends the link); then the request sweep runs every simulated
 * hour, twice at once (two workers), for three weeks. Truv's reminders are recorded on their
 * schedule (48, 24 and 4 weekday hours before expiry), each link expires after 72 weekday hours and
 * is replaced at once, twice (the default), and the third expiry escalates the case: final, one
 * `case.escalated`, and nothing asks the client again, neither the sweep nor a later pass.
 */
import { RenewalStore, type RequestLifecycle } from "@recert/core"
import type { Store } from "@recert/store"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { type SweepCounts, sweepRequests } from "../src/workflow/request-sweep.js"
import { getStore, openWorld, settle, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const HOUR = 3_600_000
/** Monday 2026-11-23 09:00 UTC. */
const T0 = Date.parse("2026-11-23T09:00:00.000Z")

describe("a client who never acts: reminders, expiry, two replacements, then escalation; nothing loops (sandbox, SQLite)", () => {
  let db: TestDatabase
  let world: World
  let kase: SeededCase
  const sweeps: Array<SweepCounts> = []
  let requests: ReadonlyArray<RequestLifecycle> = []
  let events: ReadonlyArray<string> = []
  let ordersAfterSweeps = 0
  let ordersAfterPass = 0

  const pass = async () => {
    const stats = new RunStats()
    let stop = false
    const running = world.pass({ horizonMs: 86_400_000, stats, shouldStop: () => stop })
    const done = () => { const o = stats.outcomes.get(kase.caseId); return o !== undefined && isFinalOutcome(o) }
    const settled = await settle(world, done, 60_000)
    stop = true
    await running
    if (!settled) throw new Error(`case not final: ${JSON.stringify(Object.fromEntries(stats.outcomes))}`)
  }

  beforeAll(async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 16, start: T0, reach: "truv-sends" })
    const scenarios = [{ ...SCENARIOS.find((s) => s.name === "no-data")!, count: 1 }]
    kase = (await world.store.run(Effect.gen(function*() {
      return yield* seedDemo(yield* getStore, world.sandbox, { now: T0, scenarios })
    })))[0]!
    await pass() // T0: the refresh ends no_data; the follow-up asks a new order
    const sweep = sweepRequests().pipe(Effect.provide(world.gateway))
    for (let h = 1; h <= 21 * 24; h++) {
      world.sandbox.clock.advance(HOUR)
      const [a, b] = await world.store.run(Effect.all([sweep, sweep], { concurrency: 2 }))
      for (const c of [a, b]) if (Object.values(c).some((n) => n > 0)) sweeps.push(c)
    }
    ordersAfterSweeps = world.sandbox.report().ordersCreated
    await pass() // three weeks on: the case is still due, and escalated: nothing is asked
    ordersAfterPass = world.sandbox.report().ordersCreated
    requests = await world.store.run(Effect.flatMap(RenewalStore, (s) => s.caseRequests(kase.caseId)))
    events = await world.store.run(Effect.map(Effect.flatMap(getStore, (s: Store["Service"]) => s.listEvents({ caseId: kase.caseId, limit: 100 })), (es) => es.map((e) => e.type).reverse()))
  }, 600_000)

  afterAll(async () => {
    await world?.close()
    await db?.cleanup()
  })

  it("three links (the first and two replacements), each reminded three times by Truv, the last escalated", () => {
    expect(requests.map((r) => [r.kind, r.state, r.reminders, r.createdAt, r.expiresAt])).toEqual([
      ["new-order", "expired", 3, "2026-11-23T09:00:00.000Z", "2026-11-26T09:00:00.000Z"],
      ["new-order", "expired", 3, "2026-11-26T09:00:00.000Z", "2026-12-01T09:00:00.000Z"],
      ["new-order", "escalated", 3, "2026-12-01T09:00:00.000Z", "2026-12-04T09:00:00.000Z"]
    ])
    expect(requests.flatMap((r) => r.transitions.map((t) => `${t.at} #${r.id - requests[0]!.id + 1} ${t.to}: ${t.reason}`))).toEqual([
      "2026-11-23T09:00:00.000Z #1 created: intent stored before asking Truv",
      "2026-11-23T09:00:00.000Z #1 sent: Truv created the order",
      "2026-11-24T09:00:00.000Z #1 reminded: Truv's reminder 1 (Truv's own schedule; no message from Recert)",
      "2026-11-25T09:00:00.000Z #1 reminded: Truv's reminder 2 (Truv's own schedule; no message from Recert)",
      "2026-11-26T05:00:00.000Z #1 reminded: Truv's reminder 3 (Truv's own schedule; no message from Recert)",
      "2026-11-26T09:00:00.000Z #1 expired: expired unanswered; replaced (replacement 1 of at most 2 this cycle)",
      "2026-11-26T09:00:00.000Z #2 created: intent stored before asking Truv",
      "2026-11-26T09:00:00.000Z #2 sent: Truv created the order",
      "2026-11-27T09:00:00.000Z #2 reminded: Truv's reminder 1 (Truv's own schedule; no message from Recert)",
      "2026-11-30T09:00:00.000Z #2 reminded: Truv's reminder 2 (Truv's own schedule; no message from Recert)",
      "2026-12-01T05:00:00.000Z #2 reminded: Truv's reminder 3 (Truv's own schedule; no message from Recert)",
      "2026-12-01T09:00:00.000Z #2 expired: expired unanswered; replaced (replacement 2 of at most 2 this cycle)",
      "2026-12-01T09:00:00.000Z #3 created: intent stored before asking Truv",
      "2026-12-01T09:00:00.000Z #3 sent: Truv created the order",
      "2026-12-02T09:00:00.000Z #3 reminded: Truv's reminder 1 (Truv's own schedule; no message from Recert)",
      "2026-12-03T09:00:00.000Z #3 reminded: Truv's reminder 2 (Truv's own schedule; no message from Recert)",
      "2026-12-04T05:00:00.000Z #3 reminded: Truv's reminder 3 (Truv's own schedule; no message from Recert)",
      "2026-12-04T09:00:00.000Z #3 escalated: expired unanswered; 3 links this cycle, 2 replacements allowed: escalated to a caseworker"
    ])
  })

  it("exactly three orders at Truv, none after the escalation (two workers sweeping every hour, then a pass)", () => {
    expect(ordersAfterSweeps).toBe(3)
    expect(ordersAfterPass).toBe(3)
  })

  it("the sweeps did each step once between them: 9 reminders recorded, 2 expiries replaced, 1 escalation", () => {
    const total = sweeps.reduce((a, c) => ({
      truvReminders: a.truvReminders + c.truvReminders, reminderEvents: a.reminderEvents + c.reminderEvents, expired: a.expired + c.expired,
      replaced: a.replaced + c.replaced, escalated: a.escalated + c.escalated, replaceFailed: a.replaceFailed + c.replaceFailed
    }))
    expect(total).toEqual({ truvReminders: 9, reminderEvents: 0, expired: 2, replaced: 2, escalated: 1, replaceFailed: 0 })
  })

  it("the outbox tells the agency each step, in order: three links, two expiries, one escalation; no reminder events (Truv sends them)", () => {
    expect(events).toEqual([
      "case.client-action-needed", "verification.expired", "case.client-action-needed", "verification.expired", "case.client-action-needed", "case.escalated"
    ])
  })
})
