/**
 * The pure pay history generator (`payHistoryAt`): each frequency's periods and pay dates with
 * the weekend and month-end rules, amounts that add up (gross = Σ earnings, net = gross −
 * Σ deductions, YTD reset each calendar year, annual summaries and W-2s), every knob's effect
 * from its date and nothing before it, and determinism for a seed.
 */
import { describe, expect, it } from "vitest"
import { type PayHistoryInput, payHistoryAt, type PayStatement, resolvePaySpec } from "../src/index.js"

const ROOT = Date.parse("2026-11-22T10:00:00Z")
const context = { companyName: "Acme Care", firstName: "Ann", lastName: "Lee", email: null, rootCreatedAt: ROOT }
const spec = (input: PayHistoryInput) => resolvePaySpec(input, context)
const at = (date: string) => Date.parse(`${date}T12:00:00Z`)
const history = (input: PayHistoryInput, asOf: string, seed = 7) => payHistoryAt(spec(input), seed, at(asOf))
const statements = (input: PayHistoryInput, asOf: string, seed = 7) => history(input, asOf, seed).employments[0]!.statements
const dates = (ss: ReadonlyArray<PayStatement>) => ss.map((s) => [s.periodStart, s.periodEnd, s.payDate])
const regular = (s: PayStatement) => s.earnings.find((e) => e.category === "regular")!.amount
const sumOf = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)

describe("pay dates", () => {
  it("W: Monday-Sunday weeks from the start date, paid the Friday after", () => {
    expect(dates(statements({ payFrequency: "W", startDate: "2026-01-05" }, "2026-01-30"))).toEqual([
      ["2026-01-05", "2026-01-11", "2026-01-16"], ["2026-01-12", "2026-01-18", "2026-01-23"], ["2026-01-19", "2026-01-25", "2026-01-30"]
    ])
  })

  it("BW: 14-day periods, paid 5 days after; a pay date on the clock's date is in, the next is not", () => {
    expect(dates(statements({ payFrequency: "BW", startDate: "2026-01-05" }, "2026-02-19"))).toEqual([
      ["2026-01-05", "2026-01-18", "2026-01-23"], ["2026-01-19", "2026-02-01", "2026-02-06"]
    ])
    expect(statements({ payFrequency: "BW", startDate: "2026-01-05" }, "2026-02-20")).toHaveLength(3)
  })

  it("BW starting on a Wednesday: the pay date (a Sunday) moves back to the Friday", () => {
    expect(dates(statements({ payFrequency: "BW", startDate: "2026-01-07" }, "2026-01-31"))).toEqual([["2026-01-07", "2026-01-20", "2026-01-23"]])
  })

  it("SM: 1st-15th paid on the 15th, 16th-last day paid on the last day; weekends move back to Friday", () => {
    expect(dates(statements({ payFrequency: "SM", startDate: "2026-01-01" }, "2026-03-31"))).toEqual([
      ["2026-01-01", "2026-01-15", "2026-01-15"], ["2026-01-16", "2026-01-31", "2026-01-30"],
      ["2026-02-01", "2026-02-15", "2026-02-13"], ["2026-02-16", "2026-02-28", "2026-02-27"],
      ["2026-03-01", "2026-03-15", "2026-03-13"], ["2026-03-16", "2026-03-31", "2026-03-31"]
    ])
  })

  it("M: the calendar month, paid on its last day or the Friday before", () => {
    expect(dates(statements({ payFrequency: "M", startDate: "2026-01-01" }, "2026-06-30")).map((d) => d[2])).toEqual(
      ["2026-01-30", "2026-02-27", "2026-03-31", "2026-04-30", "2026-05-29", "2026-06-30"]
    )
  })

  it("irregular: contiguous periods of 3 to 14 days, paid 2 days after, any weekday", () => {
    const ss = statements({ payFrequency: "irregular", startDate: "2026-01-01" }, "2026-03-31")
    expect(ss.length).toBeGreaterThan(6)
    ss.forEach((s, i) => {
      const days = (Date.parse(s.periodEnd) - Date.parse(s.periodStart)) / 86_400_000 + 1
      expect(days).toBeGreaterThanOrEqual(3)
      expect(days).toBeLessThanOrEqual(14)
      expect(Date.parse(s.payDate) - Date.parse(s.periodEnd)).toBe(2 * 86_400_000)
      if (i > 0) expect(Date.parse(s.periodStart) - Date.parse(ss[i - 1]!.periodEnd)).toBe(86_400_000)
    })
  })

  it("an SM start mid-period is paid pro rata by calendar days", () => {
    const [first, second] = statements({ payFrequency: "SM", startDate: "2026-01-06", incomeUnit: "YEARLY", rate: "52000.00" }, "2026-01-31")
    expect(first).toMatchObject({ periodStart: "2026-01-06", periodEnd: "2026-01-15", payDate: "2026-01-15", hours: 5778 })
    expect(regular(first!)).toBe(144445) // 52000 / 24 = 2166.67, × 10/15 = 1444.4467 -> 1444.45
    expect(regular(second!)).toBe(216667)
  })
})

describe("amounts add up", () => {
  const ss = statements({ payFrequency: "BW", startDate: "2025-01-06" }, "2026-03-31")

  it("gross = Σ earnings, net = gross − Σ deductions, hourly regular = rate × hours", () => {
    for (const s of ss) {
      expect(s.gross).toBe(sumOf(s.earnings.map((e) => e.amount)))
      expect(s.net).toBe(s.gross - sumOf(s.deductions.map((d) => d.amount)))
      expect(regular(s)).toBe(180_000) // 22.50 × 80 h
    }
  })

  it("YTD is the running sum within the pay date's calendar year and resets on January's first statement", () => {
    for (const [i, s] of ss.entries()) {
      const sameYear = ss.slice(0, i + 1).filter((o) => o.payDate.slice(0, 4) === s.payDate.slice(0, 4))
      expect(s.ytd.gross).toBe(sumOf(sameYear.map((o) => o.gross)))
      expect(s.ytd.net).toBe(sumOf(sameYear.map((o) => o.net)))
      expect(sumOf(s.ytd.deductions.map((d) => d.amount))).toBe(s.ytd.gross - s.ytd.net)
    }
    const firstOf2026 = ss.find((s) => s.payDate.startsWith("2026"))!
    expect(firstOf2026.payDate).toBe("2026-01-09")
    expect(firstOf2026.ytd.gross).toBe(firstOf2026.gross)
  })

  it("annual summaries and W-2s are the sums of the year's statements; the 2025 W-2 appears on 2026-01-31", () => {
    const e = history({ payFrequency: "BW", startDate: "2025-01-06" }, "2026-03-31").employments[0]!
    const of2025 = ss.filter((s) => s.payDate.startsWith("2025"))
    expect(e.annualSummaries.map((a) => a.year)).toEqual([2026, 2025])
    expect(e.annualSummaries[1]).toMatchObject({ gross: sumOf(of2025.map((s) => s.gross)), net: sumOf(of2025.map((s) => s.net)) })
    expect(e.w2s).toEqual([{
      year: 2025, wages: sumOf(of2025.map((s) => s.federalWages)), socialSecurityWages: sumOf(of2025.map((s) => s.ficaWages)),
      medicareWages: sumOf(of2025.map((s) => s.ficaWages)), federalTax: sumOf(of2025.map((s) => s.deductions[0]!.amount)),
      socialSecurityTax: sumOf(of2025.map((s) => s.deductions[2]!.amount)), medicareTax: sumOf(of2025.map((s) => s.deductions[3]!.amount))
    }])
    expect(history({ payFrequency: "BW", startDate: "2025-01-06" }, "2026-01-30").employments[0]!.w2s).toEqual([])
  })
})

describe("determinism", () => {
  it("the same spec, seed and instant give the same history; another seed another one", () => {
    expect(history({}, "2026-11-22")).toEqual(history({}, "2026-11-22"))
    expect(history({}, "2026-11-22", 8).employments[0]!.statements.map((s) => s.gross)).not.toEqual(statements({}, "2026-11-22").map((s) => s.gross))
  })

  it("a later instant only appends statements", () => {
    const early = statements({ payFrequency: "irregular" }, "2026-06-01")
    expect(statements({ payFrequency: "irregular" }, "2026-11-22").slice(0, early.length)).toEqual(early)
  })

  it("the default: one BW hourly employment at 22.50 for 40 h, started the Monday on or before the root order minus 730 days", () => {
    const e = history({}, "2026-11-22").employments[0]!
    expect(e).toMatchObject({ startDate: "2024-11-18", isActive: true, endDate: null, jobType: "F", jobTitle: "Associate",
      terms: { payFrequency: "BW", incomeUnit: "HOURLY", rateCents: 2250, hoursPerWeek: 4000 }, employer: { name: "Acme Care", state: "OR" } })
    expect(e.statements.at(-1)!.payDate).toBe("2026-11-20")
  })
})
