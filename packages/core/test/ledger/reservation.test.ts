/** ledger/reservation.ts: the product asked for, the decision, notNeeded, and the reserved attempt. */
import { describe, expect, it } from "vitest"
import { Attempt, Case, type CaseSnapshot, DEFAULT_POLICY_CONFIG, Lineage, planReservation, reservedAttempt } from "@recert/core"
import { attempt, connection, DAY, HOUR, iso, lineage, NOW, NOW_ISO } from "../fixtures.js"

const snapshot = (patch: { lineage?: ReturnType<typeof lineage>; ledger?: Array<ReturnType<typeof attempt>>; lastVerifiedAt?: string; product?: "employment" } = {}): CaseSnapshot => ({
  case: Case.parse({ id: "case-17", dueAt: iso(NOW + 5 * DAY), cycle: "annual", rootOrderId: "ord-1", lastVerifiedAt: patch.lastVerifiedAt ?? null, product: patch.product ?? null }),
  lineage: Lineage.parse(patch.lineage ?? lineage([connection("link-2"), connection("link-1")])),
  ledger: (patch.ledger ?? []).map((a) => Attempt.parse(a))
})

let ids = 0
const newId = () => `att-${++ids}`

describe("planReservation", () => {
  it("refreshes every refreshable connection, in connection order, as a reserved attempt at now", () => {
    const { input, reservation } = planReservation(snapshot(), { product: null }, NOW, DEFAULT_POLICY_CONFIG, () => "att-x")
    expect(input.request).toEqual({ products: ["income"] })
    expect(reservation.decision.verdict).toBe("refresh")
    expect(reservation.attempt).toEqual({
      id: "att-x", at: NOW_ISO, product: "income", connectionIds: ["link-1", "link-2"], status: "reserved",
      orderId: null, rejection: null, outcomes: {}, resolvedAt: null, gseFree: false
    })
    expect(reservation.notNeeded).toBeUndefined()
  })

  it("takes the caller's product, else the case's, else the lineage's order type", () => {
    const product = (request: { product: "employment" | null }, s = snapshot()) =>
      planReservation(s, request, NOW, DEFAULT_POLICY_CONFIG, newId).reservation.attempt?.product
    expect([product({ product: "employment" }), product({ product: null }, snapshot({ product: "employment" })), product({ product: null })])
      .toEqual(["employment", "employment", "income"])
  })

  it("inserts nothing, and never asks for an id, when the case no longer needs renewing", () => {
    const { reservation } = planReservation(snapshot({ lastVerifiedAt: iso(NOW - HOUR) }), { product: null }, NOW, DEFAULT_POLICY_CONFIG, () => {
      throw new Error("no id expected")
    })
    expect(reservation.attempt).toBeNull()
    expect(reservation.notNeeded).toBe(`already re-verified ${iso(NOW - HOUR).slice(0, 10)} for this cycle`)
    expect(reservation.decision.verdict).toBe("refresh")
  })

  it("oncePerCycle reads the ledger: a refresh that just succeeded makes the case notNeeded", () => {
    const ledger = [attempt(NOW - 5 * 60_000, ["link-1", "link-2"], { id: "att-done", resolvedAt: iso(NOW - 60_000) })]
    const once = planReservation(snapshot({ ledger }), { product: null, oncePerCycle: true }, NOW, DEFAULT_POLICY_CONFIG, newId).reservation
    const adHoc = planReservation(snapshot({ ledger }), { product: null }, NOW, DEFAULT_POLICY_CONFIG, newId).reservation
    expect(once.notNeeded).toBe(`already refreshed ${NOW_ISO.slice(0, 10)} for this cycle (its report is being stored)`)
    expect(once.attempt).toBeNull()
    expect(adHoc.attempt?.status).toBe("reserved")
  })

  it("inserts nothing, and never asks for an id, for a verdict other than refresh", () => {
    const inFlight = [attempt(NOW - HOUR, ["link-1", "link-2"], { status: "sent" })]
    const { reservation } = planReservation(snapshot({ ledger: inFlight }), { product: null }, NOW, DEFAULT_POLICY_CONFIG, () => {
      throw new Error("no id expected")
    })
    expect([reservation.decision.verdict, reservation.attempt, reservation.notNeeded]).toEqual(["wait", null, undefined])
  })
})

describe("reservedAttempt", () => {
  it("marks the attempt gseFree when the decision uses the free quota", () => {
    const gse = snapshot({ lineage: lineage([connection("link-1")], { gse: true }) })
    const { reservation } = planReservation(gse, { product: null }, NOW, DEFAULT_POLICY_CONFIG, () => "att-g")
    expect(reservation.attempt?.gseFree).toBe(true)
    expect(reservedAttempt(reservation.decision, "income", () => "att-h", NOW)?.gseFree).toBe(true)
  })
})
