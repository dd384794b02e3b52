/** ledger/attempt-outcome.ts: one connection's final status on an attempt, and the attempt's status from them. */
import { describe, expect, it } from "vitest"
import { type Attempt, attemptWithOutcome, IllegalTransition, StoreError } from "@recert/core"
import { iso, NOW, NOW_ISO } from "../fixtures.js"

const sent: Attempt = {
  id: "att-1", at: NOW_ISO, product: "income", connectionIds: ["link-1", "link-2"], status: "sent",
  orderId: "ord-2", rejection: null, outcomes: {}, resolvedAt: null, gseFree: false
}

describe("attemptWithOutcome", () => {
  it("keeps the status until every connection has an outcome, then succeeded (all done) or failed", () => {
    const half = attemptWithOutcome(sent, "link-1", "done", iso(NOW + 5_000)) as Attempt
    expect(half).toEqual({ ...sent, outcomes: { "link-1": "done" }, resolvedAt: iso(NOW + 5_000) })
    expect(attemptWithOutcome(half, "link-2", "done", iso(NOW + 6_000))).toEqual({
      ...sent, status: "succeeded", outcomes: { "link-1": "done", "link-2": "done" }, resolvedAt: iso(NOW + 6_000)
    })
    expect(attemptWithOutcome(half, "link-2", "no_data", iso(NOW + 6_000))).toMatchObject({ status: "failed" })
  })

  it("the first final status wins: a second one returns the same attempt (nothing to write)", () => {
    const half = attemptWithOutcome(sent, "link-1", "done", iso(NOW + 5_000)) as Attempt
    expect(attemptWithOutcome(half, "link-1", "login_error", iso(NOW + 9_000))).toBe(half)
  })

  it("outcomes out of order: resolvedAt is the latest outcome's instant", () => {
    const late = attemptWithOutcome(sent, "link-1", "done", iso(NOW + 9_000)) as Attempt
    expect(attemptWithOutcome(late, "link-2", "done", iso(NOW + 1_000))).toMatchObject({ status: "succeeded", resolvedAt: iso(NOW + 9_000) })
  })

  it("an unknown attempt resolves directly; a reserved one cannot complete (it must be sent first)", () => {
    const one = { ...sent, connectionIds: ["link-1"] }
    expect(attemptWithOutcome({ ...one, status: "unknown" }, "link-1", "done", NOW_ISO)).toMatchObject({ status: "succeeded" })
    const reserved = attemptWithOutcome({ ...one, status: "reserved" }, "link-1", "done", NOW_ISO)
    expect(reserved).toBeInstanceOf(IllegalTransition)
    expect(reserved).toMatchObject({ from: "reserved", to: "succeeded" })
    // Not the last connection: the reserved attempt keeps the outcome and its status.
    expect(attemptWithOutcome({ ...sent, status: "reserved" }, "link-1", "done", NOW_ISO)).toMatchObject({ status: "reserved", outcomes: { "link-1": "done" } })
  })

  it("a rejected attempt takes no outcome, complete or not", () => {
    const rejected = { ...sent, status: "rejected" as const }
    expect(attemptWithOutcome(rejected, "link-1", "done", NOW_ISO)).toMatchObject({ _tag: "IllegalTransition", from: "rejected", to: "rejected" })
  })

  it("refuses a foreign connection and a status that is not final, as StoreError naming them", () => {
    const foreign = attemptWithOutcome(sent, "link-9", "done", NOW_ISO)
    expect(foreign).toBeInstanceOf(StoreError)
    expect(foreign).toMatchObject({ operation: "recordOutcome", message: "attempt att-1 does not include connection link-9" })
    expect(attemptWithOutcome(sent, "link-1", "parse", NOW_ISO)).toMatchObject({ operation: "recordOutcome", message: "parse is not a final task status" })
  })
})
