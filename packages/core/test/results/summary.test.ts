/**
 * The caseworker summary, table-driven with exact figures: window boundaries (first and last day,
 * after now), partial months, each pay frequency's annualisation (the W/BW/SM/M trap), an hourly
 * rate, irregular pay, a re-hire, a second employer, an employment-only lineage, no statements.
 */
import { describe, expect, it } from "vitest"
import { type PayFrequency, PERIODS_PER_YEAR, resolveWindow, summarise } from "@recert/core"
import { employer, ended, every, NOW, paid, snapshot, stmt } from "./builders.js"

const days = (n: number) => ({ kind: "last-days" as const, days: n })
const months = (n: number) => ({ kind: "full-months" as const, months: n })

describe("resolveWindow (UTC calendar, both ends included)", () => {
  it.each([
    [days(30), NOW, "2026-10-24", "2026-11-22", 30],
    [days(90), NOW, "2026-08-25", "2026-11-22", 90],
    [days(1), Date.parse("2026-11-22T23:59:59.999Z"), "2026-11-22", "2026-11-22", 1],
    [months(3), NOW, "2026-08-01", "2026-10-31", 92],
    [months(1), Date.parse("2026-03-01T00:00:00Z"), "2026-02-01", "2026-02-28", 28],
    [months(2), Date.parse("2026-01-15T12:00:00Z"), "2025-11-01", "2025-12-31", 61]
  ])("%j at %d: %s to %s", (spec, now, from, to, n) => {
    expect(resolveWindow(spec, now)).toMatchObject({ from, to, days: n })
  })
})

describe("window boundaries", () => {
  const s = snapshot([employer("Acme", [stmt("2026-10-23", 1000), stmt("2026-10-24", 2000), stmt("2026-11-22", 4000), stmt("2026-11-23", 8000)])])
  it("a statement on the first and on the last day counts; the day before and a pay after now do not", () => {
    const e = summarise(s, days(30), NOW).employers[0]!
    expect([e.statementsInWindow, e.grossCents, e.lastPayDate, e.daysSinceLastPay]).toEqual([2, 6000, "2026-11-22", 0])
  })
  it("monthly totals: both months partial in a 30-day window", () => {
    expect(summarise(s, days(30), NOW).total.monthly).toEqual([
      { month: "2026-10", from: "2026-10-24", to: "2026-10-31", partial: true, grossCents: 2000, statements: 1 },
      { month: "2026-11", from: "2026-11-01", to: "2026-11-22", partial: true, grossCents: 4000, statements: 1 }
    ])
  })
  it("full months: the month in progress is left out, whole months are not partial", () => {
    const m = summarise(s, months(2), NOW).total.monthly
    expect(m).toEqual([
      { month: "2026-09", from: "2026-09-01", to: "2026-09-30", partial: false, grossCents: 0, statements: 0 },
      { month: "2026-10", from: "2026-10-01", to: "2026-10-31", partial: false, grossCents: 3000, statements: 2 }
    ])
  })
})

describe("annualising each pay frequency (90 days to 2026-11-22)", () => {
  const sm = ["2026-08-31", "2026-09-15", "2026-09-30", "2026-10-15", "2026-10-31", "2026-11-15"]
  const m = ["2026-08-31", "2026-09-30", "2026-10-31"]
  it.each<[PayFrequency, Array<string>, number, number, number, string, number]>([
    ["W", every("2026-11-20", 7, 14), 50_000, 13, 2_600_000, "mean of 13 W statement(s) x52", 650_000],
    ["BW", every("2026-11-20", 14, 8), 100_000, 7, 2_600_000, "mean of 7 BW statement(s) x26", 700_000],
    ["SM", sm, 108_333, 6, 2_599_992, "mean of 6 SM statement(s) x24", 649_998],
    ["M", m, 216_667, 3, 2_600_004, "mean of 3 M statement(s) x12", 650_001]
  ])("%s", (freq, dates, cents, n, annual, method, windowGross) => {
    const s = snapshot([employer("Acme", paid(dates, cents), { payFrequency: freq, rate: { incomeCents: null, incomeUnit: null, payRateCents: cents } })])
    const e = summarise(s, days(90), NOW).employers[0]!
    expect(e.statementsInWindow).toBe(n)
    expect(e.grossCents).toBe(windowGross)
    expect(e.annualisedFromStatements).toEqual({ cents: annual, basis: "statements-per-pay", multiplier: PERIODS_PER_YEAR[freq], method })
    expect(e.annualisedFromRate).toMatchObject({ cents: annual, basis: "pay-rate" })
    expect(e.monthlyIncome).toEqual({ cents: Math.round(annual / 12), method: "annualised from statements / 12" })
  })

  it("bi-weekly: a month with three checks does not inflate the annual figure", () => {
    const s = snapshot([employer("Acme", paid(every("2026-10-30", 14, 3), 100_000))])
    const e = summarise(s, months(1), NOW).employers[0]!
    expect([e.statementsInWindow, e.grossCents, e.annualisedFromStatements.cents]).toEqual([3, 300_000, 2_600_000])
  })

  it("irregular pay: the window's gross x365/days, rounded half up", () => {
    const s = snapshot([employer("Gig", [stmt("2026-09-02", 30_000), stmt("2026-10-11", 45_000), stmt("2026-11-19", 12_345)], { payFrequency: "irregular" })])
    expect(summarise(s, days(90), NOW).employers[0]!.annualisedFromStatements).toEqual({
      cents: 354_233, basis: "statements-window", multiplier: 4.0556, method: "irregular pay: the window's gross x365/90 days"
    })
  })
})

describe("annualising from the rate", () => {
  const hourly = { incomeCents: 1950, incomeUnit: "HOURLY" as const, payRateCents: null }
  it.each([
    ["hourly x mean hours x26", hourly, [74.5, 80], { cents: 3_916_575, basis: "income-hourly", multiplier: 2008.5, method: "hourly rate x 77.25 mean hours per statement x26" }],
    ["hourly without hours", hourly, [null, null], { cents: null, basis: "none", multiplier: null, method: "an hourly rate needs hours, and no statement in the window reports them" }],
    ["yearly", { incomeCents: 4_200_000, incomeUnit: "YEARLY" as const, payRateCents: null }, [null], { cents: 4_200_000, basis: "income-unit", multiplier: 1, method: "yearly rate x1" }],
    ["monthly", { incomeCents: 350_000, incomeUnit: "MONTHLY" as const, payRateCents: null }, [null], { cents: 4_200_000, basis: "income-unit", multiplier: 12, method: "monthly rate x12" }],
    ["daily", { incomeCents: 20_000, incomeUnit: "DAILY" as const, payRateCents: null }, [null], { cents: null, basis: "none", multiplier: null, method: "a daily rate cannot be annualised without the days worked" }],
    ["none", { incomeCents: null, incomeUnit: null, payRateCents: null }, [null], { cents: null, basis: "none", multiplier: null, method: "the report states no rate" }]
  ])("%s", (_, rate, hours, expected) => {
    const s = snapshot([employer("Acme", hours.map((h, i) => stmt(`2026-11-0${i + 1}`, 150_000, { hours: h })), { rate })])
    expect(summarise(s, days(30), NOW).employers[0]!.annualisedFromRate).toEqual(expected)
  })
})

describe("employers", () => {
  it("hours: mean per statement and per week over the window", () => {
    const s = snapshot([employer("Acme", [stmt("2026-11-06", 150_000, { hours: 74.5 }), stmt("2026-11-20", 150_000, { hours: 80 }), stmt("2026-10-23", 150_000)])])
    expect(summarise(s, days(30), NOW).employers[0]).toMatchObject({ averageHoursPerStatement: 77.25, weeklyHours: 36.05 })
  })

  it("a re-hire is one employer: statements of both periods, the latest period's status", () => {
    const s = snapshot([
      employer("Riverside Health", [stmt("2026-09-04", 90_000)], { startDate: "2021-08-16", ...ended("2026-09-05") }),
      employer("RIVERSIDE HEALTH, Inc.", [stmt("2026-11-13", 110_000)], { startDate: "2026-10-26" })
    ])
    const sum = summarise(s, days(90), NOW)
    expect(sum.employers).toHaveLength(1)
    expect(sum.employers[0]).toMatchObject({ key: "name:riverside health", name: "RIVERSIDE HEALTH, Inc.", periods: 2, statementsInWindow: 2, grossCents: 200_000, startDate: "2026-10-26", endDate: null, status: { state: "active" } })
    expect(sum.employers[0]!.monthlyIncome.cents).toBe(216_667)
  })

  it("a second employer: per employer and in total", () => {
    const s = snapshot([
      employer("Acme", paid(every("2026-11-20", 14, 2), 100_000)),
      employer("Beta Foods", paid(["2026-10-31"], 50_000), { payFrequency: "M" })
    ])
    const t = summarise(s, days(30), NOW).total
    expect(t).toMatchObject({ statementsInWindow: 3, grossCents: 250_000, daysSinceLastPay: 2, lastPayDate: "2026-11-20" })
    expect(t.annualisedFromStatements).toEqual({ cents: 3_200_000, basis: "sum", multiplier: null, method: "sum over employers" })
    expect(t.monthlyIncome).toEqual({ cents: 266_667, method: "sum over employers" })
    expect(t.monthly.map((m) => [m.month, m.grossCents])).toEqual([["2026-10", 50_000], ["2026-11", 200_000]])
  })

  it("an ended employment counts 0 toward current monthly income", () => {
    const s = snapshot([employer("Acme", paid(every("2026-10-30", 14, 3), 100_000), ended("2026-10-31"))])
    const e = summarise(s, days(90), NOW).employers[0]!
    expect([e.annualisedFromStatements.cents, e.monthlyIncome]).toEqual([2_600_000, { cents: 0, method: "employment ended" }])
  })

  it("an employment-only lineage: no statements, no income figures", () => {
    const s = snapshot([employer("Acme", null, { payFrequency: "unknown" })], { product: "employment" })
    const sum = summarise(s, days(90), NOW)
    expect(sum.employers[0]).toMatchObject({ statementsInWindow: 0, grossCents: 0, lastPayDate: null, daysSinceLastPay: null, weeklyHours: null, monthlyIncome: { cents: null } })
    expect(sum.total.annualisedFromStatements).toEqual({ cents: null, basis: "none", multiplier: null, method: "sum over employers" })
  })

  it("a report with no statements: zero totals, months listed, nothing annualised", () => {
    const sum = summarise(snapshot([employer("Acme", [])]), months(1), NOW)
    expect(sum.total).toMatchObject({ statementsInWindow: 0, grossCents: 0, daysSinceLastPay: null, monthly: [{ month: "2026-10", grossCents: 0, partial: false }] })
    expect(sum.employers[0]!.annualisedFromStatements).toEqual({ cents: null, basis: "none", multiplier: null, method: "no statement paid in the window" })
  })
})
