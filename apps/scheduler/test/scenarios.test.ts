/**
 * End to end, per scenario: the demo's scenario table (two cases each) seeded into a SQLite temp
 * file and the in-process sandbox (manual clock at NOW, which is also the scheduler's clock),
 * then the real run pass with the webhook receiver. For every case, exactly: where it ended (run
 * outcome and the store's trace of it: the verification and its class against the first order's, reschedule, verification link and its kind,
 * renewal at the exact instant, nothing), what the sandbox billed for its lineage, and that the
 * store's ledger and the sandbox's accepted refreshes are the same refreshes at the same instants.
 */
import { CYCLE_MONTHS, DEFAULT_POLICY_CONFIG, jitteredDelay, type Attempt, type Case } from "@recert/core"
import type { Store, VerificationQueueEntry } from "@recert/store"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedPreviousVerifications } from "../src/demo/previous-verifications.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { DAY, getStore, iso, NOW, openWorld, settle, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const PER_SCENARIO = 2
const HOUR = 3_600_000

interface CaseTrace {
  readonly before: Case
  readonly after: Case
  readonly ledger: ReadonlyArray<Attempt>
  readonly queue: ReadonlyArray<VerificationQueueEntry>
  /** The case's verifications: [via, class, reason codes], oldest first. */
  readonly verifications: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]>
}

const addMonths = (at: string, months: number): string => {
  const d = new Date(at)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.toISOString()
}

describe("every demo scenario end to end against the sandbox (SQLite)", () => {
  let db: TestDatabase
  let world: World
  let seeded: Array<SeededCase>
  const before = new Map<string, Case>()
  const traces = new Map<string, CaseTrace>()

  beforeAll(async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 11 })
    const scenarios = SCENARIOS.map((s) => ({ ...s, count: PER_SCENARIO }))
    seeded = await world.store.run(Effect.gen(function*() {
      const store = yield* getStore
      const cases = yield* seedDemo(store, world.sandbox, { now: NOW, scenarios })
      for (const c of cases) before.set(c.caseId, yield* store.getCase(c.caseId))
      // As the demo does: each refreshable case starts from its first order's verification.
      yield* seedPreviousVerifications(cases.filter((c) => c.scenario.expect.outcome === "refreshed")).pipe(Effect.provide(world.gateway))
      return cases
    }))
    let stop = false
    const pass = world.pass({ horizonMs: DAY, shouldStop: () => stop })
    const allFinal = () => seeded.every((c) => { const o = world.stats.outcomes.get(c.caseId); return o !== undefined && isFinalOutcome(o) })
    const settled = await settle(world, allFinal, 60_000)
    stop = true
    await pass
    if (!settled) throw new Error(`not every case final: ${JSON.stringify(Object.fromEntries(world.stats.outcomes))}`)
    await world.store.run(Effect.gen(function*() {
      const store: Store["Service"] = yield* getStore
      const queue = yield* store.listVerificationQueue({ includeResolved: true })
      for (const c of seeded) {
        traces.set(c.caseId, {
          before: before.get(c.caseId)!,
          after: yield* store.getCase(c.caseId),
          // The rate-window scenario's history was written by the seed, not sent in this run.
          ledger: (yield* store.ledgerForCase(c.caseId)).filter((a) => a.orderId?.startsWith("history-") !== true),
          queue: queue.filter((q) => q.caseId === c.caseId),
          verifications: (yield* store.listVerifications(c.caseId)).map((v) => [v.via, v.result.class, v.result.reasons.map((r) => r.code)] as const)
        })
      }
    }))
  }, 120_000)

  afterAll(async () => {
    await world?.close()
    await db?.cleanup()
  })

  it("seeds every scenario of the demo's table", () => {
    expect(new Set(seeded.map((c) => c.scenario.name))).toEqual(new Set(SCENARIOS.map((s) => s.name)))
    expect(seeded).toHaveLength(SCENARIOS.length * PER_SCENARIO)
  })

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.expect.outcome}, billed ${scenario.expect.billed} / free ${scenario.expect.free} / not billed ${scenario.expect.notBilled}, ${scenario.expect.refreshes} refresh(es) per case`, () => {
      const report = world.sandbox.report()
      const cases = seeded.filter((c) => c.scenario.name === scenario.name)
      expect(cases).toHaveLength(PER_SCENARIO)
      for (const c of cases) {
        const t = traces.get(c.caseId)!
        const e = scenario.expect
        // Outcome as the run reports it.
        expect({ caseId: c.caseId, outcome: world.stats.outcomes.get(c.caseId) }).toEqual({ caseId: c.caseId, outcome: e.outcome })
        // Cost from the sandbox's own account of the lineage.
        expect({ caseId: c.caseId, ...(report.verifications.byLineage[c.rootOrderId] ?? { billed: 0, free: 0, notBilled: 0 }) })
          .toEqual({ caseId: c.caseId, billed: e.billed, free: e.free, notBilled: e.notBilled })
        // The ledger and the sandbox agree: the same number of refreshes, each at NOW, per link.
        expect(t.ledger.map((a) => a.at)).toEqual(Array.from({ length: e.refreshes }, () => iso(NOW)))
        for (const link of c.linkIds) {
          expect({ link, refreshes: world.sandbox.link(link).refreshes }).toEqual({ link, refreshes: t.ledger.map((a) => a.at) })
          expect(report.refreshes.acceptedByLink[link] ?? 0).toBe(e.refreshes)
        }
        expectTrace(world, c, t)
      }
    })
  }

  it("the whole run: no limit violation, every refresh accepted once, totals as the table says", () => {
    const report = world.sandbox.report()
    const sum = (f: (s: (typeof SCENARIOS)[number]) => number) => SCENARIOS.reduce((n, s) => n + PER_SCENARIO * f(s), 0)
    expect(report.limitViolationsAttempted).toBe(0)
    expect(report.refreshes.accepted).toBe(sum((s) => s.expect.refreshes))
    expect(report.refreshes.rejectedOther).toBe(0)
    expect({ billed: report.verifications.billed, free: report.verifications.free, notBilled: report.verifications.notBilled })
      .toEqual({ billed: sum((s) => s.expect.billed), free: sum((s) => s.expect.free), notBilled: sum((s) => s.expect.notBilled) })
    // Every refresh order the sandbox created is one attempt of ours.
    const orderIds = [...traces.values()].flatMap((t) => t.ledger.map((a) => a.orderId))
    expect(new Set(orderIds).size).toBe(report.refreshOrdersCreated)
    expect(orderIds.every((id) => id !== null)).toBe(true)
    // Every webhook the sandbox produced was delivered, stored and processed.
    expect(report.webhooks.dropped).toBe(0)
    expect(world.stats.webhooksReceived - world.stats.webhooksDuplicate).toBe(report.webhooks.events)
    expect(world.stats.webhooksProcessed).toBe(report.webhooks.events)
    expect(world.stats.limitViolations).toBe(0)
    expect(world.stats.jobsFailed).toBe(0)
  })
})

/** The store's trace of the case's outcome, exactly. */
const expectTrace = (world: World, c: SeededCase, t: CaseTrace): void => {
  const e = c.scenario.expect
  // Renewals at an instant: a wait (`:at:<instant>`) or a follow-up's retry (`:retry:<attempt>`).
  const renewals = world.jobs.filter((j) => j.kind === "renew" && [`renew:${c.caseId}:at:`, `renew:${c.caseId}:retry:`].some((p) => j.key?.startsWith(p) === true))
    .map((j) => j.runAt)
  const rescheduled = { dueAt: t.after.dueAt, lastVerifiedAt: t.after.lastVerifiedAt }
  const unchanged = { dueAt: t.before.dueAt, lastVerifiedAt: t.before.lastVerifiedAt }
  const queued = t.queue.map((q) => q.kind)
  switch (e.outcome) {
    case "refreshed": {
      expect(t.ledger.map((a) => [a.status, Object.values(a.outcomes)])).toEqual([["succeeded", c.linkIds.map(() => "done")]])
      // The first order's verification (seeded), then the refresh's, classified against it.
      const result = e.result ?? { class: "renew", codes: [] }
      expect({ caseId: c.caseId, v: t.verifications }).toEqual({ caseId: c.caseId, v: [["new-order", "review", ["baseline.none"]], ["refresh", result.class, result.codes]] })
      const months = CYCLE_MONTHS[t.before.cycle]
      expect(rescheduled).toEqual({ dueAt: months === null ? t.before.dueAt : addMonths(t.before.dueAt, months), lastVerifiedAt: iso(NOW) })
      expect(queued).toEqual([])
      expect(renewals).toEqual([])
      return
    }
    case "reauth-queued":
    case "new-order-queued": {
      expect(queued).toEqual([e.outcome === "reauth-queued" ? "bridge-update" : "new-order"])
      const q = t.queue[0]!
      if (q.kind === "bridge-update") expect(q.bridgeToken).not.toBeNull()
      else expect(q.orderId).not.toBeNull()
      expect(t.ledger.map((a) => a.status)).toEqual(e.refreshes === 0 ? [] : ["failed"])
      expect(t.verifications).toEqual([])
      expect(rescheduled).toEqual(unchanged)
      expect(renewals).toEqual([])
      return
    }
    case "retry-later": {
      // Core's backoff after one `unavailable` (reported at NOW): 15 min less this link's jitter.
      expect(t.ledger.map((a) => [a.status, a.outcomes])).toEqual([["failed", { [c.linkIds[0]!]: "unavailable" }]])
      const retryAt = iso(NOW + jitteredDelay(DEFAULT_POLICY_CONFIG, c.linkIds[0]!, 1))
      expect(renewals).toEqual([retryAt])
      expect(Date.parse(retryAt) - NOW).toBeGreaterThanOrEqual(12 * 60_000)
      expect(Date.parse(retryAt) - NOW).toBeLessThanOrEqual(15 * 60_000)
      expect(queued).toEqual([])
      expect(rescheduled).toEqual(unchanged)
      return
    }
    case "waiting": {
      // History at NOW-20h, -12h, -4h: the oldest leaves the rolling 24 h at NOW+4h, plus the 120 s clock guard.
      expect(renewals).toEqual([iso(NOW + 4 * HOUR + 120_000)])
      expect(t.ledger).toEqual([])
      expect(queued).toEqual([])
      expect(rescheduled).toEqual(unchanged)
      return
    }
    case "nothing": {
      expect(renewals).toEqual([])
      expect(t.ledger).toEqual([])
      expect(queued).toEqual([])
      expect(rescheduled).toEqual(unchanged)
      return
    }
    default:
      throw new Error(`scenario ${c.scenario.name}: no trace check for outcome ${e.outcome}`)
  }
}
