import { describe, expect, it } from "vitest"
import {
  type CaseInput, chooseInstant, clientDeadline, DEFAULT_POLICY_CONFIG, plan, PolicyConfig, type PolicyConfigInput, renewalNotNeeded, renewalWindow,
  requestExpiresAt
} from "@recert/core"
import { connection, lineage } from "../fixtures.js"

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()
const ANNUAL = { dueAt: "2027-06-01T00:00:00.000Z", cycle: "annual" as const, closingDate: null }
const TIMED = PolicyConfig.parse({ clockGuardSeconds: 0, timing: { freshnessDays: { annual: 30 }, expiryMarginHours: 48 } })
const config = (patch: PolicyConfigInput) => PolicyConfig.parse({ clockGuardSeconds: 0, ...patch })

describe("renewalWindow", () => {
  it("freshness window per cycle, the lead time otherwise, business days before a closing date", () => {
    expect(renewalWindow(ANNUAL, TIMED)).toEqual({ basis: "freshness", opensAt: at("2027-05-02T00:00:00Z"), closesAt: at("2027-06-01T00:00:00Z"), length: 30 })
    expect(renewalWindow({ ...ANNUAL, cycle: "quarterly" }, TIMED)).toEqual({ basis: "lead-time", opensAt: at("2027-05-02T00:00:00Z"), closesAt: at("2027-06-01T00:00:00Z"), length: 30 })
    expect(renewalWindow(ANNUAL, config({ timing: { freshnessDays: { annual: 45 } } })).opensAt).toBe(at("2027-04-17T00:00:00Z"))
    expect(renewalWindow({ ...ANNUAL, cycle: "ad-hoc", closingDate: "2027-07-09" }, DEFAULT_POLICY_CONFIG))
      .toEqual({ basis: "closing", opensAt: at("2027-06-24T00:00:00Z"), closesAt: at("2027-07-09T00:00:00Z"), length: 10 })
  })
})

describe("clientDeadline: the latest refresh whose failure leaves the client a full link (72 weekday hours)", () => {
  it.each([
    ["due Tuesday 00:00", "2027-06-01T00:00:00.000Z", "2027-05-27T00:00:00.000Z"],
    ["due Monday 00:00: the weekend is not counted", "2027-06-07T00:00:00.000Z", "2027-06-02T00:00:00.000Z"],
    ["due Sunday 00:00", "2027-06-06T00:00:00.000Z", "2027-06-02T00:00:00.000Z"],
    ["due Wednesday noon", "2027-06-02T12:00:00.000Z", "2027-05-28T12:00:00.000Z"]
  ])("%s", (_name, end, deadline) => {
    const d = clientDeadline(at(end))
    expect(iso(d)).toBe(deadline)
    expect(requestExpiresAt("new-order", d)).toBeLessThanOrEqual(at(end))
    expect(requestExpiresAt("new-order", d + 1)).toBeGreaterThan(at(end))
  })
})

describe("chooseInstant: the instant picked inside the window (due 2027-06-01, window opens 2027-05-02, 48 h margin)", () => {
  it.each([
    ["expiry at the window's edge (refresh-by = opening): the client, at the opening",
      TIMED, "2027-04-20T00:00:00Z", "2027-05-04T00:00:00.000Z", "expiry.before-window", "client", "2027-05-02T00:00:00.000Z", "2027-05-02T00:00:00.000Z"],
    ["one millisecond inside: refresh at the opening",
      TIMED, "2027-04-20T00:00:00Z", "2027-05-04T00:00:00.001Z", "window.opening", "refresh", "2027-05-02T00:00:00.000Z", "2027-05-02T00:00:00.001Z"],
    ["a margin that closes the window (432 h before an expiry 18 days after the opening)",
      config({ timing: { freshnessDays: { annual: 30 }, expiryMarginHours: 432 } }), "2027-04-20T00:00:00Z", "2027-05-20T00:00:00.000Z", "expiry.before-window", "client", "2027-05-02T00:00:00.000Z", "2027-05-02T00:00:00.000Z"],
    ["one hour less of margin leaves one hour: refresh at the opening",
      config({ timing: { freshnessDays: { annual: 30 }, expiryMarginHours: 431 } }), "2027-04-20T00:00:00Z", "2027-05-20T00:00:00.000Z", "window.opening", "refresh", "2027-05-02T00:00:00.000Z", "2027-05-02T01:00:00.000Z"],
    ["inside the window, refresh-by reached: the client, now",
      TIMED, "2027-05-10T00:00:00Z", "2027-05-12T00:00:00.000Z", "expiry.within-margin", "client", "2027-05-10T00:00:00.000Z", "2027-05-10T00:00:00.000Z"],
    ["inside the window, one millisecond before refresh-by: refresh now",
      TIMED, "2027-05-09T23:59:59.999Z", "2027-05-12T00:00:00.000Z", "window.open", "refresh", "2027-05-09T23:59:59.999Z", "2027-05-10T00:00:00.000Z"],
    ["the clock guard moves refresh-by 120 s earlier",
      config({ clockGuardSeconds: 120, timing: { freshnessDays: { annual: 30 }, expiryMarginHours: 48 } }), "2027-04-20T00:00:00Z", "2027-05-04T00:02:00.000Z", "expiry.before-window", "client", "2027-05-02T00:00:00.000Z", "2027-05-02T00:00:00.000Z"],
    ["without timing: the lead-time window, no margin (expiry at the opening: the client)",
      config({}), "2027-04-20T00:00:00Z", "2027-05-02T00:00:00.000Z", "expiry.before-window", "client", "2027-05-02T00:00:00.000Z", "2027-05-02T00:00:00.000Z"],
    ["without timing, one millisecond inside: refresh at the opening",
      config({}), "2027-04-20T00:00:00Z", "2027-05-02T00:00:00.001Z", "window.opening", "refresh", "2027-05-02T00:00:00.000Z", "2027-05-02T00:00:00.001Z"]
  ] as const)("%s", (_name, cfg, now, expiresAt, code, choice, chosenAt, refreshBy) => {
    const t = chooseInstant(renewalWindow(ANNUAL, cfg), at(expiresAt), at(now), cfg)
    expect([t.code, t.choice, t.chosenAt, t.refreshBy]).toEqual([code, choice, chosenAt, refreshBy])
  })

  it.each([
    ["at the client deadline exactly: on time", "2027-05-27T00:00:00.000Z", "window.open"],
    ["one millisecond past it: late (refreshed, the fastest path left)", "2027-05-27T00:00:00.001Z", "window.late"]
  ])("session connection (no predicted expiry) %s", (_name, now, code) => {
    const t = chooseInstant(renewalWindow(ANNUAL, TIMED), null, at(now), TIMED)
    expect([t.code, t.choice, t.chosenAt, t.expiresAt, t.refreshBy]).toEqual([code, "refresh", now, null, null])
  })

  it("says why with the numbers", () => {
    expect(chooseInstant(renewalWindow(ANNUAL, TIMED), at("2027-05-20T00:00:00Z"), at("2027-04-20T00:00:00Z"), TIMED).why).toBe(
      "refresh at the window's opening 2027-05-02T00:00Z: the freshness window (data at most 30 days old at the due date 2027-06-01) opens 2027-05-02T00:00Z; " +
      "the connection is predicted to expire 2027-05-20T00:00Z; less the 48 h safety margin and the clock guard, a refresh must be sent before 2027-05-18T00:00Z; " +
      "a failure still leaves the client a full link (72 weekday hours) before 2027-06-01T00:00Z if sent by 2027-05-27T00:00Z")
    expect(chooseInstant(renewalWindow(ANNUAL, TIMED), at("2027-05-03T00:00:00Z"), at("2027-04-20T00:00:00Z"), TIMED).why).toBe(
      "straight to the client at 2027-05-02T00:00Z: the freshness window (data at most 30 days old at the due date 2027-06-01) opens 2027-05-02T00:00Z, " +
      "but the connection is predicted to expire 2027-05-03T00:00Z; less the 48 h safety margin and the clock guard, a refresh must be sent before 2027-05-01T00:00Z, " +
      "so it is dead for the whole window (a refresh would fail and be billed)")
  })
})

describe("the planner with timing", () => {
  const kase = (patch: Partial<CaseInput> = {}): CaseInput => ({ id: "c-1", dueAt: "2027-06-01T00:00:00Z", cycle: "annual", rootOrderId: "ord-1", ...patch })
  const oauth = (authenticatedAt: string) => lineage([connection("link-1", { authenticatedAt })], { orders: [{ id: "ord-1", parentId: null, createdAt: "2026-11-01T00:00:00Z" }] })

  it("dead for the whole window: nothing before the opening (the timing says the client, at the opening), a link at the opening, never a refresh", () => {
    // Authenticated 2026-11-05: Truv's expiry 2027-05-04T00:00Z; refresh-by (48 h margin) = the opening.
    const c = { case: kase(), lineage: oauth("2026-11-05T00:00:00Z") }
    const before = plan([c], { now: "2027-05-01T23:59:59.999Z", config: { clockGuardSeconds: 0, timing: { freshnessDays: { annual: 30 }, expiryMarginHours: 48 } } }).items[0]!
    expect([before.action, before.why, before.timing!.code, before.timing!.chosenAt]).toEqual(["nothing", "not due until 2027-05-02 (freshness window 30 days before the due date 2027-06-01)", "expiry.before-window", "2027-05-02T00:00:00.000Z"])
    const open = plan([c], { now: "2027-05-02T00:00:00Z", config: { clockGuardSeconds: 0, timing: { freshnessDays: { annual: 30 }, expiryMarginHours: 48 } } }).items[0]!
    expect([open.action, open.timing!.choice, open.decision!.connections[0]!.reasons[0]!.code]).toEqual(["reauthenticate", "client", "connection.auth-expiring"])
    // One millisecond later authenticated: refreshed at the opening.
    const alive = plan([{ ...c, lineage: oauth("2026-11-05T00:00:00.001Z") }], { now: "2027-05-02T00:00:00Z", config: { clockGuardSeconds: 0, timing: { freshnessDays: { annual: 30 }, expiryMarginHours: 48 } } }).items[0]!
    expect([alive.action, alive.timing!.code]).toEqual(["refresh", "window.open"])
  })

  it("timing with its defaults: the margin is 0 (Truv's expiry less the clock guard, as connection.auth-expired has it)", () => {
    const item = plan([{ case: kase(), lineage: oauth("2027-01-01T00:00:00Z") }], { now: "2027-05-02T00:00:00Z", config: { timing: {} } }).items[0]!
    expect([item.action, item.timing!.basis, item.timing!.marginHours, item.timing!.refreshBy]).toEqual(["refresh", "lead-time", 0, "2027-06-29T23:58:00.000Z"])
  })

  it("the default (no timing): the lead-time window of before, and the timing shown", () => {
    const item = plan([{ case: kase(), lineage: oauth("2027-01-01T00:00:00Z") }], { now: "2027-05-02T00:00:00Z" }).items[0]!
    expect([item.action, item.timing!.basis, item.timing!.length, item.timing!.marginHours, item.timing!.refreshBy]).toEqual(["refresh", "lead-time", 30, 0, "2027-06-29T23:58:00.000Z"])
  })
})

describe("the lender pre-closing mode", () => {
  const gse = lineage([connection("link-1", { authenticatedAt: "2027-06-01T00:00:00Z", authKind: "session" })],
    { gse: true, orders: [{ id: "ord-1", parentId: null, createdAt: "2027-06-01T00:00:00Z" }] })
  const loan = (patch: Partial<CaseInput> = {}): CaseInput => ({ id: "loan-1", dueAt: "2027-07-09T00:00:00Z", cycle: "ad-hoc", rootOrderId: "ord-1", closingDate: "2027-07-09", ...patch })

  it("opens 10 business days before the note date, re-verifies employment (the cheapest product) and counts the GSE free quota", () => {
    const before = plan([{ case: loan(), lineage: gse }], { now: "2027-06-23T23:59:59.999Z" }).items[0]!
    expect([before.action, before.why]).toEqual(["nothing", "not due until 2027-06-24 (10 business days before the closing date 2027-07-09)"])
    const open = plan([{ case: loan(), lineage: gse }], { now: "2027-06-24T00:00:00Z" }).items[0]!
    expect([open.action, open.decision!.request!.products, open.freeVerifications, open.billedVerifications, open.decision!.cost.gseFreeRemaining])
      .toEqual(["refresh", ["employment"], 1, 0, 5])
    expect(open.timing!.why).toBe("refresh now: the 10-business-day window before the closing date 2027-07-09 opens 2027-06-24; a failure still leaves the client a full link (72 weekday hours) before 2027-07-09T00:00Z if sent by 2027-07-06T00:00Z")
    // Income when the case asks for it.
    expect(plan([{ case: loan({ product: "income" }), lineage: gse }], { now: "2027-06-24T00:00:00Z" }).items[0]!.decision!.request!.products).toEqual(["income"])
  })

  it.each([
    ["as imported: verified inside the window, reused", "2027-07-09", "2027-06-30T00:00:00Z", "already re-verified 2027-06-28 for this closing"],
    ["moved later (2027-07-23, window opens 2027-07-09): the verification is before it, not reused", "2027-07-23", "2027-07-09T00:00:00Z", null],
    ["moved later, the day before the new window opens: not due yet", "2027-07-23", "2027-07-08T23:59:59.999Z", "not due until 2027-07-09 (10 business days before the closing date 2027-07-23)"],
    ["moved earlier (2027-07-01, window 2027-06-17 to the note date): the verification is inside the new window, reused", "2027-07-01", "2027-06-30T00:00:00Z", "already re-verified 2027-06-28 for this closing"],
    ["moved earlier to a note date already passed (2027-06-25): nothing to re-verify, never again", "2027-06-25", "2027-06-30T00:00:00Z", "the closing date 2027-06-25 has passed: nothing to re-verify (move the closing date to re-plan)"],
    ["moved later (2027-07-23), one millisecond before its note date: re-verified (late, the fastest path left)", "2027-07-23", "2027-07-22T23:59:59.999Z", null],
    ["moved later (2027-07-23), at its note date exactly: the loan has closed, nothing renewed", "2027-07-23", "2027-07-23T00:00:00Z", "the closing date 2027-07-23 has passed: nothing to re-verify (move the closing date to re-plan)"],
    ["moved to 2027-07-13: its window opens 2027-06-28T00:00Z, the verification's instant exactly: reused", "2027-07-13", "2027-06-30T00:00:00Z", "already re-verified 2027-06-28 for this closing"],
    ["moved to 2027-07-14: its window opens 2027-06-29, one day after the verification: not reused", "2027-07-14", "2027-06-30T00:00:00Z", null]
  ])("%s", (_name, closingDate, now, expected) => {
    const c = { ...loan({ closingDate, dueAt: `${closingDate}T00:00:00Z` }), lastVerifiedAt: "2027-06-28T00:00:00.000Z", product: null }
    expect(renewalNotNeeded(c as never, at(now), DEFAULT_POLICY_CONFIG)).toBe(expected)
  })
})
