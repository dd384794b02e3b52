import { describe, expect, it } from "vitest"
import { DEFAULT_POLICY_CONFIG, plan, PlanCase, type PlanCaseInput, planAt, renewalNotNeeded } from "@recert/core"
import { attempt, connection, DAY, HOUR, iso, lineage, NOW, NOW_ISO } from "../fixtures.js"

let n = 0
const planCase = (patch: { dueIn?: number; lastVerifiedAt?: number; connections?: Parameters<typeof lineage>[0]; lineage?: Parameters<typeof lineage>[1]; ledger?: PlanCaseInput["ledger"] } = {}): PlanCaseInput => {
  const id = `case-${++n}`
  return {
    case: { id, dueAt: iso(NOW + (patch.dueIn ?? 10 * DAY)), cycle: "annual", rootOrderId: "ord-1", lastVerifiedAt: patch.lastVerifiedAt === undefined ? null : iso(patch.lastVerifiedAt) },
    lineage: lineage(patch.connections, patch.lineage),
    ledger: patch.ledger ?? []
  }
}

describe("plan", () => {
  it("one action per case, with totals of expected billed and free verifications", () => {
    const cases = [
      planCase(),                                                                                     // refresh, billed 1
      planCase({ connections: [connection("link-1"), connection("link-2")], lineage: { gse: true } }), // refresh, free 2
      planCase({ connections: [connection("link-1", { authenticatedAt: iso(NOW - 181 * DAY) })] }),   // reauthenticate
      planCase({ connections: [connection("link-1", { lastTaskStatus: "no_data", lastStatusAt: iso(NOW - DAY) })] }), // new-order
      planCase({ ledger: [1, 2, 3].map((h) => attempt(NOW - h * HOUR)) }),                             // wait
      planCase({ lineage: { status: "canceled" } }),                                                   // closed -> new-order
      planCase({ dueIn: 31 * DAY }),                                                                   // not due
      planCase({ lastVerifiedAt: NOW - 5 * DAY })                                                      // already verified
    ]
    const p = plan(cases, { now: NOW_ISO })
    expect(p.items.map((i) => i.action)).toEqual(["refresh", "refresh", "reauthenticate", "new-order", "wait", "new-order", "nothing", "nothing"])
    expect(p.totals).toEqual({
      cases: 8, due: 6, invalid: 0, billedVerifications: 1, freeVerifications: 2,
      actions: { refresh: 2, reauthenticate: 1, "new-order": 2, wait: 1, nothing: 2 }
    })
    expect(p.items[4]!.nextEligibleAt).toBe(iso(NOW + 21 * HOUR + 120_000))   // + the default 120 s clock guard
    expect(p.items[2]!.connections).toEqual({ refresh: [], reauthenticate: ["link-1"], newOrder: [], wait: [] })
    expect(p.items[6]!.why).toBe(`not due until ${iso(NOW + 31 * DAY).slice(0, 10)} (lead time 30 days)`)
    expect(p.items[7]!.why).toBe(`already re-verified ${iso(NOW - 5 * DAY).slice(0, 10)} for this cycle`)
    expect(p.items[7]!.decision).toBeNull()
  })

  it("never plans a refresh the rules predict to fail: expired OAuth or a known login error", () => {
    const p = plan([planCase({ connections: [
      connection("link-1", { authenticatedAt: iso(NOW - 180 * DAY) }),
      connection("link-2", { lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) }),
      connection("link-3")
    ] })], { now: NOW })
    expect(p.items[0]!.action).toBe("refresh")
    expect(p.items[0]!.connections).toEqual({ refresh: ["link-3"], reauthenticate: ["link-1", "link-2"], newOrder: [], wait: [] })
    expect(p.items[0]!.decision!.request!.employers).toEqual([{ id: "sub-link-3" }])
    expect(p.totals.billedVerifications).toBe(1)
  })

  it("the lead time: due exactly now + lead is planned, 1 ms later is not", () => {
    expect(plan([planCase({ dueIn: 30 * DAY })], { now: NOW }).items[0]!.action).toBe("refresh")
    expect(plan([planCase({ dueIn: 30 * DAY + 1 })], { now: NOW }).items[0]!.action).toBe("nothing")
    expect(plan([planCase({ dueIn: 40 * DAY })], { now: NOW, config: { leadTimeDays: 45 } }).items[0]!.action).toBe("refresh")
  })

  it("overdue cases are planned", () => {
    expect(plan([planCase({ dueIn: -5 * DAY })], { now: NOW }).items[0]!.action).toBe("refresh")
  })

  it("a hypothetical now: the same batch planned on another day", () => {
    const cases = [planCase({ dueIn: 60 * DAY, connections: [connection("link-1", { authenticatedAt: iso(NOW - 140 * DAY) })] })]
    expect(plan(cases, { now: NOW }).items[0]!.action).toBe("nothing")
    const later = plan(cases, { now: iso(NOW + 41 * DAY) })
    expect([later.at, later.items[0]!.action]).toEqual([iso(NOW + 41 * DAY), "reauthenticate"])
    expect(plan(cases, { now: new Date(NOW + 30 * DAY) }).items[0]!.action).toBe("refresh")
  })

  it("invalid request denial counts as invalid", () => {
    const c = planCase({ lineage: { orderType: "employment" } })
    const p = plan([{ ...c, case: { ...c.case, product: "income" } }], { now: NOW })
    expect([p.items[0]!.action, p.totals.invalid]).toEqual(["nothing", 1])
    expect(p.items[0]!.why).toBe("A employment order can refresh only employment; income was requested")
  })

  it("invalid cases throw one InvalidInput naming each by index", () => {
    expect(() => plan([planCase(), { case: { id: "x" } } as unknown as PlanCaseInput], { now: NOW })).toThrow(expect.objectContaining({
      _tag: "InvalidInput",
      issues: [
        { path: "[1].case.dueAt", message: "Invalid input: expected string, received undefined" },
        { path: "[1].case.cycle", message: "Invalid option: expected one of \"annual\"|\"semiannual\"|\"quarterly\"|\"monthly\"|\"ad-hoc\"" },
        { path: "[1].case.rootOrderId", message: "Invalid input: expected string, received undefined" },
        { path: "[1].lineage", message: "Invalid input: expected object, received undefined" }
      ]
    }))
  })

  it("planAt with { decisions: \"none\" } gives the same plan without the decisions and the timings", () => {
    const cases = [
      planCase(), planCase({ connections: [connection("link-1", { authenticatedAt: iso(NOW - 181 * DAY) })] }),
      planCase({ ledger: [1, 2, 3].map((h) => attempt(NOW - h * HOUR)) }), planCase({ lineage: { status: "canceled" } }),
      planCase({ lineage: { orderType: "employment" } }), planCase({ dueIn: 31 * DAY })
    ].map((c) => PlanCase.parse(c))
    const full = planAt(cases, NOW, DEFAULT_POLICY_CONFIG)
    const lean = planAt(cases, NOW, DEFAULT_POLICY_CONFIG, { decisions: "none" })
    expect(lean.items.every((i) => i.decision === null && i.timing === null)).toBe(true)
    expect(full.items.map((i) => i.timing?.code ?? null)).toEqual(["window.open", "expiry.within-margin", "window.open", "window.open", "window.open", "window.opening"])
    expect(JSON.stringify(lean)).toBe(JSON.stringify({ ...full, items: full.items.map((i) => ({ ...i, decision: null, timing: null })) }))
    expect(lean.totals).toEqual(full.totals)
    expect(planAt(cases, NOW, DEFAULT_POLICY_CONFIG, { decisions: "full" })).toEqual(full)
  })
})

describe("renewalNotNeeded", () => {
  const config = DEFAULT_POLICY_CONFIG
  const due = Date.parse("2026-12-31T00:00:00Z")
  const kase = { dueAt: "2026-12-31T00:00:00.000Z", lastVerifiedAt: null }
  it("a case due beyond the lead time is not needed; at exactly the lead time it is", () => {
    expect(renewalNotNeeded(kase, due - 30 * 86_400_000 - 1, config)).toBe("not due until 2026-12-31 (lead time 30 days)")
    expect(renewalNotNeeded(kase, due - 30 * 86_400_000, config)).toBeNull()
  })
  it("a refresh that just succeeded (follow-up still running) makes the case not needed; a failed, older or already-verified one does not", () => {
    const a = (at: string, status: "succeeded" | "failed", resolvedAt: string | null = null) => ({
      id: `a-${at}`, at, product: "income" as const, connectionIds: ["l"], status, orderId: "o", rejection: null, outcomes: {}, resolvedAt, gseFree: false
    })
    const now = Date.parse("2026-12-30T10:10:00.000Z")
    expect(renewalNotNeeded(kase, now, config, [a("2026-12-30T10:00:00.000Z", "succeeded")])).toBe("already refreshed 2026-12-30 for this cycle (its report is being stored)")
    expect(renewalNotNeeded(kase, now, config, [a("2026-12-30T10:00:00.000Z", "failed")])).toBeNull()
    expect(renewalNotNeeded(kase, now, config, [a("2026-12-30T09:00:00.000Z", "succeeded", "2026-12-30T09:50:00.000Z")])).toBeNull()
    expect(renewalNotNeeded({ ...kase, lastVerifiedAt: "2026-11-01T00:00:00.000Z" }, now, config, [a("2026-12-30T10:00:00.000Z", "succeeded")])).toBe("already refreshed 2026-12-30 for this cycle (its report is being stored)")
  })
  it("a case re-verified at or after the start of its lead time is done; just before, it is not", () => {
    expect(renewalNotNeeded({ ...kase, lastVerifiedAt: "2026-12-01T00:00:00.000Z" }, due, config)).toBe("already re-verified 2026-12-01 for this cycle")
    expect(renewalNotNeeded({ ...kase, lastVerifiedAt: "2026-11-30T23:59:59.999Z" }, due, config)).toBeNull()
  })
})
