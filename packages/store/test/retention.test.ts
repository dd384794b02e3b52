/**
 * Retention (issue 19), on every dialect: the redaction pass at its boundaries (exactly at
 * delivery + retention, one millisecond before), never touching a case with an open request or an
 * undelivered event, idempotent when run again, by hand for a case and before an instant, and the
 * closing of a case (never due again, its requests canceled, its retention clock started, its
 * lineage's access tokens erased after it unless another case on the lineage is open). A
 * redacted case still reads: its ledger, its verifications' figures, and what is gone says so.
 */
import { incomeSnapshot, verificationRecord } from "@recert/core/testing"
import { DEFAULT_RETENTION_POLICY, type VerificationRequest } from "@recert/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { HOUR, NOW, run, seed } from "./support/fixtures.js"

const DAY = 24 * HOUR
const T1 = "2026-11-20T10:00:00.000Z"
const iso = (ms: number) => new Date(ms).toISOString()
const policy = { scope: { policy: DEFAULT_RETENTION_POLICY }, reason: "retention policy", dryRun: false } as const

const link = (caseId: string): VerificationRequest => ({
  caseId, kind: "new-order", connectionIds: [`${caseId.slice(5)}-l1`], reason: "connection.needs-user", detail: "login_error",
  bridgeToken: null, shareUrl: "https://truv.example/share/1", orderId: "new-1", createdAt: iso(NOW)
})

/** Case `case-<root>` with two verifications: `o1` saved at NOW, `o2` (the latest) at NOW + 1 h. */
const twoVerifications = (root: string) => Effect.gen(function*() {
  const store = yield* Store
  yield* seed(root)
  const first = verificationRecord({ caseId: `case-${root}`, orderId: `${root}-o1`, fetchedAt: T1 })
  yield* store.saveVerification(first)
  yield* TestClock.setTime(NOW + HOUR)
  yield* store.saveVerification(verificationRecord({ caseId: `case-${root}`, orderId: `${root}-o2`, fetchedAt: T1, previous: incomeSnapshot({ orderId: `${root}-o1`, fetchedAt: T1 }) }))
})

/** The pieces of `caseId` a pass redacted (the suite's tests share a database: a policy pass sees every test's cases). */
const pieces = (r: { readonly redacted: ReadonlyArray<{ readonly caseId: string; readonly target: string; readonly ref: string }> }, caseId: string) =>
  r.redacted.filter((p) => p.caseId === caseId).map((p) => `${p.target} ${p.ref}`)
const heldOf = <H extends { readonly caseId: string }>(r: { readonly held: ReadonlyArray<H> }, caseId: string) => r.held.filter((h) => h.caseId === caseId)

for (const dialect of DIALECTS) {
  describe(`retention on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("the policy redacts exactly at delivery + retention, not one millisecond before, and a second pass redacts nothing", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* twoVerifications("ra")
        yield* TestClock.setTime(NOW + 7 * DAY - 1)
        const before = yield* store.redact(policy)
        yield* TestClock.setTime(NOW + 7 * DAY)
        const at = yield* store.redact(policy)
        const again = yield* store.redact(policy)
        const [v1, v2] = yield* store.listVerifications("case-ra")
        return { before, at, again, v1: v1!, v2: v2!, records: yield* store.redactionsForCase("case-ra"), ledger: yield* store.ledgerForCase("case-ra") }
      }))
      expect(pieces(r.before, "case-ra")).toEqual([])
      expect(r.before.waiting).toBe(5)
      // o2 is an hour younger (kept), and as the open case's latest verification its statements are its next renewal's baseline.
      expect(pieces(r.at, "case-ra")).toEqual(["verification.raw ra-o1", "verification.statements ra-o1"])
      expect(heldOf(r.at, "case-ra")).toEqual([{ caseId: "case-ra", target: "verification.statements", ref: "ra-o2", holds: ["baseline-of-open-case"] }])
      expect(pieces(r.again, "case-ra")).toEqual([])
      expect(r.v1.raw).toEqual({ redacted: { at: iso(NOW + 7 * DAY), reason: "retention policy" } })
      expect(r.v1.snapshot.employers.map((e) => e.statements)).toEqual([[], []])
      expect(r.v1.result.summary).not.toBeNull()
      expect(r.v2.raw).not.toHaveProperty("redacted")
      expect(r.records.map((x) => [x.target, x.ref, x.kind, x.at, x.reason])).toEqual([
        ["verification.raw", "ra-o1", "rawReports", iso(NOW + 7 * DAY), "retention policy"],
        ["verification.statements", "ra-o1", "payStatements", iso(NOW + 7 * DAY), "retention policy"]
      ])
      expect(r.records[1]!.rows).toBeGreaterThan(0)
      expect(r.ledger).toEqual([])
    })

    test("an open request holds the whole case, by policy, by hand and before any instant; resolved, its link goes after its own clock", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* twoVerifications("rb")
        yield* store.enqueueVerification(link("case-rb"))
        const open = (yield* store.openVerificationsForCase("case-rb"))[0]!
        yield* TestClock.setTime(NOW + 400 * DAY)
        const byPolicy = yield* store.redact(policy)
        const byCase = yield* store.redact({ scope: { caseId: "case-rb" }, reason: "by hand", dryRun: false })
        const byBefore = yield* store.redact({ scope: { before: NOW + 500 * DAY }, reason: "by hand", dryRun: false })
        yield* store.resolveVerification(open.id, "handled")
        yield* TestClock.setTime(NOW + 407 * DAY - 1)
        const minus = yield* store.redact(policy)
        yield* TestClock.setTime(NOW + 407 * DAY)
        const exact = yield* store.redact(policy)
        const row = (yield* store.listVerificationQueue({ includeResolved: true })).find((q) => q.id === open.id)!
        return { byPolicy, byCase, byBefore, minus, exact, row, redactions: yield* store.redactionsForCase("case-rb") }
      }))
      for (const held of [r.byPolicy, r.byCase, r.byBefore]) {
        expect(pieces(held, "case-rb")).toEqual([])
        expect(heldOf(held, "case-rb").every((h) => h.holds.includes("open-request"))).toBe(true)
        expect(heldOf(held, "case-rb").length).toBe(7)
      }
      expect(pieces(r.minus, "case-rb")).toContain("verification.raw rb-o1")
      expect(pieces(r.minus, "case-rb")).not.toContain(`verification_queue.contact ${r.row.id}`)
      expect(pieces(r.exact, "case-rb")).toEqual([`verification_queue.contact ${r.row.id}`])
      expect([r.row.shareUrl, r.row.bridgeToken]).toEqual([null, null])
    })

    test("a dry run lists what would go and writes nothing", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* twoVerifications("rd")
        const dry = yield* store.redact({ scope: { caseId: "case-rd" }, reason: "by hand", dryRun: true })
        return { dry, records: yield* store.redactionsForCase("case-rd"), raw: (yield* store.listVerifications("case-rd"))[0]!.raw }
      }))
      expect(r.dry.redacted.map((p) => [p.target, p.ref, p.rows])).toEqual([
        ["verification.raw", "rd-o1", null], ["verification.raw", "rd-o2", null], ["verification.statements", "rd-o1", null],
        ["outbox_events.payload", r.dry.redacted[3]!.ref, null], ["outbox_events.payload", r.dry.redacted[4]!.ref, null]
      ])
      expect(r.records).toEqual([])
      expect(r.raw).not.toHaveProperty("redacted")
    })

    test("closing a case: never due again, open requests canceled, pending jobs gone, its clock started; closing again changes nothing", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* twoVerifications("re")
        yield* store.enqueueVerification(link("case-re"))
        yield* store.enqueueJobs([{ kind: "renew", key: "renew:case-re", payload: { caseId: "case-re" }, runAt: iso(NOW), maxAttempts: 3 }])
        const dueBefore = yield* store.countDue("2027-01-01T00:00:00.000Z")
        yield* TestClock.setTime(NOW + 2 * DAY)
        const closed = yield* store.closeCase("case-re", "moved out of state")
        yield* TestClock.setTime(NOW + 3 * DAY)
        const again = yield* store.closeCase("case-re", "another reason")
        const dueAfter = yield* store.countDue("2027-01-01T00:00:00.000Z")
        yield* TestClock.setTime(NOW + 9 * DAY - 1)
        const minus = yield* store.redact(policy)
        yield* TestClock.setTime(NOW + 9 * DAY)
        const exact = yield* store.redact(policy)
        const missing = yield* Effect.flip(store.closeCase("case-nope", null))
        const tokens = yield* Effect.forEach(["re-l1", "re-l2"], (id) => Effect.map(Effect.flip(store.accessToken(id)), (e) => e._tag))
        return { dueBefore, closed, again, dueAfter, minus, exact, open: yield* store.openVerificationsForCase("case-re"), missing, tokens }
      }))
      expect(r.dueBefore - r.dueAfter).toBe(1)
      expect(r.closed).toEqual({ caseId: "case-re", closedAt: iso(NOW + 2 * DAY), reason: "moved out of state", alreadyClosed: false, canceledRequests: [r.closed.canceledRequests[0]], removedJobs: 1 })
      expect(r.again).toEqual({ ...r.closed, alreadyClosed: true, canceledRequests: [], removedJobs: 0 })
      expect(r.open).toEqual([])
      expect(r.missing._tag).toBe("CaseNotFound")
      // Closed: the latest verification is nobody's baseline any more; every verification's clock ran from its delivery.
      expect(pieces(r.minus, "case-re")).toEqual(["verification.raw re-o1", "verification.raw re-o2", "verification.statements re-o1", "verification.statements re-o2"])
      // The request canceled by the closing at + 2 d: its link goes 7 days later, to the millisecond;
      // so do the access tokens of the lineage, whose only case it was.
      expect(pieces(r.exact, "case-re")).toEqual([`verification_queue.contact ${r.closed.canceledRequests[0]}`, "connections.access_token re-l1", "connections.access_token re-l2"])
      expect(r.tokens).toEqual(["StoreError", "StoreError"])
    })

    test("the client's contact: kept while the case lives (every cycle's new order needs it), redacted exactly 7 days after the closing, not one millisecond before", async () => {
      const csv = "id,dueAt,cycle,rootOrderId,firstName,lastName,email\ncase-rk,2026-12-01T00:00:00Z,annual,rk,Ann,Lee,ann.lee@example.org\n"
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("rk", "case-rk0")
        yield* store.importCases(csv, "csv", { reach: "truv-sends" })
        yield* TestClock.setTime(NOW + 400 * DAY)
        const living = yield* store.redact(policy)
        const kept = yield* store.caseContact("case-rk")
        yield* store.closeCase("case-rk", "moved out of state")
        yield* TestClock.setTime(NOW + 407 * DAY - 1)
        const minus = yield* store.redact(policy)
        yield* TestClock.setTime(NOW + 407 * DAY)
        const exact = yield* store.redact(policy)
        const again = yield* store.redact(policy)
        return { living, kept: kept !== null, minus, exact, again, gone: yield* store.caseContact("case-rk"), records: yield* store.redactionsForCase("case-rk") }
      }))
      expect(pieces(r.living, "case-rk")).toEqual([])
      expect(r.kept).toBe(true)
      expect(pieces(r.minus, "case-rk")).toEqual([])
      expect(pieces(r.exact, "case-rk")).toEqual(["case_contacts.row case-rk"])
      expect(pieces(r.again, "case-rk")).toEqual([])
      expect(r.gone).toBeNull()
      expect(r.records.map((x) => [x.target, x.ref, x.kind, x.at, x.rows])).toEqual([["case_contacts.row", "case-rk", "clientContact", iso(NOW + 407 * DAY), 1]])
    })

    test("a case imported closed (closedAt, closedReason): never due, its retention clock started at closedAt; bad closing columns refused with line and field, nothing stored", async () => {
      const header = "id,dueAt,cycle,rootOrderId,firstName,lastName,email,closedAt,closedReason\n"
      const closedAt = iso(NOW - DAY)
      const good = header + `case-rl,2026-12-01T00:00:00Z,annual,rl,Ann,Lee,ann.lee@example.org,${closedAt},moved out of state\ncase-rl2,2026-12-01T00:00:00Z,annual,rl,Bo,Ma,bo.ma@example.org,,\n`
      const bad = header + "case-rm,2026-12-01T00:00:00Z,annual,rl,Ann,Lee,ann@example.org,yesterday,\ncase-rm2,2026-12-01T00:00:00Z,annual,rl,Ann,Lee,ann@example.org,2099-01-01T00:00:00Z,\ncase-rm3,2026-12-01T00:00:00Z,annual,rl,Ann,Lee,ann@example.org,,why\n"
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("rl", "case-rl0")
        const dueBefore = yield* store.countDue("2027-01-01T00:00:00.000Z")
        const refused = yield* Effect.flip(store.importCases(bad, "csv", { reach: "truv-sends" }))
        yield* store.importCases(good, "csv", { reach: "truv-sends" })
        const dueAfter = yield* store.countDue("2027-01-01T00:00:00.000Z")
        const again = yield* store.closeCase("case-rl", "another")
        yield* TestClock.setTime(NOW - DAY + 7 * DAY - 1)
        const minus = yield* store.redact(policy)
        yield* TestClock.setTime(NOW - DAY + 7 * DAY)
        const exact = yield* store.redact(policy)
        return { dueBefore, dueAfter, refused, again, minus, exact, open: yield* store.caseContact("case-rl2") }
      }))
      // Only the open one of the two is due.
      expect(r.dueAfter - r.dueBefore).toBe(1)
      expect("issues" in r.refused ? r.refused.issues : r.refused).toEqual([
        { line: 2, field: "closedAt", message: "expected an ISO-8601 instant, e.g. 2026-11-30T17:00:00Z" },
        { line: 3, field: "closedAt", message: "is in the future: a case is closed when it was closed, not ahead of time" },
        { line: 4, field: "closedReason", message: "a reason needs closedAt (the instant the case was closed)" }
      ])
      // Closing it again changes nothing: closed at the imported instant, for the imported reason.
      expect([r.again.alreadyClosed, r.again.closedAt, r.again.reason]).toEqual([true, closedAt, "moved out of state"])
      expect(pieces(r.minus, "case-rl")).toEqual([])
      // Its contact goes; not the lineage's access tokens, which serve the open case-rl2 (and case-rl0).
      expect(pieces(r.exact, "case-rl")).toEqual(["case_contacts.row case-rl"])
      expect(pieces(r.exact, "case-rl2")).toEqual([])
      expect(r.open).not.toBeNull()
    })

    // Last: its destination makes every later event of the shared database owed to it.
    test("an undelivered event holds the case; the clock starts at the last destination's 2xx", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* store.fanOutDeliveries([{ name: "agency", types: null }]) // a destination exists before the case's events
        yield* twoVerifications("rc")
        yield* store.fanOutDeliveries([{ name: "agency", types: null }])
        yield* TestClock.setTime(NOW + 100 * DAY)
        const pending = yield* store.redact({ scope: { caseId: "case-rc" }, reason: "by hand", dryRun: false })
        const claimed = yield* store.claimDeliveries({ workerId: "w", destination: "agency", limit: 10, leaseMs: HOUR })
        const first = claimed.find((c) => c.caseId === "case-rc")!
        yield* store.completeDelivery({ destination: "agency", eventSeq: first.eventSeq }, "w", 200)
        const second = (yield* store.claimDeliveries({ workerId: "w", destination: "agency", limit: 10, leaseMs: HOUR })).find((c) => c.caseId === "case-rc")!
        yield* TestClock.setTime(NOW + 101 * DAY)
        yield* store.completeDelivery({ destination: "agency", eventSeq: second.eventSeq }, "w", 200)
        yield* TestClock.setTime(NOW + 108 * DAY - 1)
        const minus = yield* store.redact(policy)
        yield* TestClock.setTime(NOW + 108 * DAY)
        const exact = yield* store.redact(policy)
        return { pending, minus, exact }
      }))
      expect(pieces(r.pending, "case-rc")).toEqual([])
      expect(heldOf(r.pending, "case-rc").every((h) => h.holds.includes("undelivered-event"))).toBe(true)
      expect(heldOf(r.pending, "case-rc").length).toBe(6)
      // o1's event was delivered at NOW + 100 d (its clock ran out at + 107 d), o2's at + 101 d.
      expect(pieces(r.minus, "case-rc")).toEqual(["verification.raw rc-o1", "verification.statements rc-o1"])
      expect(pieces(r.exact, "case-rc")).toEqual(["verification.raw rc-o2"])
    })
  })
}
