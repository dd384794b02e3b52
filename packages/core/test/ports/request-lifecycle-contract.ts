/**
 * The verification request lifecycle half of the `RenewalStore` contract (issue 16;
 * renewal-store-contract.ts registers it): a request claimed as an intent is `created`, settled
 * `sent` with its expiry and next due instant; reminders only when due (a repeated sweep changes
 * nothing); `dueRequests` at the exact instants; the transition table enforced (nothing written on
 * a refusal); final states resolve the request; the older queue operations record their steps.
 * The clock starts at NOW, a Sunday: a new order made then expires Thursday 00:00 (72 weekday
 * hours from Monday 00:00); reminders Tuesday 00:00, Wednesday 00:00 and Wednesday 20:00.
 */
import type { RenewalStore, RequestLifecycle, VerificationIntent } from "@recert/core"
import { Clock, Effect } from "effect"
import { TestClock } from "effect/testing"
import { expect } from "vitest"
import { NOW, NOW_ISO } from "../fixtures.js"
import { type ContractSeed, kase, type StoreUnderTest } from "./renewal-store-contract.js"

type Test = (title: string, body: (s: StoreUnderTest) => Effect.Effect<void, unknown>, seed?: ContractSeed) => void

const EXPIRES = "2026-11-26T00:00:00.000Z"
const REMIND_1 = "2026-11-24T00:00:00.000Z"
const REMIND_2 = "2026-11-25T00:00:00.000Z"
const REMIND_3 = "2026-11-25T20:00:00.000Z"

const intent = (over: Partial<VerificationIntent> = {}): VerificationIntent => ({
  caseId: "case-17", kind: "new-order", connectionIds: ["link-1"], reason: "connection.auth-expired", detail: "OAuth expired", createdAt: NOW_ISO, ...over
})

/** A new order claimed and settled created at the clock's now (request 1 at NOW), `sent`. */
/** A request made and answered by Truv at `createdAt` (its life counts from Truv's answer); the clock is put back after. */
const sentRequest = (store: RenewalStore["Service"], createdAt: string = NOW_ISO) => Effect.gen(function*() {
  const before = yield* Clock.currentTimeMillis
  yield* TestClock.setTime(Date.parse(createdAt))
  const { claimed } = yield* store.claimVerifications({ caseId: "case-17", attemptId: null, leaseMs: 60_000, plan: () => [intent({ createdAt })] })
  const id = claimed[0]!.request.id
  yield* store.settleVerification(id, { outcome: "created", bridgeToken: null, shareUrl: "https://truv.example/s/1", orderId: "ord-9" })
  yield* TestClock.setTime(before)
  return id
})

const states = (rs: ReadonlyArray<RequestLifecycle>) => rs.map((r) => [r.id, r.state, r.reminders])

export const registerRequestLifecycle = (test: Test, seedOf: (patch?: Partial<ContractSeed>) => ContractSeed): void => {
  test("a claimed intent is created; settled created it is sent, with its expiry (72 weekday hours) and first reminder due", ({ store }) => Effect.gen(function*() {
    const id = yield* sentRequest(store)
    expect(yield* store.caseRequests("case-17")).toEqual([{
      id, caseId: "case-17", kind: "new-order", connectionIds: ["link-1"], createdAt: NOW_ISO, state: "sent",
      expiresAt: EXPIRES, reminders: 0, lastRemindedAt: null, nextDueAt: REMIND_1,
      transitions: [
        { requestId: id, from: null, to: "created", at: NOW_ISO, reason: "intent stored before asking Truv" },
        { requestId: id, from: "created", to: "sent", at: NOW_ISO, reason: "Truv created the order" }
      ]
    }])
    expect(yield* store.caseRequests("case-other")).toEqual([])
  }))

  test("reminders only when due: at the slot once (a repeat is unchanged), dueRequests at the exact instants", ({ store }) => Effect.gen(function*() {
    const id = yield* sentRequest(store)
    yield* TestClock.setTime(Date.parse(REMIND_1) - 1)
    expect(yield* store.dueRequests(10)).toEqual([])
    const early = yield* store.transitionRequest(id, "reminded", "Truv's reminder 1")
    expect(early._tag).toBe("unchanged")
    yield* TestClock.setTime(Date.parse(REMIND_1))
    expect((yield* store.dueRequests(10)).map((r) => [r.id, r.nextDueAt])).toEqual([[id, REMIND_1]])
    const first = yield* store.transitionRequest(id, "reminded", "Truv's reminder 1")
    expect(first._tag).toBe("applied")
    expect(first.request).toMatchObject({ state: "reminded", reminders: 1, lastRemindedAt: REMIND_1, nextDueAt: REMIND_2 })
    expect((yield* store.transitionRequest(id, "reminded", "Truv's reminder 1")).request.reminders).toBe(1)
    expect(yield* store.dueRequests(10)).toEqual([])
    yield* TestClock.setTime(Date.parse(REMIND_3))
    // Two slots past: one reminder, the next due is the expiry.
    const caught = yield* store.transitionRequest(id, "reminded", "Truv's reminder 2")
    expect(caught.request).toMatchObject({ reminders: 2, lastRemindedAt: REMIND_3, nextDueAt: EXPIRES })
    yield* TestClock.setTime(Date.parse(EXPIRES))
    expect(states(yield* store.dueRequests(10))).toEqual([[id, "reminded", 2]])
    // Expired: final, resolved, no longer open nor due.
    const expired = yield* store.transitionRequest(id, "expired", "expired unanswered")
    expect(expired.request).toMatchObject({ state: "expired", nextDueAt: null })
    expect(yield* store.dueRequests(10)).toEqual([])
    expect(yield* store.openVerificationsForCase("case-17")).toEqual([])
    expect((yield* store.caseRequests("case-17"))[0]!.transitions.map((t) => [t.from, t.to, t.at])).toEqual([
      [null, "created", NOW_ISO], ["created", "sent", NOW_ISO], ["sent", "reminded", REMIND_1], ["reminded", "reminded", REMIND_3], ["reminded", "expired", EXPIRES]
    ])
  }))

  test("the table is enforced: a refused move writes nothing; the same final state again is unchanged; an unknown id is RequestNotFound", ({ store }) => Effect.gen(function*() {
    const id = yield* sentRequest(store)
    const done = yield* store.transitionRequest(id, "completed", "order ord-9 completed", "2026-11-23T12:00:00.000Z")
    expect(done).toMatchObject({ _tag: "applied", request: { state: "completed", nextDueAt: null } })
    expect(yield* store.openVerificationsForCase("case-17")).toEqual([])
    expect((yield* store.transitionRequest(id, "completed", "again"))._tag).toBe("unchanged")
    const refused = yield* Effect.flip(store.transitionRequest(id, "expired", "late sweep"))
    expect(refused).toMatchObject({ _tag: "IllegalRequestTransition", requestId: id, from: "completed", to: "expired" })
    expect(refused.message).toBe(`verification request ${id}: illegal transition completed -> expired`)
    expect((yield* store.caseRequests("case-17"))[0]!.transitions.map((t) => [t.to, t.at, t.reason]).at(-1)).toEqual(["completed", "2026-11-23T12:00:00.000Z", "order ord-9 completed"])
    expect(yield* Effect.flip(store.transitionRequest(999, "completed", "x"))).toMatchObject({ _tag: "RequestNotFound", requestId: 999 })
    // An intent never sent cannot expire.
    const { claimed } = yield* store.claimVerifications({ caseId: "case-17", attemptId: null, leaseMs: 60_000, plan: () => [intent({ connectionIds: ["link-2"] })] })
    expect(yield* Effect.flip(store.transitionRequest(claimed[0]!.request.id, "expired", "x"))).toMatchObject({ _tag: "IllegalRequestTransition", from: "created", to: "expired" })
  }))

  test("the queue's older operations record their steps: enqueue (created, sent), resolve (completed, superseded), a forgotten intent leaves nothing", ({ store }) => Effect.gen(function*() {
    yield* store.enqueueVerification({
      caseId: "case-17", kind: "bridge-update", connectionIds: ["link-1"], reason: "connection.needs-user", detail: "login_error",
      bridgeToken: "b-1", shareUrl: null, orderId: null, createdAt: NOW_ISO
    })
    const id = yield* sentRequest(store)
    yield* TestClock.setTime(NOW + 60_000)
    expect(yield* store.resolveVerification(1, "handled")).toBe(true)
    expect(yield* store.resolveVerification(id, "superseded")).toBe(true)
    const { claimed } = yield* store.claimVerifications({ caseId: "case-17", attemptId: null, leaseMs: 60_000, plan: () => [intent({ connectionIds: ["link-2"] })] })
    expect(yield* store.settleVerification(claimed[0]!.request.id, { outcome: "forgotten", claim: claimed[0]!.claim })).toBe(true)
    const rs = yield* store.caseRequests("case-17")
    expect(rs.map((r) => [r.id, r.kind, r.state, r.expiresAt])).toEqual([[1, "bridge-update", "completed", "2026-11-22T16:00:00.000Z"], [id, "new-order", "superseded", EXPIRES]])
    expect(rs[0]!.transitions.map((t) => [t.from, t.to, t.reason])).toEqual([
      [null, "created", "queued"], ["created", "sent", "queued with Truv's answer"], ["sent", "completed", "handled"]
    ])
    expect(rs[1]!.transitions.map((t) => t.to)).toEqual(["created", "sent", "superseded"])
  }))

  test("expireRequest: not before its expiry; expired and replaced twice (default), then escalated, final", ({ store }) => Effect.gen(function*() {
    const first = yield* sentRequest(store)
    yield* TestClock.setTime(Date.parse(EXPIRES) - 1)
    expect(yield* store.expireRequest(first)).toEqual({ _tag: "not-due", expiresAt: EXPIRES })
    yield* TestClock.setTime(Date.parse(EXPIRES))
    expect(yield* store.expireRequest(first)).toEqual({ _tag: "expired", replace: true, reason: "expired unanswered; replaced (replacement 1 of at most 2 this cycle)" })
    expect(yield* store.expireRequest(first)).toEqual({ _tag: "final", state: "expired" })
    // Thursday 00:00 + 72 weekday hours: Tuesday 2026-12-01 00:00 (the weekend not counted).
    const second = yield* sentRequest(store, EXPIRES)
    yield* TestClock.setTime(Date.parse("2026-12-01T00:00:00.000Z"))
    expect(yield* store.expireRequest(second)).toMatchObject({ _tag: "expired", replace: true, reason: "expired unanswered; replaced (replacement 2 of at most 2 this cycle)" })
    const third = yield* sentRequest(store, "2026-12-01T00:00:00.000Z")
    yield* TestClock.setTime(Date.parse("2026-12-04T00:00:00.000Z") - 1)
    expect((yield* store.expireRequest(third))._tag).toBe("not-due")
    yield* TestClock.setTime(Date.parse("2026-12-04T00:00:00.000Z"))
    expect(yield* store.expireRequest(third)).toEqual({ _tag: "escalated", reason: "expired unanswered; 3 links this cycle, 2 replacements allowed: escalated to a caseworker" })
    expect(yield* store.expireRequest(third)).toEqual({ _tag: "final", state: "escalated" })
    expect(states(yield* store.caseRequests("case-17"))).toEqual([[first, "expired", 0], [second, "expired", 0], [third, "escalated", 0]])
    expect(yield* store.dueRequests(10)).toEqual([])
    expect(yield* Effect.flip(store.expireRequest(999))).toMatchObject({ _tag: "RequestNotFound", requestId: 999 })
  }))

  test("expireRequest: a request of a case verified since it was sent expires without a replacement", ({ store }) => Effect.gen(function*() {
    // Made on Saturday (expires Thursday 00:00 like the others); the case was verified on Sunday 09:00.
    const id = yield* sentRequest(store, "2026-11-21T10:00:00.000Z")
    yield* TestClock.setTime(Date.parse(EXPIRES))
    expect(yield* store.expireRequest(id)).toEqual({ _tag: "expired", replace: false, reason: "expired unanswered; the case no longer needs it (verified since it was sent)" })
  }), seedOf({ cases: [{ ...kase, lastVerifiedAt: "2026-11-22T09:00:00.000Z" }] }))
}
