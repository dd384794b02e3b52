import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { InMemoryRenewalStore, makeInMemoryRenewalStore, RenewalStore, type InMemoryStoreSeed } from "@recert/core"
import { attempt, connection, DAY, HOUR, iso, lineage, NOW, NOW_ISO } from "../fixtures.js"

const kase = { id: "case-17", dueAt: iso(NOW + 5 * DAY), cycle: "annual" as const, rootOrderId: "ord-1" }
const seed = (patch: Partial<InMemoryStoreSeed> = {}): InMemoryStoreSeed => ({
  cases: [kase],
  lineages: [lineage([connection("link-1"), connection("link-2")])],
  accessTokens: { "link-1": "tok-1" },
  ...patch
})

/** Runs a program with the TestClock set to `at`. */
const runAt = <A, E>(program: Effect.Effect<A, E>, at = NOW) =>
  Effect.runPromise(Effect.gen(function*() {
    yield* TestClock.setTime(at)
    return yield* program
  }).pipe(Effect.provide(TestClock.layer())))

const runAtExit = <A, E>(program: Effect.Effect<A, E>, at = NOW) => runAt(Effect.result(program), at)

describe("makeInMemoryRenewalStore", () => {
  it("loadSnapshot reads the case, its lineage and its ledger", async () => {
    const store = makeInMemoryRenewalStore(seed({ ledger: [attempt(NOW - HOUR, ["link-1"], { id: "att-a" })] }))
    const snap = await runAt(store.loadSnapshot("case-17"))
    expect(snap.case.id).toBe("case-17")
    expect(snap.lineage.connections.map((c) => c.id)).toEqual(["link-1", "link-2"])
    expect(snap.ledger.map((a) => a.id)).toEqual(["att-a"])
  })

  it("loadSnapshot of an unknown case fails CaseNotFound", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const r = await runAtExit(store.loadSnapshot("nope"))
    expect(r._tag).toBe("Failure")
    if (r._tag === "Failure") expect(r.failure).toMatchObject({ _tag: "CaseNotFound", caseId: "nope" })
  })

  it("reserve decides at the Clock's now and inserts a reserved attempt for the refreshable connections", async () => {
    const store = makeInMemoryRenewalStore(seed({
      lineages: [lineage([connection("link-1"), connection("link-2", { lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) })])]
    }))
    const { decision, attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    expect(decision.verdict).toBe("refresh")
    expect(decision.at).toBe(NOW_ISO)
    expect(a).toEqual({
      id: "att-1", at: NOW_ISO, product: "income", connectionIds: ["link-1"], status: "reserved",
      orderId: null, rejection: null, outcomes: {}, resolvedAt: null, gseFree: false
    })
    const state = store.snapshotState()
    expect(state.attempts).toEqual([a])
    expect(state.ledgers["ord-1"]).toEqual([a])
    expect(state.decisions).toEqual([{ caseId: "case-17", decision }])
  })

  it("reserve inserts nothing for a case re-verified since the caller's snapshot (notNeeded)", async () => {
    const store = makeInMemoryRenewalStore(seed({ cases: [{ ...kase, lastVerifiedAt: iso(NOW - HOUR) }] }))
    const r = await runAt(store.reserve({ caseId: "case-17", product: null }))
    expect(r.attempt).toBeNull()
    expect(r.notNeeded).toBe(`already re-verified ${iso(NOW - HOUR).slice(0, 10)} for this cycle`)
    expect(store.snapshotState().attempts).toEqual([])
  })

  it("a second reserve sees the first one in flight and inserts nothing", async () => {
    const store = makeInMemoryRenewalStore(seed())
    await runAt(store.reserve({ caseId: "case-17", product: null }))
    const second = await runAt(store.reserve({ caseId: "case-17", product: null }), NOW + 1)
    expect(second.attempt).toBeNull()
    expect(second.decision.verdict).toBe("wait")
    expect(second.decision.reasons.map((r) => r.code)).toEqual(["refresh.in-flight"])
    expect(store.snapshotState().attempts).toHaveLength(1)
  })

  it("reserve honours the rate window from the seeded ledger and the store's config", async () => {
    const ledger = [attempt(NOW - 3 * HOUR), attempt(NOW - 2 * HOUR)]
    const strict = makeInMemoryRenewalStore(seed({ lineages: [lineage()], ledger }), { rateWindow: { limit: 2 } })
    const r = await runAt(strict.reserve({ caseId: "case-17", product: null }))
    expect(r.attempt).toBeNull()
    expect(r.decision.nextEligibleAt).toBe(iso(NOW - 3 * HOUR + 24 * HOUR))
    const lax = makeInMemoryRenewalStore(seed({ lineages: [lineage()], ledger }))
    expect((await runAt(lax.reserve({ caseId: "case-17", product: null }))).attempt?.connectionIds).toEqual(["link-1"])
  })

  it("reserve of an explicit product records it; an employment refresh of an income order is allowed", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const r = await runAt(store.reserve({ caseId: "case-17", product: "employment" }))
    expect(r.attempt?.product).toBe("employment")
  })

  it("reserve on a GSE lineage marks the attempt gseFree while the quota lasts", async () => {
    const store = makeInMemoryRenewalStore(seed({ lineages: [lineage([connection("link-1")], { gse: true })] }))
    const r = await runAt(store.reserve({ caseId: "case-17", product: null }))
    expect(r.attempt?.gseFree).toBe(true)
    expect(r.decision.cost).toEqual({ billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 5 })
  })

  it("transitionAttempt follows the state machine and applies the patch", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    const sent = await runAt(store.transitionAttempt(a!.id, "sent", { orderId: "ord-2" }))
    expect(sent).toMatchObject({ status: "sent", orderId: "ord-2" })
    const bad = await runAtExit(store.transitionAttempt(a!.id, "reserved"))
    expect(bad._tag).toBe("Failure")
    if (bad._tag === "Failure") {
      expect(bad.failure).toMatchObject({ _tag: "IllegalTransition", attemptId: a!.id, from: "sent", to: "reserved" })
      expect(bad.failure.message).toBe(`attempt ${a!.id}: illegal transition sent -> reserved`)
    }
    expect(store.snapshotState().attempts[0]!.status).toBe("sent")
  })

  it("transitionAttempt to rejected records the rejection; the attempt stops counting", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    const rejected = await runAt(store.transitionAttempt(a!.id, "rejected", { rejection: "refresh-limit", resolvedAt: NOW_ISO }))
    expect(rejected).toMatchObject({ status: "rejected", rejection: "refresh-limit", resolvedAt: NOW_ISO })
    const again = await runAt(store.reserve({ caseId: "case-17", product: null }), NOW + 1)
    expect(again.decision.verdict).toBe("refresh")
    expect(again.decision.connections[0]!.remainingInWindow).toBe(3)
  })

  it("transitionAttempt of an unknown attempt fails AttemptNotFound", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const r = await runAtExit(store.transitionAttempt("att-x", "sent"))
    if (r._tag === "Failure") expect(r.failure).toMatchObject({ _tag: "AttemptNotFound", attemptId: "att-x" })
    else expect.unreachable()
  })

  it("recordOutcome resolves the attempt when every connection has an outcome, and is idempotent", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    await runAt(store.transitionAttempt(a!.id, "sent", { orderId: "ord-2" }))
    const half = await runAt(store.recordOutcome(a!.id, "link-1", "done", iso(NOW + 5 * 60_000)))
    expect(half).toMatchObject({ status: "sent", outcomes: { "link-1": "done" }, resolvedAt: iso(NOW + 5 * 60_000) })
    const full = await runAt(store.recordOutcome(a!.id, "link-2", "done", iso(NOW + 6 * 60_000)))
    expect(full).toMatchObject({ status: "succeeded", outcomes: { "link-1": "done", "link-2": "done" }, resolvedAt: iso(NOW + 6 * 60_000) })
    const dup = await runAt(store.recordOutcome(a!.id, "link-2", "login_error", iso(NOW + 7 * 60_000)))
    expect(dup).toEqual(full)
    const conn = store.snapshotState().lineages[0]!.connections.find((c) => c.id === "link-2")!
    expect(conn.lastTaskStatus).toBe("done")
    expect(conn.lastStatusAt).toBe(iso(NOW + 6 * 60_000))
  })

  it("recordOutcome with any failure makes the attempt failed and updates the connection's status", async () => {
    const store = makeInMemoryRenewalStore(seed({ lineages: [lineage()] }))
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    await runAt(store.transitionAttempt(a!.id, "sent", { orderId: "ord-2" }))
    const r = await runAt(store.recordOutcome(a!.id, "link-1", "login_error", iso(NOW + HOUR)))
    expect(r.status).toBe("failed")
    const c = store.snapshotState().lineages[0]!.connections[0]!
    expect([c.lastTaskStatus, c.lastStatusAt]).toEqual(["login_error", iso(NOW + HOUR)])
    const next = await runAt(store.reserve({ caseId: "case-17", product: null }), NOW + 2 * HOUR)
    expect(next.decision.verdict).toBe("reauthenticate")
  })

  it("recordOutcome on a still-reserved attempt (webhook before our own record) goes through sent", async () => {
    const store = makeInMemoryRenewalStore(seed({ lineages: [lineage()] }))
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    expect((await runAt(store.recordOutcome(a!.id, "link-1", "done", NOW_ISO))).status).toBe("succeeded")
  })

  it("recordOutcome refuses a rejected attempt, a foreign connection and a non-final status", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    const foreign = await runAtExit(store.recordOutcome(a!.id, "link-9", "done", NOW_ISO))
    if (foreign._tag === "Failure") expect(foreign.failure).toMatchObject({ _tag: "StoreError", operation: "recordOutcome" })
    else expect.unreachable()
    const progress = await runAtExit(store.recordOutcome(a!.id, "link-1", "parse", NOW_ISO))
    if (progress._tag === "Failure") expect(progress.failure.message).toBe("parse is not a final task status")
    else expect.unreachable()
    await runAt(store.transitionAttempt(a!.id, "rejected", { rejection: "throttled" }))
    const r = await runAtExit(store.recordOutcome(a!.id, "link-1", "done", NOW_ISO))
    if (r._tag === "Failure") expect(r.failure).toMatchObject({ _tag: "IllegalTransition", from: "rejected" })
    else expect.unreachable()
  })

  it("an older status does not overwrite a newer one (out-of-order webhooks)", async () => {
    const store = makeInMemoryRenewalStore(seed({ lineages: [lineage([connection("link-1", { lastTaskStatus: "done", lastStatusAt: iso(NOW + HOUR) })])] }))
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }), NOW + 2 * HOUR)
    await runAt(store.recordOutcome(a!.id, "link-1", "unavailable", iso(NOW)))
    expect(store.snapshotState().lineages[0]!.connections[0]!.lastTaskStatus).toBe("done")
  })

  it("findAttemptByOrderId, appendOrder (idempotent), updateConnection, accessToken", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const { attempt: a } = await runAt(store.reserve({ caseId: "case-17", product: null }))
    await runAt(store.transitionAttempt(a!.id, "sent", { orderId: "ord-2" }))
    expect(await runAt(store.findAttemptByOrderId("ord-2"))).toMatchObject({ caseId: "case-17", attempt: { id: a!.id } })
    expect(await runAt(store.findAttemptByOrderId("ord-x"))).toBeNull()
    const order = { id: "ord-2", parentId: "ord-1", createdAt: NOW_ISO }
    await runAt(store.appendOrder("ord-1", order))
    await runAt(store.appendOrder("ord-1", order))
    expect(store.snapshotState().lineages[0]!.orders.map((o) => o.id)).toEqual(["ord-1", "ord-2"])
    await runAt(store.updateConnection("link-2", { authenticatedAt: NOW_ISO, lastTaskStatus: "done" }))
    expect(store.snapshotState().lineages[0]!.connections[1]).toMatchObject({ authenticatedAt: NOW_ISO, lastTaskStatus: "done" })
    expect(Redacted.value(await runAt(store.accessToken("link-1")))).toBe("tok-1")
    const missing = await runAtExit(store.accessToken("link-2"))
    expect(missing._tag).toBe("Failure")
    const noLineage = await runAtExit(store.appendOrder("ord-9", order))
    expect(noLineage._tag).toBe("Failure")
    const noConn = await runAtExit(store.updateConnection("link-9", {}))
    expect(noConn._tag).toBe("Failure")
  })

  it("unresolvedAttempts lists in-flight attempts made before an instant", async () => {
    const store = makeInMemoryRenewalStore(seed({
      ledger: [attempt(NOW - 2 * HOUR, ["link-1"], { id: "old", status: "unknown" }), attempt(NOW - HOUR, ["link-2"], { id: "done" })]
    }))
    // The unknown income attempt blocks another income refresh, but not an employment one.
    expect((await runAt(store.reserve({ caseId: "case-17", product: null }))).attempt).toBeNull()
    expect((await runAt(store.reserve({ caseId: "case-17", product: "employment" }))).attempt?.id).toBe("att-1")
    const list = await runAt(store.unresolvedAttempts(iso(NOW)))
    expect(list.map((x) => [x.caseId, x.attempt.id])).toEqual([["case-17", "old"]])
    expect((await runAt(store.unresolvedAttempts(iso(NOW + 1)))).map((x) => x.attempt.id)).toEqual(["old", "att-1"])
  })

  it("keeps the verification queue and results", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const request = { caseId: "case-17", kind: "bridge-update" as const, connectionIds: ["link-1"], reason: "connection.auth-expired",
      detail: "expired", bridgeToken: "b-1", shareUrl: null, orderId: null, createdAt: NOW_ISO }
    const result = { caseId: "case-17", orderId: "ord-2", product: "income" as const, receivedAt: NOW_ISO,
      employmentStatus: "active", annualIncome: 52000, payPeriods: 26, data: { x: 1 } }
    await runAt(Effect.all([store.enqueueVerification(request), store.saveResult(result)]))
    expect(store.snapshotState().verificationQueue).toEqual([{ ...request, id: 1, resolvedAt: null, resolution: null }])
    expect(store.snapshotState().results).toEqual([result])
  })

  it("lists a case's open requests oldest first and resolves one once (superseded, or handled by default)", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const request = (over: Record<string, unknown>) => ({ caseId: "case-17", kind: "bridge-update" as const, connectionIds: ["link-1"], reason: "connection.needs-user",
      detail: "login_error", bridgeToken: "b-1", shareUrl: null, orderId: null, createdAt: NOW_ISO, ...over })
    await runAt(Effect.all([
      store.enqueueVerification(request({ createdAt: iso(NOW + HOUR), bridgeToken: "b-2" })),
      store.enqueueVerification(request({})),
      store.enqueueVerification(request({ caseId: "case-other", bridgeToken: "b-3" })),
      store.enqueueVerification(request({ kind: "new-order", bridgeToken: null, orderId: "new-1", attemptId: "att-1" }))
    ]))
    const open = (caseId: string) => Effect.map(store.openVerificationsForCase(caseId), (qs) => qs.map((q) => [q.id, q.bridgeToken ?? q.orderId, q.createdAt]))
    const before = await runAt(open("case-17"))
    const first = await runAt(store.resolveVerification(2, "superseded"), NOW + 2 * HOUR)
    const again = await runAt(store.resolveVerification(2), NOW + 3 * HOUR)
    const handled = await runAt(store.resolveVerification(4), NOW + 3 * HOUR)
    const missing = await runAt(store.resolveVerification(99))
    expect(before).toEqual([[2, "b-1", NOW_ISO], [4, "new-1", NOW_ISO], [1, "b-2", iso(NOW + HOUR)]])
    expect([first, again, handled, missing]).toEqual([true, false, true, false])
    expect(await runAt(open("case-17"))).toEqual([[1, "b-2", iso(NOW + HOUR)]])
    expect(await runAt(open("case-other"))).toEqual([[3, "b-3", NOW_ISO]])
    expect(store.snapshotState().verificationQueue.map((q) => [q.id, q.resolvedAt, q.resolution])).toEqual([
      [1, null, null], [2, iso(NOW + 2 * HOUR), "superseded"], [3, null, null], [4, iso(NOW + 3 * HOUR), "handled"]
    ])
    // An attempt's requests are listed resolved or not, as the queue keeps them.
    expect(await runAt(store.verificationsForAttempt("att-1"))).toEqual([
      { ...request({ kind: "new-order", bridgeToken: null, orderId: "new-1", attemptId: "att-1" }), id: 4, resolvedAt: iso(NOW + 3 * HOUR), resolution: "handled" }
    ])
  })

  it("keeps one request per attempt, kind and connections, lists an attempt's requests, and one result per case and order", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const request = { caseId: "case-17", kind: "new-order" as const, connectionIds: ["link-1"], reason: "connection.no-data",
      detail: "no data", bridgeToken: null, shareUrl: "https://share/1", orderId: "new-1", createdAt: NOW_ISO }
    const result = { caseId: "case-17", orderId: "ord-2", product: "income" as const, receivedAt: NOW_ISO,
      employmentStatus: "active", annualIncome: 52000, payPeriods: 26, data: { x: 1 } }
    await runAt(Effect.all([
      store.enqueueVerification({ ...request, attemptId: "att-9" }),
      store.enqueueVerification({ ...request, attemptId: "att-9", orderId: "new-2" }),
      store.enqueueVerification({ ...request, attemptId: "att-9", kind: "bridge-update", connectionIds: ["link-2"] }),
      store.enqueueVerification(request),
      store.enqueueVerification(request),
      store.saveResult(result),
      store.saveResult({ ...result, data: { x: 2 } })
    ]))
    expect(await runAt(store.verificationsForAttempt("att-9"))).toEqual([
      { ...request, attemptId: "att-9", id: 1, resolvedAt: null, resolution: null },
      { ...request, attemptId: "att-9", kind: "bridge-update", connectionIds: ["link-2"], id: 2, resolvedAt: null, resolution: null }
    ])
    expect(await runAt(store.verificationsForAttempt("att-1"))).toEqual([])
    expect(store.snapshotState().verificationQueue).toHaveLength(4)
    expect(store.snapshotState().results).toEqual([{ ...result, data: { x: 2 } }])
  })

  it("snapshotState returns copies", () => {
    const store = makeInMemoryRenewalStore(seed())
    const s = store.snapshotState()
    ;(s.attempts as Array<unknown>).push({})
    expect(store.snapshotState().attempts).toEqual([])
  })

  it("rejects an invalid seed with every problem listed", () => {
    expect(() => makeInMemoryRenewalStore({ cases: [{ ...kase, dueAt: "tomorrow" }], lineages: [] })).toThrow(/seed case \[0\]: 1 problem/)
    expect(() => makeInMemoryRenewalStore({ cases: [], lineages: [lineage()], ledger: [attempt(NOW, ["link-9"])] })).toThrow(/no lineage has connection link-9/)
  })

  it("InMemoryRenewalStore.layer provides RenewalStore and the same instance for assertions", async () => {
    const program = Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const { attempt: a } = yield* (yield* RenewalStore).reserve({ caseId: "case-17", product: null })
      const state = (yield* InMemoryRenewalStore).snapshotState()
      return [a?.id, state.attempts.map((x) => x.id)]
    })
    const out = await Effect.runPromise(program.pipe(Effect.provide(Layer.merge(InMemoryRenewalStore.layer(seed()), TestClock.layer()))))
    expect(out).toEqual(["att-1", ["att-1"]])
  })

  it("two concurrent reserves for one case: exactly one attempt", async () => {
    const store = makeInMemoryRenewalStore(seed())
    const both = await runAt(Effect.all([store.reserve({ caseId: "case-17", product: null }), store.reserve({ caseId: "case-17", product: null })], { concurrency: 2 }))
    expect(both.filter((r) => r.attempt !== null)).toHaveLength(1)
    expect(store.snapshotState().attempts).toHaveLength(1)
  })
})
