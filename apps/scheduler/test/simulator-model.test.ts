/**
 * The check that the simulator's model is the product: a small caseload of `recert simulate`
 * (30 cases, one month, seed 11; no outages, no MFA-at-every-login, clients who never answer, so
 * every count is decided by the login lifetimes and the rules; the default lender share, so three
 * GSE cases in the pre-closing mode, one of them closing on the first day) is seeded into
 * the Truv sandbox (each connection's hidden lifetime as its `validityDays`) and the store, and
 * the real scheduler runs one pass a night at 02:00 against the sandbox's manual clock. The
 * sandbox's and the store's counts equal the simulator's for "Recert, no learning/timing": the
 * refreshes Truv accepted, the ones that succeeded and failed, and the cases sent a link. With the
 * lender cases it failed before a passed note date stopped the renewals (41 refreshes, 35 of them
 * of the case closing on day 0, refreshed every night, against the model's 10). Client answers,
 * provider outages and "Recert as configured" are checked beside it:
 * `simulator-model-clients.test.ts`.
 */
import { DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, simulate, simulationCaseload } from "@recert/core"
import type { Store } from "@recert/store"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { toStoreLineage } from "../src/demo/scenarios.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { DAY, getStore, iso, openWorld, settle, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const params = { ...DEFAULT_SIMULATION, cases: 30, months: 1, seed: 11, mfaEveryLogin: 0, outageDaysPerYear: 0, answerRate: 0 }
const START = Date.parse(params.start)
const LEAD_DAYS = DEFAULT_POLICY_CONFIG.leadTimeDays

describe("the simulator's model is the product (30 cases, one month)", () => {
  let db: TestDatabase
  let world: World
  // Cases sent a link: the model's replacements of the links that expired are checked beside it (`simulator-model-clients.test.ts`).
  const linked = new Set<string>()
  const model = simulate(params, { configured: DEFAULT_POLICY_CONFIG, basic: DEFAULT_POLICY_CONFIG }, ["recert-basic"], (a) => void (a.kind === "link" && linked.add(a.caseId)))
  let real: { refreshes: number; succeeded: number; failed: number; casesLinked: number }

  beforeAll(async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 3, start: START })
    await world.store.run(Effect.gen(function*() {
      const store: Store["Service"] = yield* getStore
      for (const c of simulationCaseload(params)) {
        const l = world.sandbox.seedLineage({
          orderType: c.orderType, gse: c.gse, createdAt: c.rootCreatedAt,
          connections: [{ provider: c.provider, authKind: c.authKind, authenticatedAt: c.authenticatedAt, behaviour: "healthy",
            validityDays: Math.max(0.001, (c.loginEndsAt - Date.parse(c.authenticatedAt)) / DAY) }]
        })
        yield* store.insertBulk([{
          lineage: toStoreLineage(l),
          accessTokens: Object.fromEntries(l.connections.map((x) => [x.linkId, Redacted.make(x.accessToken)])),
          cases: [{ id: c.id, dueAt: c.dueAt, cycle: c.cycle, rootOrderId: l.orderId, product: c.product, closingDate: c.closingDate }]
        }])
      }
    }))
    for (let d = 0; d < model.days; d++) {
      world.sandbox.clock.advance(START + d * DAY + 2 * 3_600_000 - world.sandbox.clock.now())
      const now = world.sandbox.clock.now()
      const due = await world.store.run(Effect.flatMap(getStore, (s) => s.countDue(iso(now + LEAD_DAYS * DAY))))
      if (due === 0) continue
      const stats = new RunStats()
      let stop = false
      const running = world.pass({ stats, shouldStop: () => stop })
      const settled = await settle(world, () => stats.outcomes.size >= due && [...stats.outcomes.values()].every(isFinalOutcome), 60_000)
      stop = true
      await running
      if (!settled) throw new Error(`day ${d}: not every due case final: ${JSON.stringify(Object.fromEntries(stats.outcomes))}`)
    }
    real = await world.store.run(Effect.gen(function*() {
      const store: Store["Service"] = yield* getStore
      const s = yield* store.stats({ since: iso(START - DAY) })
      const queue = yield* store.listVerificationQueue({ includeResolved: true })
      return {
        refreshes: world.sandbox.report().refreshes.accepted,
        succeeded: s.attemptsByStatus["succeeded"] ?? 0,
        failed: s.attemptsByStatus["failed"] ?? 0,
        casesLinked: new Set(queue.map((q) => q.caseId)).size
      }
    }))
  }, 600_000)

  afterAll(async () => {
    await world?.close()
    await db?.cleanup()
  })

  it("the same counts: refreshes, successes, failures, cases sent a link", () => {
    const m = model.strategies[0]!
    const expected = { refreshes: m.refreshes, succeeded: m.refreshes - m.billedRefreshesFailed, failed: m.billedRefreshesFailed, casesLinked: linked.size }
    expect(real).toEqual(expected)
    // Not a vacuous month: the caseload refreshes, fails and asks.
    expect(expected.succeeded).toBeGreaterThan(0)
    expect(expected.failed).toBeGreaterThan(0)
    expect(expected.casesLinked).toBeGreaterThan(expected.failed)
  })
})
