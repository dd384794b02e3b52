/**
 * Mapping Truv's report payloads (hand-written fixtures in Truv's documented shape, under
 * test/fixtures/reports/) onto core's snapshot, and what bad reports give: issues naming the
 * field, a typed error for the wrong order or a broken container, core's "not usable" result
 * for an empty `employments[]` or a malformed amount. Never a throw, never a silently wrong income.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { assessVerification, checkUsable } from "@recert/core"
import { mapLinkReport, mapOrderReport, mapUserReport, type ReportMapping } from "@recert/truv-adapter"

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/reports/${name}.json`, import.meta.url), "utf8"))
const fetchedAt = "2026-11-23T16:05:00.000Z"
const NOW = Date.parse(fetchedAt)
const ok = (m: ReportMapping) => {
  if (!m.ok) throw new Error(`expected a snapshot, got ${m.error.message}`)
  return m.snapshot
}

describe("the link income report (truv-reports-notes §2.5)", () => {
  const s = ok(mapLinkReport(fixture("link-income-report"), { orderId: "ord-2", fetchedAt, product: "income" }))
  it("maps the employer, status, dates, frequency and rate", () => {
    expect(s.source).toEqual({ provider: "truv", orderId: "ord-2", fetchedAt, report: "link-income-report" })
    expect(s.issues).toEqual([])
    const { statements, ...e } = s.employers[0]!
    expect(e).toEqual({
      employmentId: "e9a1c3d5f7b94d2e8c6a4b2d0f1e3a55", name: "Riverside Health Services", ein: "93-1234567", jobTitle: "Certified Nursing Assistant",
      status: { state: "active", confidence: "confirmed", why: "active (reported by the payroll provider)" },
      startDate: "2023-03-06", originalHireDate: "2021-08-16", endDate: null, payFrequency: "BW", payFrequencyCode: null,
      rate: { incomeCents: 1950, incomeUnit: "HOURLY", payRateCents: 147_713 }
    })
    expect(statements!.map((x) => [x.payDate, x.periodStart, x.grossCents, x.netCents, x.hours])).toEqual([
      ["2026-11-20", "2026-11-02", 147_713, 120_451, 74.5], ["2026-11-06", "2026-10-19", 140_400, 115_020, 72], ["2026-10-23", "2026-10-05", 143_325, 117_002, 73.5]
    ])
    expect(statements![0]!.buckets).toEqual({ regularCents: 140_400, overtimeCents: 7313, bonusCents: 0, commissionCents: 0, otherPayCents: 0 })
    expect(statements![0]!.earnings[1]).toEqual({ name: "Overtime", category: "overtime", amountCents: 7313, rateCents: 2925, units: 2.5 })
    expect(statements![0]!.deductions[0]).toEqual({ name: "Federal Income Tax", category: "federal", amountCents: 9840 })
  })
  it("summarises to exact figures (first verification: review, baseline.none)", () => {
    const r = assessVerification(s, { now: NOW, policy: { window: { kind: "last-days", days: 30 }, income: { monthlyCents: 10_000, percent: 10 }, hoursDownPercent: 10, noPayDays: 35, withoutBaseline: "review" } })
    expect(r.reasons.map((x) => x.code)).toEqual(["baseline.none"])
    // the window is 2026-10-25 to 2026-11-23: the check of 2026-10-23 is outside it
    expect(r.summary!.total).toMatchObject({ statementsInWindow: 2, grossCents: 288_113, daysSinceLastPay: 3, lastPayDate: "2026-11-20" })
    // mean of 2 BW checks x26 = 288,113 x 26 / 2 = 3,745,469; the pay rate x26 = 3,840,538
    expect([r.summary!.total.annualisedFromStatements.cents, r.summary!.total.annualisedFromRate.cents]).toEqual([3_745_469, 3_840_538])
  })
  it("a link report that is not done is an error on status", () => {
    const m = mapLinkReport({ ...(fixture("link-income-report") as object), status: "parse" }, { orderId: "ord-2", fetchedAt, product: "income" })
    expect(m.ok ? null : [m.error._tag, m.error.reason, m.error.path]).toEqual(["ReportPayloadError", "invalid-shape", "status"])
  })
})

describe("the order read", () => {
  const options = { orderId: "ord0000000000000000000000000002", fetchedAt }
  it("takes the completed suborders' employments, keeps unknown fields out of the way, a re-hire stays two periods", () => {
    const s = ok(mapOrderReport(fixture("order-income"), options))
    expect([s.product, s.source.report, s.employers.length, s.issues]).toEqual(["income", "order", 2, []])
    expect(s.employers.map((e) => [e.status.state, e.startDate, e.endDate])).toEqual([["ended", "2021-08-16", "2022-12-30"], ["active", "2023-03-06", null]])
    expect(s.employers[1]!.statements![1]!.payDate).toBe("2026-11-06")   // from "2026-11-06T00:00:00Z"
    const r = assessVerification(s, { now: NOW })
    expect(r.summary!.employers.map((e) => [e.name, e.periods, e.status.state])).toEqual([["Riverside Health Services", 2, "active"]])
  })
  it("a payload from another order is an order-mismatch error naming id", () => {
    const m = mapOrderReport(fixture("order-income"), { ...options, orderId: "ord-other" })
    expect(m.ok ? null : { tag: m.error._tag, reason: m.error.reason, path: m.error.path }).toEqual({ tag: "ReportPayloadError", reason: "order-mismatch", path: "id" })
  })
  it.each([
    ["not an object", "nonsense", "(root)"],
    ["employers not an array", { id: "o", employers: "x" }, "employers"],
    ["employments not an array", { id: "o", employers: [{ status: "completed", employments: {} }] }, "employers[0].employments"],
    ["a statement not an object", { id: "o", employers: [{ status: "completed", employments: [{ statements: [1] }] }] }, "employers[0].employments[0].statements[0]"]
  ])("%s: invalid-shape naming %s", (_, payload, path) => {
    const m = mapOrderReport(payload, { orderId: "o", fetchedAt })
    expect(m.ok ? null : [m.error.reason, m.error.path]).toEqual(["invalid-shape", path])
  })
  it("an employment-only (VOE) order: income fields null, status from is_active + end_date (derived, lower confidence)", () => {
    const s = ok(mapOrderReport(fixture("order-employment-only"), { orderId: "ord0000000000000000000000000003", fetchedAt }))
    const e = s.employers[0]!
    expect([s.product, e.statements, e.rate, e.payFrequency, e.endDate]).toEqual(["employment", null, { incomeCents: null, incomeUnit: null, payRateCents: null }, "unknown", "2026-10-31"])
    expect(e.status).toEqual({ state: "ended", confidence: "derived", why: "not active, ended 2026-10-31 (derived by the data vendor, not reported by the payroll provider)" })
    const r = assessVerification(s, { now: NOW })
    expect([r.class, r.reasons.map((x) => x.code), r.notes.map((x) => x.code)]).toEqual(["review", ["baseline.none", "employment.ended"], ["status.uncertain"]])
  })
})

describe("bad reports", () => {
  const s = ok(mapLinkReport(fixture("link-income-report-bad"), { orderId: "ord-2", fetchedAt, product: "income" }))
  it("every odd field is an issue naming it; unknown codes kept, not fatal", () => {
    expect(s.issues.map((i) => [i.path, i.problem, i.severity])).toEqual([
      ["employments[0].income_unit", "unknown-code", "note"],
      ["employments[0].is_active", "wrong-type", "note"],
      ["employments[0].pay_frequency", "unknown-code", "note"],
      ["employments[0].statements[0].gross_pay", "malformed-amount", "blocking"],
      ["employments[0].statements[1].pay_date", "malformed-date", "blocking"],
      ["employments[0].statements[2].earnings[0].rate", "rounded-amount", "note"]
    ])
    const e = s.employers[0]!
    expect([e.payFrequency, e.payFrequencyCode, e.rate.incomeUnit, e.status.state]).toEqual(["unknown", "Q4", "unknown", "unknown"])
    expect([e.statements![2]!.netCents, e.statements![2]!.hours]).toEqual([null, null])
  })
  it("a malformed gross or pay date makes the report not usable, naming the fields (never a silently lower income)", () => {
    const r = assessVerification(s, { now: NOW })
    expect([r.class, r.summary, r.reasons.map((x) => x.code)]).toEqual(["review", null, ["report.not-usable"]])
    expect(r.reasons[0]!.message).toBe("The report is not usable, because employments[0].statements[0].gross_pay is not a decimal amount; and employments[0].statements[1].pay_date is not a date (YYYY-MM-DD or an ISO timestamp)")
    expect(JSON.stringify(r)).not.toContain("1,477.13")
  })
  it("a statement missing its gross is blocking too", () => {
    const m = mapLinkReport({ status: "done", employments: [{ company: { name: "Acme" }, is_active: true, statements: [{ pay_date: "2026-11-20" }] }] }, { orderId: "o", fetchedAt, product: "income" })
    expect(ok(m).issues).toEqual([{ path: "employments[0].statements[0].gross_pay", problem: "malformed-amount", severity: "blocking", message: "is missing" }])
  })
  it("missing optional fields: nulls, no issues", () => {
    const s2 = ok(mapLinkReport({ employments: [{ company: { name: "Acme" }, statements: [{ pay_date: "2026-11-20", gross_pay: "100.00" }] }] }, { orderId: "o", fetchedAt, product: "income" }))
    expect(s2.issues).toEqual([])
    expect(s2.employers[0]).toMatchObject({ ein: null, startDate: null, payFrequency: "unknown", status: { state: "unknown" } })
    expect(checkUsable(s2)).toEqual({ usable: true })
  })
  it("an empty employments[]: a snapshot core calls not usable", () => {
    const s3 = ok(mapLinkReport(fixture("link-income-report-empty"), { orderId: "ord-2", fetchedAt, product: "income" }))
    expect(assessVerification(s3, { now: NOW }).reasons.map((x) => x.message)).toEqual(["The report is not usable, because it lists no employment"])
  })
  it("the user report: employments of every link", () => {
    const link = fixture("link-income-report") as { employments: Array<unknown> }
    const s4 = ok(mapUserReport({ report_id: "r1", links: [{ link_id: "l1", employments: link.employments }, { link_id: "l2", employments: [] }] }, { orderId: "ord-2", fetchedAt, product: "income" }))
    expect([s4.source.report, s4.employers.length]).toEqual(["user-report", 1])
  })
})
