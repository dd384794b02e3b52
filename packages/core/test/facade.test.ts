import { describe, expect, it } from "vitest"
import { decide, decideBatch, type DecisionInputRaw, InvalidInput, safeDecide } from "@recert/core"
import { attempt, HOUR, input, lineage, NOW, NOW_ISO } from "./fixtures.js"

describe("facade", () => {
  it.each([
    ["an ISO string with Z", NOW_ISO],
    ["an ISO string with an offset", "2026-11-22T11:00:00+01:00"],
    ["a Date", new Date(NOW)],
    ["epoch milliseconds", NOW]
  ] as const)("now as %s", (_n, now) => {
    expect(decide(input(), { now }).at).toBe(NOW_ISO)
  })

  it.each([
    ["a local time without a zone", "2026-11-22T10:00:00"],
    ["a date only", "2026-11-22"],
    ["nonsense", "tomorrow"],
    ["NaN", Number.NaN],
    ["an invalid Date", new Date("x")]
  ] as const)("refuses now as %s", (_n, now) => {
    expect(() => decide(input(), { now })).toThrow(expect.objectContaining({ _tag: "InvalidInput", issues: [{ path: "now", message: `not an instant with a time zone in years 0000-9999: ${String(now)}` }] }))
  })

  it("invalid input: one InvalidInput listing every problem with its exact path", () => {
    const bad = {
      lineage: {
        rootOrderId: "ord-1", orderType: "income", gse: "yes",
        orders: [{ id: "ord-1", parentId: null, createdAt: "2026-09-01" }],
        connections: [{ id: "link-1", suborderId: "emp-1", provider: "adp", authKind: "password", authenticatedAt: "2026-09-01T00:00:00Z" }]
      },
      ledger: [{ id: "a", at: "2026-11-01T00:00:00Z", product: "income", connectionIds: [], status: "done" }],
      request: { products: ["salary"] }
    }
    let error: unknown
    // A JavaScript caller (or parsed JSON): the types do not stop it, the validation does.
    try { decide(bad as unknown as DecisionInputRaw, { now: NOW }) } catch (e) { error = e }
    expect(error).toBeInstanceOf(InvalidInput)
    expect((error as InvalidInput).issues.map((i) => i.path)).toEqual([
      "lineage.gse", "lineage.orders[0].createdAt", "lineage.connections[0].authKind",
      "ledger[0].connectionIds", "ledger[0].status", "request.products[0]"
    ])
    expect((error as InvalidInput).message.split("\n")[0]).toBe("invalid decision input: 6 problem(s)")
  })

  it("cross-field problems are listed too", () => {
    const l = lineage()
    const raw = { ...input({ ...l, orders: [{ id: "ord-x", parentId: "ord-0", createdAt: NOW_ISO }] }), ledger: [attempt(NOW, ["link-9"], { id: "d" }), attempt(NOW, ["link-1"], { id: "d" })] }
    const r = safeDecide(raw, { now: NOW })
    expect(r).toEqual({ ok: false, issues: [
      { path: "lineage.orders[0].parentId", message: "the first order is the root and must have parentId null" },
      { path: "lineage.orders[0].id", message: "the first order must be the root order ord-1" },
      { path: "ledger[1].id", message: "duplicate attempt id d" },
      { path: "ledger[0].connectionIds[0]", message: "no connection link-9 in the lineage" }
    ] })
  })

  it("bad configuration is an InvalidInput too", () => {
    expect(() => decide(input(), { now: NOW, config: { rateWindow: { limit: 0 } } })).toThrow(/invalid policy configuration/)
  })

  it("returns plain JSON: a round trip is the identity", () => {
    const d = decide(input(lineage(), [attempt(NOW - HOUR)]), { now: NOW })
    expect(JSON.parse(JSON.stringify(d))).toEqual(d)
    expect(safeDecide(input(), { now: NOW })).toEqual({ ok: true, decision: decide(input(), { now: NOW }) })
  })

  it("determinism: same input and instant give byte-identical JSON", () => {
    const raw = input(lineage(), [attempt(NOW - HOUR), attempt(NOW - 2 * HOUR, ["link-1"], { status: "unknown" })])
    expect(JSON.stringify(decide(structuredClone(raw), { now: NOW }))).toBe(JSON.stringify(decide(structuredClone(raw), { now: new Date(NOW) })))
  })
})

describe("decideBatch", () => {
  it("decides a batch at one instant, each decision equal to decide's", () => {
    const raws = [input(), input(lineage(), [attempt(NOW - HOUR), attempt(NOW - 2 * HOUR), attempt(NOW - 3 * HOUR)])]
    const decisions = decideBatch(raws, { now: NOW_ISO, config: { rateWindow: { limit: 3 } } })
    expect(decisions.map((d) => d.verdict)).toEqual(["refresh", "wait"])
    expect(JSON.stringify(decisions)).toBe(JSON.stringify(raws.map((r) => decide(r, { now: NOW_ISO, config: { rateWindow: { limit: 3 } } }))))
    expect(decideBatch([], { now: NOW })).toEqual([])
  })

  it("throws one InvalidInput naming every bad input by index, as decideManyEffect does", () => {
    const bad = [input(), { ...input(), ledger: [{ ...attempt(NOW), connectionIds: ["link-x"] }] }, 7]
    expect(() => decideBatch(bad as Array<DecisionInputRaw>, { now: NOW })).toThrow(expect.objectContaining({
      _tag: "InvalidInput",
      issues: [
        { path: "[1].ledger[0].connectionIds[0]", message: "no connection link-x in the lineage" },
        { path: "[2]", message: "Invalid input: expected object, received number" }
      ]
    }))
    expect(() => decideBatch([input()], { now: "tomorrow" })).toThrow(InvalidInput)
  })
})
