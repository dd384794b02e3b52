/** ledger/refresh-account.ts: what one attempt counts for in the refresh account (report, /metrics, stats). */
import { describe, expect, it } from "vitest"
import { type Attempt, EMPTY_REFRESH_ACCOUNT, refreshAccountOf, refreshAccountOfAll } from "@recert/core"
import { NOW_ISO } from "../fixtures.js"

const attempt = (patch: Partial<Attempt>): Attempt => ({
  id: "att-1", at: NOW_ISO, product: "income", connectionIds: ["a", "b"], status: "sent",
  orderId: "ord-2", rejection: null, outcomes: {}, resolvedAt: null, gseFree: false, ...patch
})

describe("refreshAccountOf", () => {
  it("a sent attempt is one refresh order; its connections await their outcome", () => {
    expect(refreshAccountOf(attempt({}))).toEqual({ ...EMPTY_REFRESH_ACCOUNT, sent: 1, awaitingOutcome: 2 })
  })

  it("billing follows the confirmed outcome: every final status but no_data is billed, per connection", () => {
    expect(refreshAccountOf(attempt({ status: "failed", outcomes: { a: "done", b: "no_data" } })))
      .toEqual({ sent: 1, billed: 1, free: 0, notBilled: 1, awaitingOutcome: 0, unconfirmed: 0 })
    expect(refreshAccountOf(attempt({ status: "failed", outcomes: { a: "login_error", b: "config_error" } })))
      .toEqual({ sent: 1, billed: 2, free: 0, notBilled: 0, awaitingOutcome: 0, unconfirmed: 0 })
    expect(refreshAccountOf(attempt({ outcomes: { a: "done" } }))).toEqual({ sent: 1, billed: 1, free: 0, notBilled: 0, awaitingOutcome: 1, unconfirmed: 0 })
  })

  it("under the GSE quota the verifications are free, no_data still not billed", () => {
    expect(refreshAccountOf(attempt({ status: "failed", gseFree: true, outcomes: { a: "done", b: "no_data" } })))
      .toEqual({ sent: 1, billed: 0, free: 1, notBilled: 1, awaitingOutcome: 0, unconfirmed: 0 })
  })

  it("reserved and unknown attempts are unconfirmed; rejected ones count for nothing", () => {
    expect(refreshAccountOf(attempt({ status: "reserved", orderId: null }))).toEqual({ ...EMPTY_REFRESH_ACCOUNT, unconfirmed: 1 })
    expect(refreshAccountOf(attempt({ status: "unknown", orderId: null }))).toEqual({ ...EMPTY_REFRESH_ACCOUNT, unconfirmed: 1 })
    expect(refreshAccountOf(attempt({ status: "rejected", orderId: null, rejection: "refresh-limit" }))).toEqual(EMPTY_REFRESH_ACCOUNT)
  })

  it("sums a set of attempts", () => {
    expect(refreshAccountOfAll([
      attempt({ status: "succeeded", outcomes: { a: "done", b: "done" } }),
      attempt({ status: "unknown", orderId: null }),
      attempt({ status: "rejected", orderId: null, rejection: "throttled" })
    ])).toEqual({ sent: 1, billed: 2, free: 0, notBilled: 0, awaitingOutcome: 0, unconfirmed: 1 })
  })
})
