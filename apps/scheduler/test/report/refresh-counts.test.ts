/** report/refresh-counts.ts: each refresh event counted once per process, in the pass that learnt it. */
import type { Attempt } from "@recert/core"
import { describe, expect, it } from "vitest"
import { AttemptRegistry } from "../../src/report/refresh-counts.js"
import { RunStats } from "../../src/runner/run-stats.js"

const attempt = (patch: Partial<Attempt>): Attempt => ({
  id: "att-1", at: "2026-11-22T10:00:00.000Z", product: "income", connectionIds: ["a", "b"], status: "sent",
  orderId: "ord-2", rejection: null, outcomes: {}, resolvedAt: null, gseFree: false, ...patch
})

describe("refresh counts across a serve process's passes", () => {
  it("sent in the first pass, its outcomes in the second: each counted once, where it was learnt; the gauges follow the latest view", () => {
    const registry = new AttemptRegistry()
    const first = new RunStats(0, registry)
    first.attemptTransitioned(attempt({ status: "unknown", orderId: null }))
    expect(first.refreshes).toMatchObject({ sent: 0, unconfirmed: 1 })
    first.attemptTransitioned(attempt({}))
    first.attemptTransitioned(attempt({})) // seen again (a retried job): not counted again
    expect(first.refreshes).toMatchObject({ sent: 1, unconfirmed: 0, awaitingOutcome: 2 })
    const second = new RunStats(0, registry)
    second.outcomeRecorded(attempt({ outcomes: { a: "done" } }), "a")
    second.outcomeRecorded(attempt({ status: "failed", outcomes: { a: "done", b: "no_data" } }), "b")
    second.outcomeRecorded(attempt({ status: "failed", outcomes: { a: "done", b: "no_data" } }), "b") // a duplicate event
    expect(second.refreshes).toEqual({ sent: 0, billed: 1, free: 0, notBilled: 1, awaitingOutcome: 0, unconfirmed: 0, reconciled: 0 })
    expect(RunStats.merge(first, second).refreshes).toEqual({ sent: 1, billed: 1, free: 0, notBilled: 1, awaitingOutcome: 0, unconfirmed: 0, reconciled: 0 })
  })

  it("a send whose reply was lost comes back already final (its outcomes recorded meanwhile): it counts as sent, once", () => {
    const s = new RunStats(0)
    s.attemptTransitioned(attempt({ status: "succeeded", outcomes: { a: "done", b: "done" } }))
    s.attemptTransitioned(attempt({ status: "succeeded", outcomes: { a: "done", b: "done" } }))
    s.attemptTransitioned(attempt({ id: "att-2", status: "rejected", orderId: null, rejection: "not-sent" }))
    expect(s.refreshes).toMatchObject({ sent: 1, billed: 0 })
  })

  it("an attempt first seen at its outcome was sent by another process: its billing counts here, its send does not", () => {
    const s = new RunStats(0)
    s.outcomeRecorded(attempt({ status: "succeeded", connectionIds: ["a"], outcomes: { a: "done" }, gseFree: true }), "a")
    expect(s.refreshes).toMatchObject({ sent: 0, billed: 0, free: 1 })
  })

  it("with the writers a shared store reports (ownWrites): only this process's writes count, its send learnt at the outcome if not before", () => {
    const s = new RunStats(0)
    const written = (a: Attempt, ownWrites: { sent: boolean; outcomes: Array<string> }) => ({ ...a, ownWrites })
    // att-1: sent here (its reply lost past the read-back: first seen at its outcome), outcome a here, b elsewhere.
    s.outcomeRecorded(written(attempt({ outcomes: { a: "done" } }), { sent: true, outcomes: ["a"] }), "a")
    s.outcomeRecorded(written(attempt({ status: "succeeded", outcomes: { a: "done", b: "done" } }), { sent: true, outcomes: ["a"] }), "b")
    // att-2: sent elsewhere; both outcomes recorded first by another process, applied here again.
    s.attemptTransitioned(written(attempt({ id: "att-2" }), { sent: false, outcomes: [] }))
    s.outcomeRecorded(written(attempt({ id: "att-2", status: "succeeded", outcomes: { a: "done", b: "done" } }), { sent: false, outcomes: [] }), "a")
    expect(s.refreshes).toMatchObject({ sent: 1, billed: 1, free: 0, notBilled: 0 })
  })

  it("reconciled: counted when a reconcile job's transition settles the attempt, once", () => {
    const s = new RunStats(0)
    s.reconciling.add("att-1")
    s.attemptTransitioned(attempt({}))
    s.attemptTransitioned(attempt({}))
    s.reconciling.delete("att-1")
    const other = attempt({ id: "att-2", status: "sent" })
    s.attemptTransitioned(other) // no reconcile job: sent, not reconciled
    expect(s.refreshes).toMatchObject({ sent: 2, reconciled: 1 })
  })
})
