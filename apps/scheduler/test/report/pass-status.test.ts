/** report/pass-status.ts: a pass's status, its reasons and the due-case account, from its stats. */
import { ProviderUnavailable, StoreError, Throttled, Transport, Unauthorized } from "@recert/core"
import { describe, expect, it } from "vitest"
import { dueAccount, EXIT_CODE, passStatus, statusLine } from "../../src/report/pass-status.js"
import { RunStats, UNREACHABLE_STREAK } from "../../src/runner/run-stats.js"

/** A pass that read `due` cases, with each case's outcome (absent: not reached). */
const pass = (outcomes: Readonly<Record<string, string | undefined>>, unloadable: Readonly<Record<string, string>> = {}): RunStats => {
  const s = new RunStats(0)
  for (const [id, o] of Object.entries(outcomes)) {
    s.due.add(id)
    if (o === "failed") s.caseFailed(id, `renew job failed: StoreError: boom ${id}`)
    else if (o !== undefined) s.outcomes.set(id, o as "refreshed")
  }
  for (const [id, why] of Object.entries(unloadable)) {
    s.due.add(id)
    s.unloadable.set(id, why)
  }
  s.dueStreamDone = true
  return s
}

const codes = (s: RunStats) => passStatus(s).reasons.map((r) => r.code)

describe("passStatus", () => {
  it("ok: every due case processed, needing the user included; exit 0", () => {
    const s = pass({ a: "refreshed", b: "reauth-queued", c: "waiting" })
    expect(passStatus(s)).toEqual({ status: "ok", reasons: [] })
    expect(dueAccount(s)).toEqual({ total: 3, processed: 3, unloadable: 0, notReached: 0 })
    expect(EXIT_CODE.ok).toBe(0)
  })

  it("degraded: an unloadable case and a failed one, the others processed; exit 3", () => {
    const s = pass({ a: "refreshed", b: "failed" }, { c: "its root order x is a refresh order" })
    expect(passStatus(s).status).toBe("degraded")
    expect(codes(s)).toEqual(["cases.unloadable", "cases.failed"])
    expect(dueAccount(s)).toEqual({ total: 3, processed: 2, unloadable: 1, notReached: 0 })
    expect(EXIT_CODE.degraded).toBe(3)
  })

  it("a later pass the same day (the other cases' renewals already ran) with the bad row still there is degraded, not failed", () => {
    const s = pass({ a: undefined, b: undefined }, { c: "its root order x is a refresh order" })
    expect(dueAccount(s)).toEqual({ total: 3, processed: 0, unloadable: 1, notReached: 2 })
    expect(passStatus(s).status).toBe("degraded")
  })

  it("failed: every due case tried and none came through; exit 1", () => {
    const s = pass({ a: "failed", b: "failed" }, { c: "no order x in the store" })
    expect(passStatus(s).status).toBe("failed")
    expect(codes(s)).toEqual(["cases.none-processed", "cases.unloadable", "cases.failed"])
    expect(statusLine("failed", passStatus(s).reasons)).toBe("pass failed: no due case could be processed: 2 cases failed, 1 could not be loaded")
    expect(EXIT_CODE.failed).toBe(1)
  })

  it("failed: Truv refused our credentials (the pass's fatal reason comes first); unanswered calls alone are unreachable", () => {
    const refused = pass({ a: "failed" })
    refused.truvResult("POST /v1/orders/{id}/", new Unauthorized({ status: 401, message: "Invalid client id or secret." }))
    expect(refused.fatal?.code).toBe("truv.unauthorized")
    expect(codes(refused)[0]).toBe("truv.unauthorized")
    const unreachable = pass({ a: "waiting" })
    unreachable.truvResult("POST /v1/orders/{id}/", new Transport({ reachedTruv: false, message: "ECONNREFUSED" }))
    expect(unreachable.fatal).toBeNull()
    expect(codes(unreachable)).toEqual(["truv.unreachable", "truv.errors"])
  })

  it(`${UNREACHABLE_STREAK} unanswered calls in a row stop the pass; an answer in between resets the count`, () => {
    const s = new RunStats(0)
    const refused = new Transport({ reachedTruv: false, message: "ECONNREFUSED" })
    for (let i = 0; i < UNREACHABLE_STREAK - 1; i++) s.truvResult("GET /v1/orders/{id}/", refused)
    s.truvResult("GET /v1/orders/{id}/", null)
    for (let i = 0; i < UNREACHABLE_STREAK - 1; i++) s.truvResult("GET /v1/orders/{id}/", refused)
    expect(s.fatal).toBeNull()
    s.truvResult("GET /v1/orders/{id}/", refused)
    expect(s.fatal?.code).toBe("truv.unreachable")
  })

  it("a read-only or full disk fails the pass at the first error; a lost connection only degrades it", () => {
    const busy = pass({ a: "refreshed" })
    busy.storeFailed("reserve", new StoreError({ operation: "reserve", message: "Connection terminated", reason: "unavailable" }))
    expect([busy.fatal, passStatus(busy).status, codes(busy)]).toEqual([null, "degraded", ["store.errors"]])
    const readOnly = pass({ a: "refreshed" })
    readOnly.storeFailed("enqueueJobs", new StoreError({ operation: "enqueueJobs", message: "attempt to write a readonly database", reason: "read-only" }))
    expect(readOnly.fatal).toEqual({ code: "store.failing", message: "the store failed (read-only): enqueueJobs: attempt to write a readonly database" })
    expect(passStatus(readOnly).status).toBe("failed")
  })

  it("degraded: Truv's budget ran out (429), a refresh refused for the 24 h limit, a 5xx retried", () => {
    const s = pass({ a: "refreshed", b: "waiting", c: "limit-rejected" })
    s.truvResult("POST /v1/orders/{id}/", new Throttled({ retryAfterMs: 1_000, message: "Request was throttled." }))
    s.truvResult("GET /v1/orders/{id}/", new ProviderUnavailable({ status: 502, message: "Bad Gateway" }))
    s.limitViolations = 1
    expect(passStatus(s)).toEqual({
      status: "degraded",
      reasons: [
        { code: "truv.errors", message: "1 Truv call failed (1 ProviderUnavailable; 0 without an answer; last: GET /v1/orders/{id}/: Bad Gateway)" },
        { code: "truv.throttled", message: "Truv's request budget ran out: 1 call throttled (429)" },
        { code: "truv.limit-violations", message: "Truv refused 1 refresh for its 24 h limit: the ledger missed a refresh" }
      ]
    })
  })

  it("a stop cut the stream short: the cases due at the start that were never read are not reached", () => {
    const s = pass({ a: "refreshed" })
    s.dueStreamDone = false
    s.dueAtStart = 5
    expect(dueAccount(s)).toEqual({ total: 5, processed: 1, unloadable: 0, notReached: 4 })
  })
})
