/** ledger/attempt-transition.ts: the state machine step every store applies before writing. */
import { describe, expect, it } from "vitest"
import { type Attempt, IllegalTransition, transitionedAttempt } from "@recert/core"
import { iso, NOW, NOW_ISO } from "../fixtures.js"

const reserved: Attempt = {
  id: "att-1", at: NOW_ISO, product: "income", connectionIds: ["link-1"], status: "reserved",
  orderId: null, rejection: null, outcomes: {}, resolvedAt: null, gseFree: false
}

describe("transitionedAttempt", () => {
  it("applies the patch along a legal transition; an in-flight status stays unresolved", () => {
    expect(transitionedAttempt(reserved, "sent", { orderId: "ord-2" }, NOW + 1000)).toEqual({ ...reserved, status: "sent", orderId: "ord-2" })
  })

  it("a final status is resolved at now unless the patch or the attempt says when", () => {
    const rejected = transitionedAttempt(reserved, "rejected", { rejection: "throttled" }, NOW + 1000)
    expect(rejected).toEqual({ ...reserved, status: "rejected", rejection: "throttled", resolvedAt: iso(NOW + 1000) })
    const given = transitionedAttempt(reserved, "rejected", { rejection: "refresh-limit", resolvedAt: iso(NOW + 5) }, NOW + 1000)
    expect(given).toMatchObject({ resolvedAt: iso(NOW + 5) })
    const known: Attempt = { ...reserved, status: "unknown", resolvedAt: iso(NOW + 7) }
    expect(transitionedAttempt(known, "failed", {}, NOW + 1000)).toMatchObject({ status: "failed", resolvedAt: iso(NOW + 7) })
  })

  it("refuses what the state machine refuses, naming both statuses", () => {
    const refused = transitionedAttempt(reserved, "succeeded", {}, NOW)
    expect(refused).toBeInstanceOf(IllegalTransition)
    expect(refused).toMatchObject({ attemptId: "att-1", from: "reserved", to: "succeeded" })
    expect(transitionedAttempt({ ...reserved, status: "failed" }, "sent", {}, NOW)).toMatchObject({ _tag: "IllegalTransition", from: "failed", to: "sent" })
  })
})
