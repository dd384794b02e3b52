/**
 * The change classification, one table per code with exact figures: the tolerance exactly met
 * and one cent past it (absolute and percent), employment ended, a re-hire (not ended), a new
 * employer, a missing one, no pay in N days at and past the bound, pay frequency changed, hours
 * down, an employment-only lineage, the useful-report check and a first verification.
 */
import { describe, expect, it } from "vitest"
import { type Baseline, type BaselineInput, Baseline as BaselineSchema, classifyChange, assessVerification, checkUsable, ResultsPolicy, type ResultsPolicyInput } from "@recert/core"
import { employer, ended, every, NOW, paid, snapshot, stmt } from "./builders.js"

/** Bi-weekly $1,000.00 checks: 2,600,000 a year, 216,667 a month. */
const current = (cents = 100_000, patch = {}) => snapshot([employer("Acme", paid(every("2026-11-20", 14, 7), cents, { hours: 80 }), patch)])
const base = (input: Partial<BaselineInput> = {}): Baseline => BaselineSchema.parse({
  source: "import", verifiedAt: "2025-11-20T00:00:00Z", monthlyIncomeCents: 216_667, weeklyHours: 40,
  employers: [{ name: "Acme", payFrequency: "BW" }], ...input
})
const classify = (s = current(), b: Baseline | null = base(), policy: ResultsPolicyInput = {}) =>
  classifyChange(s, b, { now: NOW, policy: ResultsPolicy.parse(policy) })
const codes = (r: ReturnType<typeof classify>) => r.reasons.map((x) => x.code)

describe("income tolerance (current monthly income 216,667 cents)", () => {
  it.each<[string, ResultsPolicyInput["income"], number, Array<string>]>([
    ["$50 a month: exactly $50 more before is unchanged", { monthlyCents: 5000, percent: null }, 211_667, []],
    ["$50 a month: one cent past is income.up", { monthlyCents: 5000, percent: null }, 211_666, ["income.up"]],
    ["$50 a month: one cent past downward is income.down", { monthlyCents: 5000, percent: null }, 221_668, ["income.down"]],
    ["10 %: +19,697 on 196,970 is exactly 10 %, unchanged", { monthlyCents: null, percent: 10 }, 196_970, []],
    ["10 %: +19,698 on 196,969 is past 10 %, income.up", { monthlyCents: null, percent: 10 }, 196_969, ["income.up"]],
    ["both thresholds: over $100 but under 10 % is unchanged", {}, 206_667, []],
    ["both thresholds: over both is a change", {}, 190_000, ["income.up"]],
    ["no thresholds: any cent is a change", { monthlyCents: null, percent: null }, 216_666, ["income.up"]],
    ["no thresholds: equal is unchanged", { monthlyCents: null, percent: null }, 216_667, []]
  ])("%s", (_, income, previous, expected) => {
    expect(codes(classify(current(), base({ monthlyIncomeCents: previous }), { income }))).toEqual(expected)
  })

  it("exactly at the percent tolerance and one cent past it", () => {
    const at = current(101_503)   // 101,503 x26 / 12 = 219,922.83, rounded to 219,923 = 1.1 x 199,930
    expect(classify(at, base()).summary!.total.monthlyIncome.cents).toBe(219_923)
    expect(codes(classify(at, base({ monthlyIncomeCents: 199_930 }), { income: { monthlyCents: null, percent: 10 } }))).toEqual([])
    expect(codes(classify(at, base({ monthlyIncomeCents: 199_929 }), { income: { monthlyCents: null, percent: 10 } }))).toEqual(["income.up"])
    // both thresholds at once: $199.93 and 10 % of 199,930 are both exactly met at +19,993
    expect(codes(classify(at, base({ monthlyIncomeCents: 199_930 }), { income: { monthlyCents: 19_993, percent: 10 } }))).toEqual([])
    expect(codes(classify(at, base({ monthlyIncomeCents: 199_929 }), { income: { monthlyCents: 19_993, percent: 10 } }))).toEqual(["income.up"])
  })

  it("the reason carries the sentence and the numbers", () => {
    const r = classify(current(80_000), base(), {})
    expect(r.class).toBe("review")
    expect(r.reasons[0]).toEqual({
      code: "income.down",
      message: "Monthly income went down from $2,166.67 to $1,733.33 (-$433.34, -20 %); the tolerance is $100.00 a month and 10 %",
      data: { previousMonthlyCents: 216_667, currentMonthlyCents: 173_333, deltaCents: -43_334, percent: -20, toleranceMonthlyCents: 10_000, tolerancePercent: 10 }
    })
  })
})

describe("employment and pay", () => {
  it("unchanged: renew with no reasons", () => {
    expect(classify()).toMatchObject({ class: "renew", reasons: [], notes: [], problems: [] })
  })

  it("employment ended: employment.ended and income.down (an ended job brings in 0)", () => {
    const r = classify(current(100_000, ended("2026-11-20")))
    expect(codes(r)).toEqual(["income.down", "employment.ended"])
    expect(r.reasons[1]!.message).toBe("Employment at Acme ended on 2026-11-20 (reported by the payroll provider)")
  })

  it("already ended in the baseline: not ended again", () => {
    const s = snapshot([employer("Acme", paid(["2025-10-31"], 100_000), ended("2025-10-31")), employer("Beta", paid(every("2026-11-20", 14, 7), 100_000))])
    expect(codes(classify(s, base({ employers: [{ name: "Acme", state: "ended" }, { name: "Beta", payFrequency: "BW" }] })))).toEqual([])
  })

  it("a re-hire at the same employer is neither ended nor new", () => {
    const s = snapshot([
      employer("Acme", paid(["2026-08-28"], 100_000), { startDate: "2021-08-16", ...ended("2026-08-29") }),
      employer("Acme Inc", paid(every("2026-11-20", 14, 6), 100_000), { startDate: "2026-09-01" })
    ])
    expect(codes(classify(s))).toEqual([])
  })

  it("a new employer: employer.new (and the income it adds)", () => {
    const s = snapshot([...current().employers, employer("Beta Foods", paid(["2026-11-15"], 50_000), { payFrequency: "M", startDate: "2026-10-01" })])
    const r = classify(s)
    expect(codes(r)).toEqual(["income.up", "employer.new"])
    expect(r.reasons[1]).toEqual({ code: "employer.new", message: "New employer since 2025-11-20: Beta Foods, started 2026-10-01", data: { employer: "Beta Foods", startDate: "2026-10-01", monthlyIncomeCents: 50_000 } })
  })

  it("an employer of the baseline missing from the report", () => {
    expect(codes(classify(current(), base({ employers: [{ name: "Acme", payFrequency: "BW" }, { name: "Gone Co", monthlyIncomeCents: 0 }] })))).toEqual(["employer.missing"])
  })

  it.each([["35 days: still paid within N", "2026-10-18", []], ["36 days: pay.none", "2026-10-17", ["pay.none"]]])("no pay in N days, %s", (_, last, expected) => {
    const s = snapshot([employer("Acme", paid(every(last, 14, 5), 100_000, { hours: 80 }))])
    expect(codes(classify(s, base({ weeklyHours: null })))).toEqual(expected)
  })

  it("pay frequency changed BW -> SM", () => {
    const s = snapshot([employer("Acme", paid(["2026-09-30", "2026-10-15", "2026-10-31", "2026-11-15"], 108_333), { payFrequency: "SM" })])
    const r = classify(s, base({ weeklyHours: null }))
    expect(codes(r)).toEqual(["pay.frequency-changed"])
    expect(r.reasons[0]!.message).toBe("Acme now pays semi-monthly (was bi-weekly)")
  })

  it.each([[36, []], [35.99, ["hours.down"]]])("hours: 40 a week before, %s now (10 %% tolerance): %j", (hoursPerWeek, expected) => {
    // 7 bi-weekly statements in 90 days; weekly = hours x 7 x 7 / 90
    const s = current(100_000, { statements: paid(every("2026-11-20", 14, 7), 100_000, { hours: (hoursPerWeek * 90) / 49 }) })
    expect(codes(classify(s, base()))).toEqual(expected)
  })
})

describe("employment-only lineage", () => {
  const voe = (patch = {}) => snapshot([employer("Acme", null, { payFrequency: "unknown", ...patch })], { product: "employment" })
  it("active and known: renew (no income checks)", () => {
    expect(classify(voe(), base({ product: "employment", monthlyIncomeCents: null, weeklyHours: null }))).toMatchObject({ class: "renew", reasons: [] })
  })
  it("ended: employment.ended", () => {
    expect(codes(classify(voe(ended("2026-11-01"))))).toEqual(["employment.ended"])
  })
  it("an unknown status is not usable", () => {
    expect(checkUsable(voe({ status: { state: "unknown", confidence: "none", why: "x" } }))).toEqual({
      usable: false, problems: [{ code: "status.unknown", path: null, message: "no employment has a known status (neither active nor clearly ended)" }]
    })
  })
})

describe("report not usable", () => {
  it.each([
    ["an empty report", snapshot([]), "The report is not usable, because it lists no employment"],
    ["no statements", snapshot([employer("Acme", [])]), "The report is not usable, because no pay statement has a pay date and a positive gross, and no employment has clearly ended"],
    ["zero gross and no pay date", snapshot([employer("Acme", [stmt("2026-11-20", 0), stmt(null, 5000)])]), "The report is not usable, because no pay statement has a pay date and a positive gross, and no employment has clearly ended"],
    ["no employer name", snapshot([employer(null, paid(["2026-11-20"], 100_000))]), "The report is not usable, because no employment names its employer"],
    ["a malformed amount", snapshot([employer("Acme", paid(["2026-11-20"], 100_000))], { issues: [{ path: "employers[0].employments[0].statements[0].gross_pay", problem: "malformed-amount", severity: "blocking", message: "is not a decimal amount" }] }),
      "The report is not usable, because employers[0].employments[0].statements[0].gross_pay is not a decimal amount"]
  ])("%s: review with report.not-usable and no summary", (_, s, message) => {
    const r = classify(s)
    expect(r).toMatchObject({ class: "review", summary: null })
    expect(r.reasons.map((x) => [x.code, x.message])).toEqual([["report.not-usable", message]])
  })

  it("no statements but clearly ended: usable", () => {
    expect(checkUsable(snapshot([employer("Acme", [], ended("2026-10-01"))]))).toEqual({ usable: true })
  })
})

describe("first verification", () => {
  it("baseline.none makes it review by default", () => {
    const r = classify(current(), null)
    expect(r.class).toBe("review")
    expect(r.reasons).toEqual([{ code: "baseline.none", message: "First verification of this case: there is no previous verification to compare with, so a caseworker reviews it", data: { withoutBaseline: "review" } }])
  })
  it("withoutBaseline: renew puts it in the notes", () => {
    const r = classify(current(), null, { withoutBaseline: "renew" })
    expect([r.class, r.reasons, r.notes.map((n) => n.code)]).toEqual(["renew", [], ["baseline.none"]])
  })
  it("assessVerification: the previous snapshot is summarised at its own fetch instant; an imported baseline otherwise", () => {
    const previous = snapshot(current().employers, { source: { provider: "truv", orderId: "ord-1", fetchedAt: "2026-08-22T10:00:00.000Z", report: "order" } })
    const prevStatements = paid(every("2026-08-21", 14, 7), 100_000, { hours: 80 })
    const r = assessVerification(current(95_000), { now: NOW, previous: { ...previous, employers: [employer("Acme", prevStatements)] } })
    expect(r.baseline).toMatchObject({ source: "snapshot", verifiedAt: "2026-08-22T10:00:00.000Z", monthlyIncomeCents: 216_667 })
    expect(r.summary!.total.monthlyIncome.cents).toBe(205_833)
    expect(codes(r)).toEqual([])
    expect(assessVerification(current(), { now: NOW, importedBaseline: base() }).baseline).toMatchObject({ source: "import" })
  })
})
