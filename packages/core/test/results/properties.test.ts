/**
 * Properties of the summary and the classification on random snapshots (fast-check): monthly
 * totals add up to the statements' gross in the window; a snapshot compared with itself is
 * `renew` with no reasons; every amount scaled beyond the tolerance is a change in the right
 * direction (and never the opposite one).
 */
import fc from "fast-check"
import { strict as assert } from "node:assert"
import { describe, it } from "vitest"
import { baselineOf, classifyChange, type IncomeSnapshot, type PayFrequency, type ProgramWindow, resolveWindow, summarise } from "@recert/core"
import { employer, NOW, snapshot, stmt } from "./builders.js"

const DAY = 86_400_000
const dateAt = (offsetDays: number) => new Date(NOW + offsetDays * DAY).toISOString().slice(0, 10)
const windowArb: fc.Arbitrary<ProgramWindow> = fc.oneof(
  fc.integer({ min: 1, max: 120 }).map((days) => ({ kind: "last-days" as const, days })),
  fc.integer({ min: 1, max: 4 }).map((months) => ({ kind: "full-months" as const, months }))
)

describe("monthly totals", () => {
  it("add up to the gross of the statements paid inside the window", () => {
    const statements = fc.array(fc.tuple(fc.integer({ min: -150, max: 5 }), fc.integer({ min: 0, max: 10_000_000 })), { maxLength: 40 })
    fc.assert(fc.property(fc.array(statements, { minLength: 1, maxLength: 3 }), windowArb, (employers, window) => {
      const s = snapshot(employers.map((list, i) => employer(`Employer ${i}`, list.map(([d, g]) => stmt(dateAt(d), g)))))
      const w = resolveWindow(window, NOW)
      const inside = employers.flat().filter(([d]) => dateAt(d) >= w.from && dateAt(d) <= w.to)
      const sum = summarise(s, window, NOW)
      assert.equal(sum.total.monthly.reduce((a, m) => a + m.grossCents, 0), inside.reduce((a, [, g]) => a + g, 0))
      assert.equal(sum.total.monthly.reduce((a, m) => a + m.statements, 0), inside.length)
      assert.equal(sum.total.grossCents, inside.reduce((a, [, g]) => a + g, 0))
    }), { numRuns: 500 })
  })
})

const STEP: Record<string, number> = { W: 7, BW: 14, SM: 15, M: 30 }
/** A usable snapshot: 1-3 employers paid regularly up to 0-30 days ago, $1,000-$5,000 a pay, with hours. */
const healthy: fc.Arbitrary<IncomeSnapshot> = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom("Acme", "Beta Foods", "Cedar Care", "Delta Transit"),
    freq: fc.constantFrom<PayFrequency>("W", "BW", "SM", "M"),
    lastAgo: fc.integer({ min: 0, max: 30 }),
    gross: fc.array(fc.integer({ min: 100_000, max: 500_000 }), { minLength: 8, maxLength: 14 }),
    hours: fc.integer({ min: 10, max: 90 })
  }), { minLength: 1, maxLength: 3, selector: (e) => e.name }
).map((list) => snapshot(list.map((e) => employer(e.name, e.gross.map((g, i) => stmt(dateAt(-e.lastAgo - i * STEP[e.freq]!), g, { hours: e.hours })), { payFrequency: e.freq }))))

const scaled = (s: IncomeSnapshot, factor: number): IncomeSnapshot => ({
  ...s, employers: s.employers.map((e) => ({ ...e, statements: (e.statements ?? []).map((st) => ({ ...st, grossCents: Math.round(st.grossCents! * factor) })) }))
})

describe("classification", () => {
  it("a snapshot compared with itself is renew with no reasons", () => {
    fc.assert(fc.property(healthy, windowArb, (s, window) => {
      const r = classifyChange(s, baselineOf(s, window), { now: NOW, policy: { ...policyWith(window) } })
      assert.deepEqual([r.class, r.reasons], ["renew", []])
    }), { numRuns: 300 })
  })

  it("every amount scaled beyond the tolerance is income.up or income.down, never the other", () => {
    const factor = fc.oneof(fc.double({ min: 1.25, max: 4, noNaN: true }), fc.double({ min: 0.05, max: 0.8, noNaN: true }))
    fc.assert(fc.property(healthy, factor, (s, f) => {
      const window = { kind: "last-days" as const, days: 90 }
      const r = classifyChange(scaled(s, f), baselineOf(s, window), { now: NOW, policy: policyWith(window) })
      const codes = r.reasons.map((x) => x.code)
      assert.deepEqual(codes, [f > 1 ? "income.up" : "income.down"])
      assert.equal(r.class, "review")
    }), { numRuns: 300 })
  })
})

function policyWith(window: ProgramWindow) {
  return { window, income: { monthlyCents: 10_000, percent: 10 }, hoursDownPercent: 10, noPayDays: 35, withoutBaseline: "review" as const }
}
