/**
 * Renewal results end to end against the sandbox, on SQLite and on Postgres: one case per pay
 * history knob, each refreshed twice by the real run pass (webhooks and the HTTP gateway) over
 * simulated time (the sandbox's manual clock is the scheduler's clock): at NOW, the case's first
 * verification (no baseline: what core says, `review` with `baseline.none`); then the knob is set
 * from NOW + 3 days, the clock moves 100 days (so the second 90-day window lies wholly after the knob), and the second refresh is compared with the first.
 *
 * Every expected figure comes from the history the SANDBOX generated (`sandbox.payHistory(link)`,
 * the statements its link report served at each refresh), through a small reference model of the
 * summary written here (statements by pay date in the last 90 days, mean per statement x periods
 * / 12, weekly hours = hours x 7 / 90, days since the last pay date), never from our own pipeline.
 */
import { DEFAULT_RESULTS_POLICY, exceedsTolerance, type VerificationRecord } from "@recert/core"
import type { PayHistory, SeedLineageInput } from "@recert/truv-sandbox"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Scenario } from "../src/demo/scenarios.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import {
  DAY, getStore, NOW, openWorld, postgresDatabase, postgresUnavailable, settle, sqliteDatabase, type TestDatabase, type World
} from "./support/world.js"

const KNOB_AT = "2026-11-25"
/** 100 days on: the 90-day window of the second refresh lies wholly after the knobs' date. */
const SECOND = NOW + 100 * DAY
const WINDOW_DAYS = 90
const PERIODS: Record<string, number | null> = { W: 52, BW: 26, SM: 24, M: 12, irregular: null }

interface Knob {
  readonly name: string
  readonly orderType?: "income" | "employment"
  /** Set after the first refresh (`sandbox.changePay(link, change, employment)`). */
  readonly change?: { readonly change: Record<string, unknown>; readonly employment?: number }
  readonly expect: { readonly class: "renew" | "review"; readonly codes: ReadonlyArray<string> }
}

const KNOBS: ReadonlyArray<Knob> = [
  { name: "unchanged", expect: { class: "renew", codes: [] } },
  { name: "raise", change: { change: { kind: "rate", at: KNOB_AT, rate: "30.00" } }, expect: { class: "review", codes: ["income.up"] } },
  { name: "pay-cut", change: { change: { kind: "rate", at: KNOB_AT, rate: "15.00" } }, expect: { class: "review", codes: ["income.down"] } },
  { name: "fewer-hours", change: { change: { kind: "hours", at: KNOB_AT, hoursPerWeek: 20 } }, expect: { class: "review", codes: ["income.down", "hours.down"] } },
  { name: "job-ended", change: { change: { kind: "end", at: "2026-12-20" } }, expect: { class: "review", codes: ["income.down", "hours.down", "employment.ended"] } },
  {
    name: "new-employer", change: { change: { kind: "new-employer", at: "2026-11-30", employer: { name: "Beta Foods" }, payFrequency: "W", rate: "18.00", hoursPerWeek: 20 } },
    expect: { class: "review", codes: ["income.up", "employer.new"] }
  },
  { name: "no-pay", change: { change: { kind: "no-pay", at: "2027-01-10", days: 60 } }, expect: { class: "review", codes: ["hours.down", "pay.none"] } },
  // Weekly pay brings the sandbox's overtime (1 period in 4) twice as often: +12 % a month, beyond the 10 %.
  { name: "frequency", change: { change: { kind: "frequency", at: KNOB_AT, payFrequency: "W" } }, expect: { class: "review", codes: ["income.up", "pay.frequency-changed"] } },
  { name: "employment-only", orderType: "employment", expect: { class: "renew", codes: [] } }
]

const scenarioOf = (k: Knob): Scenario => ({
  name: k.name, description: k.name, count: 1, cycle: "monthly",
  seed: (now): SeedLineageInput => ({
    orderType: k.orderType ?? "income", createdAt: new Date(now - 250 * DAY).toISOString(),
    connections: [{ behaviour: "healthy", authKind: "oauth", authenticatedAt: new Date(now - 5 * DAY).toISOString() }]
  }),
  expect: { outcome: "refreshed", billed: 1, free: 0, notBilled: 0, refreshes: 1 }
})

/** The reference model: what a caseworker summary of the sandbox's history at `at` must say. */
const expected = (history: PayHistory, at: number, product: "income" | "employment") => {
  const today = Math.floor(at / DAY)
  const day = (d: string) => Math.floor(Date.parse(`${d}T00:00:00Z`) / DAY)
  const employers = history.employments.map((e) => {
    const paid = e.statements.filter((s) => day(s.payDate) <= today)
    const inWindow = paid.filter((s) => day(s.payDate) > today - WINDOW_DAYS)
    const periods = PERIODS[e.terms.payFrequency]!
    const sum = inWindow.reduce((a, s) => a + s.gross, 0)
    const ended = !e.isActive && e.endDate !== null
    const monthly = ended ? 0 : inWindow.length === 0 ? null : Math.round(Math.round((sum * periods) / inWindow.length) / 12)
    const hours = inWindow.reduce((a, s) => a + s.hours, 0) / 100
    const last = paid.at(-1)?.payDate ?? null
    return { name: e.employer.name, state: ended ? "ended" : "active", endDate: e.endDate, frequency: e.terms.payFrequency, monthly,
      weeklyHours: Math.round((hours * 7 * 100) / WINDOW_DAYS) / 100, lastPayDate: last, daysSinceLastPay: last === null ? null : today - day(last) }
  })
  if (product === "employment") return { monthly: null, weeklyHours: null, employers: employers.map((e) => ({ ...e, monthly: null, weeklyHours: null, lastPayDate: null, daysSinceLastPay: null, frequency: "unknown" })) }
  return {
    monthly: employers.reduce((a, e) => a + (e.monthly ?? 0), 0),
    weeklyHours: Math.round(employers.reduce((a, e) => a + e.weeklyHours, 0) * 100) / 100,
    employers
  }
}

/** The figures the stored verification's summary carries, in the reference model's shape. */
const figuresOf = (v: VerificationRecord) => {
  const s = v.result.summary!
  return {
    monthly: s.total.monthlyIncome.cents, weeklyHours: s.total.weeklyHours,
    employers: s.employers.map((e) => ({
      name: e.name, state: e.status.state, endDate: e.endDate, frequency: e.payFrequency, monthly: e.monthlyIncome.cents,
      weeklyHours: e.weeklyHours, lastPayDate: e.lastPayDate, daysSinceLastPay: e.daysSinceLastPay
    }))
  }
}

const DIALECTS: ReadonlyArray<readonly [string, () => TestDatabase, () => Promise<string | null>]> = [
  ["SQLite", () => sqliteDatabase(), async () => null],
  ["Postgres", () => postgresDatabase(), postgresUnavailable]
]

for (const [dialect, makeDb, unavailable] of DIALECTS) {
  describe(`renewal results end to end, every pay history knob (${dialect})`, () => {
    let db: TestDatabase
    let world: World
    let seeded: Array<SeededCase>
    const histories = new Map<string, { first: PayHistory; second: PayHistory }>()
    const verifications = new Map<string, ReadonlyArray<VerificationRecord>>()
    const stats = [new RunStats(), new RunStats()]

    const passUntilFinal = async (s: RunStats) => {
      let stop = false
      const pass = world.pass({ horizonMs: DAY, shouldStop: () => stop, stats: s })
      const ok = await settle(world, () => seeded.every((c) => { const o = s.outcomes.get(c.caseId); return o !== undefined && isFinalOutcome(o) }), 60_000)
      stop = true
      await pass
      if (!ok) throw new Error(`not every case final: ${JSON.stringify(Object.fromEntries(s.outcomes))}`)
    }

    beforeAll(async () => {
      const why = await unavailable()
      if (why !== null) {
        // CI must not pass by skipping Postgres.
        if (process.env["CI"] === "true") throw new Error(why)
        return
      }
      db = makeDb()
      world = await openWorld({ db, seed: 23 })
      seeded = await world.store.run(Effect.gen(function*() {
        return yield* seedDemo(yield* getStore, world.sandbox, { now: NOW, scenarios: KNOBS.map(scenarioOf) })
      }))
      await passUntilFinal(stats[0]!)
      const first = new Map(seeded.map((c) => [c.caseId, world.sandbox.payHistory(c.linkIds[0]!).history]))
      for (const [i, k] of KNOBS.entries()) {
        if (k.change !== undefined) world.sandbox.changePay(seeded[i]!.linkIds[0]!, k.change.change, k.change.employment ?? 0)
      }
      world.sandbox.clock.advance(SECOND - NOW)
      await passUntilFinal(stats[1]!)
      for (const c of seeded) {
        histories.set(c.caseId, { first: first.get(c.caseId)!, second: world.sandbox.payHistory(c.linkIds[0]!).history })
        verifications.set(c.caseId, await world.store.run(Effect.flatMap(getStore, (s) => s.listVerifications(c.caseId))))
      }
    }, 180_000)

    afterAll(async () => {
      await world?.close()
      await db?.cleanup()
    })

    it("every case verified twice, by refresh, at NOW and NOW + 100 days; the run counts one class per case", () => {
      if (world === undefined) return
      for (const c of seeded) {
        expect({ c: c.caseId, v: verifications.get(c.caseId)!.map((v) => [v.via, v.verifiedAt]) })
          .toEqual({ c: c.caseId, v: [["refresh", new Date(NOW).toISOString()], ["refresh", new Date(SECOND).toISOString()]] })
      }
      expect(stats[0]!.byResult()).toEqual({ renew: 0, review: KNOBS.length })
      const renew = KNOBS.filter((k) => k.expect.class === "renew").length
      expect(stats[1]!.byResult()).toEqual({ renew, review: KNOBS.length - renew })
    })

    it("first verification, no baseline: review with baseline.none, figures exactly the sandbox's history at NOW", () => {
      if (world === undefined) return
      for (const [i, k] of KNOBS.entries()) {
        const c = seeded[i]!
        const first = verifications.get(c.caseId)![0]!
        expect({ knob: k.name, class: first.result.class, codes: first.result.reasons.map((r) => r.code), baseline: first.result.baseline })
          .toEqual({ knob: k.name, class: "review", codes: ["baseline.none"], baseline: null })
        expect({ knob: k.name, ...figuresOf(first) }).toEqual({ knob: k.name, ...expected(histories.get(c.caseId)!.first, NOW, k.orderType ?? "income") })
      }
    })

    for (const [i, k] of KNOBS.entries()) {
      it(`${k.name}: ${k.expect.class}${k.expect.codes.length > 0 ? ` (${k.expect.codes.join(", ")})` : ""}, against the first verification, figures from the sandbox's history`, () => {
        if (world === undefined) return
        const c = seeded[i]!
        const [first, second] = verifications.get(c.caseId)!
        const product = k.orderType ?? "income"
        const now = expected(histories.get(c.caseId)!.second, SECOND, product)
        const before = expected(histories.get(c.caseId)!.first, NOW, product)
        // The income code the table expects is the one the sandbox's own figures call for.
        const delta = (now.monthly ?? 0) - (before.monthly ?? 0)
        const incomeCode = before.monthly === null || !exceedsTolerance(delta, before.monthly, DEFAULT_RESULTS_POLICY.income) ? [] : [delta > 0 ? "income.up" : "income.down"]
        expect(k.expect.codes.filter((code) => code.startsWith("income."))).toEqual(incomeCode)
        expect([second!.result.class, second!.result.reasons.map((r) => r.code)]).toEqual([k.expect.class, k.expect.codes])
        expect(figuresOf(second!)).toEqual(now)
        // The baseline is the first verification's figures.
        expect([second!.result.baseline?.source, second!.result.baseline?.verifiedAt, second!.result.baseline?.monthlyIncomeCents, second!.result.baseline?.weeklyHours])
          .toEqual(["snapshot", first!.verifiedAt, before.monthly, before.weeklyHours])
        const reason = (code: string) => second!.result.reasons.find((r) => r.code === code)!.data
        if (k.expect.codes.includes("income.up") || k.expect.codes.includes("income.down")) {
          const data = reason(k.expect.codes.includes("income.up") ? "income.up" : "income.down")
          expect([data["previousMonthlyCents"], data["currentMonthlyCents"], data["deltaCents"]]).toEqual([before.monthly, now.monthly, now.monthly! - before.monthly!])
        }
        if (k.expect.codes.includes("hours.down")) expect([reason("hours.down")["previousWeeklyHours"], reason("hours.down")["currentWeeklyHours"]]).toEqual([before.weeklyHours, now.weeklyHours])
        if (k.expect.codes.includes("employment.ended")) expect([reason("employment.ended")["endDate"], now.employers[0]!.endDate]).toEqual(["2026-12-20", "2026-12-20"])
        if (k.expect.codes.includes("employer.new")) expect([reason("employer.new")["employer"], reason("employer.new")["monthlyIncomeCents"]]).toEqual(["Beta Foods", now.employers[1]!.monthly])
        if (k.expect.codes.includes("pay.none")) {
          expect([reason("pay.none")["lastPayDate"], reason("pay.none")["daysSinceLastPay"]]).toEqual([now.employers[0]!.lastPayDate, now.employers[0]!.daysSinceLastPay])
          expect(now.employers[0]!.daysSinceLastPay).toBeGreaterThan(35)
        }
        if (k.expect.codes.includes("pay.frequency-changed")) expect([reason("pay.frequency-changed")["previous"], reason("pay.frequency-changed")["current"]]).toEqual(["BW", "W"])
        if (product === "employment") {
          expect([second!.snapshot.product, second!.snapshot.employers.map((e) => [e.statements, e.rate.incomeCents])]).toEqual(["employment", [[null, null]]])
        }
      })
    }
  })
}
