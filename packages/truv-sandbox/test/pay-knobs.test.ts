/**
 * The pay history knobs, each against the same history without it: what changes from the knob's
 * date (the first pay period starting on or after it, or the pay dates in a stretch) and that every
 * statement before it is identical.
 */
import { describe, expect, it } from "vitest"
import { type PayChangeInput, payHistoryAt, type PayStatement, resolvePaySpec } from "../src/index.js"

const context = { companyName: "Acme Care", firstName: "Ann", lastName: "Lee", email: null, rootCreatedAt: Date.parse("2026-11-22T10:00:00Z") }
const base = { payFrequency: "BW" as const, startDate: "2026-01-05" }
const run = (changes: Array<PayChangeInput>, asOf = "2026-06-30") =>
  payHistoryAt(resolvePaySpec({ ...base, changes }, context), 7, Date.parse(`${asOf}T12:00:00Z`))
const first = (changes: Array<PayChangeInput>, asOf?: string) => run(changes, asOf).employments[0]!
const regular = (s: PayStatement) => s.earnings.find((e) => e.category === "regular")!.amount
const before = (ss: ReadonlyArray<PayStatement>, date: string) => ss.filter((s) => s.periodStart < date)
const plain = first([])

describe("knobs", () => {
  it("a raise from a date: periods starting on or after it use the new rate, earlier ones are unchanged", () => {
    const e = first([{ kind: "rate", at: "2026-03-01", rate: "25.00" }])
    expect(before(e.statements, "2026-03-01")).toEqual(before(plain.statements, "2026-03-01"))
    expect(e.statements.map((s) => [s.periodStart, regular(s)]).slice(3, 6)).toEqual([["2026-02-16", 180_000], ["2026-03-02", 200_000], ["2026-03-16", 200_000]])
    expect(e.terms.rateCents).toBe(2500)
  })

  it("a pay cut given as an ISO instant takes its UTC date", () => {
    const e = first([{ kind: "rate", at: "2026-03-02T23:00:00Z", rate: "20.00" }])
    expect(regular(e.statements.find((s) => s.periodStart === "2026-03-02")!)).toBe(160_000)
  })

  it("fewer hours: 30 a week from a date gives 60 h per BW period and part-time status", () => {
    const e = first([{ kind: "hours", at: "2026-03-02", hoursPerWeek: 30 }])
    const s = e.statements.find((x) => x.periodStart === "2026-03-02")!
    expect(s.earnings[0]).toEqual({ name: "Regular", category: "regular", amount: 135_000, rate: 2250, units: 6000 })
    expect(e.jobType).toBe("P")
  })

  it("a job that ends: inactive from its end date, last period cut and paid on it, nothing after", () => {
    const e = first([{ kind: "end", at: "2026-03-10" }])
    expect(e).toMatchObject({ isActive: false, endDate: "2026-03-10" })
    expect(e.statements.slice(-2).map((s) => [s.periodStart, s.periodEnd, s.payDate, regular(s)])).toEqual([
      ["2026-02-16", "2026-03-01", "2026-03-06", 180_000], ["2026-03-02", "2026-03-10", "2026-03-10", 115_718] // 22.50 × 51.43 h (80 h × 9/14)
    ])
    expect(first([{ kind: "end", at: "2026-03-10" }], "2026-03-09")).toMatchObject({ isActive: true, endDate: null })
  })

  it("no pay for N days: the statements paid in [date, date + N) are gone, later ones keep their numbers and YTD restarts from what was paid", () => {
    const e = first([{ kind: "no-pay", at: "2026-03-01", days: 28 }])
    expect(e.statements.map((s) => s.payDate)).toEqual(plain.statements.map((s) => s.payDate).filter((d) => d < "2026-03-01" || d >= "2026-03-29"))
    const after = e.statements.find((s) => s.payDate === "2026-04-03")!
    expect(after.ytd.gross).toBe(e.statements.filter((s) => s.payDate <= "2026-04-03").reduce((a, s) => a + s.gross, 0))
    expect(e.isActive).toBe(true)
  })

  it("a pay frequency change: the next period after the date follows the new cadence", () => {
    const e = first([{ kind: "frequency", at: "2026-03-01", payFrequency: "SM" }], "2026-04-30")
    expect(e.statements.slice(3).map((s) => [s.periodStart, s.periodEnd, s.payDate])).toEqual([
      ["2026-02-16", "2026-03-01", "2026-03-06"], ["2026-03-02", "2026-03-15", "2026-03-13"],
      ["2026-03-16", "2026-03-31", "2026-03-31"], ["2026-04-01", "2026-04-15", "2026-04-15"], ["2026-04-16", "2026-04-30", "2026-04-30"]
    ])
    expect(e.terms.payFrequency).toBe("SM")
  })

  it("irregular pay from a date: no fixed cadence, pay 2 days after each period", () => {
    const e = first([{ kind: "irregular", at: "2026-03-02" }])
    const later = e.statements.filter((s) => s.periodStart >= "2026-03-02")
    expect(later.length).toBeGreaterThan(3)
    for (const s of later) expect(Date.parse(s.payDate) - Date.parse(s.periodEnd)).toBe(2 * 86_400_000)
    expect(e.terms.payFrequency).toBe("irregular")
  })

  it("a new employer: a second employment appears on its start date with its own terms", () => {
    const change: PayChangeInput = { kind: "new-employer", at: "2026-04-06", employer: { name: "Beta Foods" }, payFrequency: "W", rate: "18.00", hoursPerWeek: 20 }
    expect(run([change], "2026-04-05").employments).toHaveLength(1)
    const second = run([change]).employments[1]!
    expect(second).toMatchObject({ index: 1, startDate: "2026-04-06", employer: { name: "Beta Foods" }, jobType: "P", isActive: true })
    expect(second.statements[0]).toMatchObject({ periodStart: "2026-04-06", periodEnd: "2026-04-12", payDate: "2026-04-17" })
    expect(regular(second.statements[0]!)).toBe(36_000)
    expect(run([change]).employments[0]).toEqual(plain)
  })
})
