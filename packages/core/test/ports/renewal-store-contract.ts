/**
 * The `RenewalStore` port's behaviour, written once and run against every implementation (the
 * way effect-smol runs `PersistedQueueTest.suite(name, layer)` against each SQL adapter): core's
 * tests run it on the in-memory store (in-memory-store.contract.test.ts), `@recert/store`'s on
 * SQLite and Postgres (sql-store.contract.test.ts), importing it as `@recert/core/testing`.
 *
 * Each test opens a fresh store seeded with `seed` (a case on a lineage; every connection's access
 * token is `token-<id>`), so expected values are exact: the verification queue's ids start at 1.
 * What the port writes but cannot read back (saved results, the decision log) is read through
 * the `StoreUnderTest` probes each implementation supplies.
 */
import type { BaselineInput, CaseInput, CaseResult, LineageInput, RenewalStore, VerificationRequest } from "@recert/core"
import { Effect, Redacted, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { beforeAll, describe, expect, it } from "vitest"
import { connection, DAY, HOUR, iso, lineage, MINUTE, NOW, NOW_ISO } from "../fixtures.js"
import { registerRequestLifecycle } from "./request-lifecycle-contract.js"
import { registerVerifications } from "./verification-contract.js"

export * from "./verification-fixtures.js"
export * from "./truv-budget-contract.js"

/** What a store starts with. Every connection's access token is `token-<id>`. */
export interface ContractSeed {
  readonly cases: ReadonlyArray<CaseInput>
  readonly lineages: ReadonlyArray<LineageInput>
  /** Baselines a case import supplied, by case id (`importedBaseline` reads them). */
  readonly baselines?: Readonly<Record<string, BaselineInput>>
}

/** A store under test, and the reads the port does not have. */
export interface StoreUnderTest {
  readonly store: RenewalStore["Service"]
  /** The results `saveResult` kept for a case. */
  readonly results: (caseId: string) => Effect.Effect<ReadonlyArray<CaseResult>, unknown>
  /** How many decisions `reserve` recorded for a case. */
  readonly decisionCount: (caseId: string) => Effect.Effect<number, unknown>
}

/** Opens a fresh store holding `seed`, closed with the scope. */
export type OpenStore = (seed: ContractSeed) => Effect.Effect<StoreUnderTest, unknown, Scope.Scope>

export interface ContractOptions {
  /** Whether the implementation can run here (e.g. Postgres reachable); false skips its tests. */
  readonly available?: () => Promise<boolean>
}

/** The access token every seeded connection has. */
export const tokenOf = (connectionId: string): string => `token-${connectionId}`

export const kase: CaseInput = { id: "case-17", dueAt: iso(NOW + 5 * DAY), cycle: "annual", rootOrderId: "ord-1" }
const other: CaseInput = { ...kase, id: "case-other" }
const twoLinks = lineage([connection("link-1"), connection("link-2")])
const seedOf = (patch: Partial<ContractSeed> = {}): ContractSeed => ({ cases: [kase, other], lineages: [twoLinks], ...patch })

const request = (over: Partial<VerificationRequest> = {}): VerificationRequest => ({
  caseId: "case-17", kind: "bridge-update", connectionIds: ["link-1"], reason: "connection.needs-user",
  detail: "login_error", bridgeToken: "b-1", shareUrl: null, orderId: null, createdAt: NOW_ISO, ...over
})
const result = (over: Partial<CaseResult> = {}): CaseResult => ({
  caseId: "case-17", orderId: "ord-2", product: "income", receivedAt: NOW_ISO, employmentStatus: "active",
  annualIncome: 52000, payPeriods: 26, data: { x: 1 }, ...over
})

/**
 * Registers the contract's tests under `describe(name)`.
 *
 * @example
 * renewalStoreContract("in-memory store", (seed) => Effect.sync(() => probeOf(makeInMemoryRenewalStore(seed))))
 */
export const renewalStoreContract = (name: string, open: OpenStore, options: ContractOptions = {}): void => {
  describe(`RenewalStore contract: ${name}`, () => {
    let available = true
    beforeAll(async () => {
      available = options.available === undefined ? true : await options.available()
    })
    /** A test on a fresh store seeded with `seed`, the TestClock at NOW. */
    const test = (title: string, body: (s: StoreUnderTest) => Effect.Effect<void, unknown>, seed: ContractSeed = seedOf()) =>
      it(title, async (ctx) => {
        if (!available) return ctx.skip()
        await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(NOW)
          yield* body(yield* open(seed))
        })).pipe(Effect.provide(TestClock.layer())))
      })
    registerReads(test)
    registerReserve(test)
    registerTransitions(test)
    registerOutcomes(test)
    registerLineage(test)
    registerQueue(test)
    registerVerifications(test, seedOf)
    registerRequestLifecycle(test, seedOf)
  })
}

type Test = (title: string, body: (s: StoreUnderTest) => Effect.Effect<void, unknown>, seed?: ContractSeed) => void

/** Reserves a refresh of case-17 at the clock's now and sends it as `orderId`. */
const sentAttempt = (store: RenewalStore["Service"], orderId: string, product: "income" | "employment" | null = null) => Effect.gen(function*() {
  const { attempt } = yield* store.reserve({ caseId: "case-17", product })
  if (attempt === null) return yield* Effect.die(`no attempt reserved for ${orderId}`)
  return yield* store.transitionAttempt(attempt.id, "sent", { orderId })
})

const registerReads = (test: Test) => {
  test("loadSnapshot reads the case, its lineage and its ledger; an unknown case fails CaseNotFound", ({ store }) => Effect.gen(function*() {
    const { attempt } = yield* store.reserve({ caseId: "case-17", product: null })
    const snap = yield* store.loadSnapshot("case-17")
    expect(snap.case).toEqual({ ...kase, product: null, lastVerifiedAt: null })
    expect(snap.lineage.rootOrderId).toBe("ord-1")
    expect(snap.lineage.connections.map((c) => [c.id, c.lastTaskStatus])).toEqual([["link-1", null], ["link-2", null]])
    expect(snap.ledger).toEqual([attempt])
    const missing = yield* Effect.flip(store.loadSnapshot("nope"))
    expect(missing).toMatchObject({ _tag: "CaseNotFound", caseId: "nope" })
  }))

  test("findAttemptByOrderId finds the attempt and its case; accessToken decrypts the seeded token", ({ store }) => Effect.gen(function*() {
    const sent = yield* sentAttempt(store, "ord-2")
    expect(yield* store.findAttemptByOrderId("ord-2")).toEqual({ caseId: "case-17", attempt: sent })
    expect(yield* store.findAttemptByOrderId("ord-x")).toBeNull()
    expect(Redacted.value(yield* store.accessToken("link-1"))).toBe("token-link-1")
    expect(yield* Effect.flip(store.accessToken("link-9"))).toMatchObject({ _tag: "StoreError", operation: "accessToken" })
  }))

  test("connectionDeleted (issue 19): the link marked deleted once, its token erased, no refresh decided for it; null for a link not ours", ({ store }) => Effect.gen(function*() {
    const at = iso(NOW - HOUR)
    expect(yield* store.connectionDeleted("link-1", at)).toEqual({ connectionId: "link-1", deletedAt: at, alreadyDeleted: false, openCases: ["case-17", "case-other"] })
    expect(yield* store.connectionDeleted("link-1", NOW_ISO)).toEqual({ connectionId: "link-1", deletedAt: at, alreadyDeleted: true, openCases: ["case-17", "case-other"] })
    expect(yield* store.connectionDeleted("link-9", NOW_ISO)).toBeNull()
    expect(yield* Effect.flip(store.accessToken("link-1"))).toMatchObject({ _tag: "StoreError", operation: "accessToken" })
    expect(Redacted.value(yield* store.accessToken("link-2"))).toBe("token-link-2")
    expect((yield* store.loadSnapshot("case-17")).lineage.connections.map((c) => [c.id, c.deletedAt ?? null])).toEqual([["link-1", at], ["link-2", null]])
    // The live link is refreshed alone; the deleted one asks for a new order.
    const { decision, attempt } = yield* store.reserve({ caseId: "case-17", product: null })
    expect(decision.connections.map((c) => [c.connectionId, c.verdict, c.reasons.map((r) => r.code)])).toEqual([
      ["link-1", "new-order", ["connection.deleted"]], ["link-2", "refresh", []]
    ])
    expect(attempt?.connectionIds).toEqual(["link-2"])
  }))

  test("unresolvedAttempts lists in-flight attempts made before an instant, oldest first", ({ store }) => Effect.gen(function*() {
    yield* TestClock.setTime(NOW - 2 * HOUR)
    const { attempt: old } = yield* store.reserve({ caseId: "case-17", product: null })
    yield* store.transitionAttempt(old!.id, "unknown")
    yield* TestClock.setTime(NOW)
    // The unknown income attempt blocks another income refresh, but not an employment one.
    expect((yield* store.reserve({ caseId: "case-17", product: null })).attempt).toBeNull()
    const { attempt: employment } = yield* store.reserve({ caseId: "case-17", product: "employment" })
    expect(employment?.product).toBe("employment")
    const list = yield* store.unresolvedAttempts(iso(NOW))
    expect(list.map((x) => [x.caseId, x.attempt.id, x.attempt.status])).toEqual([["case-17", old!.id, "unknown"]])
    expect((yield* store.unresolvedAttempts(iso(NOW + 1))).map((x) => x.attempt.id)).toEqual([old!.id, employment!.id])
  }), seedOf({ cases: [kase] }))
}

const registerReserve = (test: Test) => {
  test("reserve decides at the Clock's now, records the decision, and inserts a reserved attempt for the refreshable connections",
    ({ store, decisionCount }) => Effect.gen(function*() {
      const { decision, attempt } = yield* store.reserve({ caseId: "case-17", product: null })
      expect(decision.verdict).toBe("refresh")
      expect(decision.at).toBe(NOW_ISO)
      expect(attempt).toEqual({
        id: attempt!.id, at: NOW_ISO, product: "income", connectionIds: ["link-1"], status: "reserved",
        orderId: null, rejection: null, outcomes: {}, resolvedAt: null, gseFree: false
      })
      expect((yield* store.loadSnapshot("case-17")).ledger).toEqual([attempt])
      expect(yield* decisionCount("case-17")).toBe(1)
    }), seedOf({ lineages: [lineage([connection("link-1"), connection("link-2", { lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) })])] }))

  test("an attempt's connection ids are in core's order (code units), whatever the lineage's order", ({ store }) => Effect.gen(function*() {
    const sent = yield* sentAttempt(store, "ord-2")
    const order = ["link-1", "link-10", "link-2"]
    expect(sent.connectionIds).toEqual(order)
    expect((yield* store.loadSnapshot("case-17")).ledger.map((a) => a.connectionIds)).toEqual([order])
    expect((yield* store.findAttemptByOrderId("ord-2"))?.attempt.connectionIds).toEqual(order)
  }), seedOf({ lineages: [lineage([connection("link-2"), connection("link-10"), connection("link-1")])] }))

  test("reserve inserts nothing for a case re-verified since the caller's snapshot (notNeeded)", ({ store, decisionCount }) => Effect.gen(function*() {
    const r = yield* store.reserve({ caseId: "case-17", product: null })
    expect(r.attempt).toBeNull()
    expect(r.notNeeded).toBe(`already re-verified ${iso(NOW - HOUR).slice(0, 10)} for this cycle`)
    expect((yield* store.loadSnapshot("case-17")).ledger).toEqual([])
    expect(yield* decisionCount("case-17")).toBe(1)
  }), seedOf({ cases: [{ ...kase, lastVerifiedAt: iso(NOW - HOUR) }] }))

  test("a second reserve sees the first one in flight and inserts nothing", ({ store }) => Effect.gen(function*() {
    yield* store.reserve({ caseId: "case-17", product: null })
    yield* TestClock.setTime(NOW + 1)
    const second = yield* store.reserve({ caseId: "case-17", product: null })
    expect(second.attempt).toBeNull()
    expect(second.decision.verdict).toBe("wait")
    expect(second.decision.reasons.map((r) => r.code)).toEqual(["refresh.in-flight"])
    expect((yield* store.loadSnapshot("case-17")).ledger).toHaveLength(1)
  }))

  test("a reserve on a clock behind another worker's sees that worker's attempt in flight, and decides at its instant", ({ store }) => Effect.gen(function*() {
    // Worker A's clock is 1.5 s ahead of worker B's (chaos postgres seed 4: two refreshes of one
    // case, 22 ms apart, when the engine read the ledger as of B's now and A's attempt was "later").
    yield* TestClock.setTime(NOW + 1500)
    const first = yield* store.reserve({ caseId: "case-17", product: null })
    yield* TestClock.setTime(NOW)
    const second = yield* store.reserve({ caseId: "case-17", product: null })
    expect([first.attempt?.at, second.attempt, second.decision.verdict, second.decision.at]).toEqual([iso(NOW + 1500), null, "wait", iso(NOW + 1500)])
    expect(second.decision.reasons.map((r) => r.code)).toEqual(["refresh.in-flight"])
    expect((yield* store.loadSnapshot("case-17")).ledger.map((a) => a.at)).toEqual([iso(NOW + 1500)])
  }))

  test("reserve: refresh until the 3-per-24h window is full, then wait until the oldest leaves it", ({ store, decisionCount }) => Effect.gen(function*() {
    const out: Array<string> = []
    for (let i = 0; i < 4; i++) {
      const { decision, attempt } = yield* store.reserve({ caseId: "case-17", product: null })
      out.push(`${decision.verdict}:${attempt?.connectionIds.join("+") ?? "-"}`)
      if (attempt !== null) {
        yield* store.transitionAttempt(attempt.id, "sent", { orderId: `rsv-order-${i}` })
        yield* store.recordOutcome(attempt.id, "link-1", "done", iso(NOW + i * HOUR))
        yield* store.recordOutcome(attempt.id, "link-2", "done", iso(NOW + i * HOUR))
      }
      yield* TestClock.adjust("1 hour")
    }
    const waited = yield* store.reserve({ caseId: "case-17", product: null })
    out.push(`${waited.decision.nextEligibleAt}`)
    // 24 h after the oldest, plus the default 120 s clock guard.
    yield* TestClock.setTime(NOW + 24 * HOUR + 120_000 - 1)
    out.push((yield* store.reserve({ caseId: "case-17", product: null })).decision.verdict)
    yield* TestClock.setTime(NOW + 24 * HOUR + 120_000)
    out.push((yield* store.reserve({ caseId: "case-17", product: null })).decision.verdict)
    out.push((yield* store.loadSnapshot("case-17")).ledger.map((a) => `${a.at}/${a.status}`).join(","))
    out.push(String(yield* decisionCount("case-17")))
    expect(out).toEqual([
      "refresh:link-1+link-2", "refresh:link-1+link-2", "refresh:link-1+link-2", "wait:-",
      "2026-11-23T10:02:00.000Z",
      "wait",
      "refresh",
      "2026-11-22T10:00:00.000Z/succeeded,2026-11-22T11:00:00.000Z/succeeded,2026-11-22T12:00:00.000Z/succeeded,2026-11-23T10:02:00.000Z/reserved",
      "7"
    ])
  }))

  test("reserve of an explicit product records it; an employment refresh of an income order is allowed", ({ store }) => Effect.gen(function*() {
    expect((yield* store.reserve({ caseId: "case-17", product: "employment" })).attempt?.product).toBe("employment")
  }))

  test("reserve on a GSE lineage marks the attempt gseFree while the quota lasts", ({ store }) => Effect.gen(function*() {
    const r = yield* store.reserve({ caseId: "case-17", product: null })
    expect(r.attempt?.gseFree).toBe(true)
    expect(r.decision.cost).toEqual({ billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 5 })
  }), seedOf({ lineages: [lineage([connection("link-1")], { gse: true })] }))

  test("reserve with oncePerCycle: a refresh that just succeeded makes the case notNeeded before it is rescheduled", ({ store }) => Effect.gen(function*() {
    const first = yield* store.reserve({ caseId: "case-17", product: null, oncePerCycle: true })
    const id = first.attempt!.id
    yield* store.transitionAttempt(id, "sent", { orderId: "opc-order-1" })
    for (const c of first.attempt!.connectionIds) yield* store.recordOutcome(id, c, "done", NOW_ISO)
    yield* TestClock.adjust("5 minutes")
    const renewal = yield* store.reserve({ caseId: "case-17", product: null, oncePerCycle: true })
    const adHoc = yield* store.reserve({ caseId: "case-17", product: null })
    expect(renewal.attempt).toBeNull()
    expect(renewal.notNeeded).toBe("already refreshed 2026-11-22 for this cycle (its report is being stored)")
    expect(adHoc.attempt?.status).toBe("reserved")
  }))
}

const registerTransitions = (test: Test) => {
  test("the attempt state machine refuses illegal transitions and writes nothing", ({ store }) => Effect.gen(function*() {
    const { attempt } = yield* store.reserve({ caseId: "case-17", product: "income" })
    const id = attempt!.id
    const illegal = yield* Effect.flip(store.transitionAttempt(id, "succeeded"))
    expect(illegal).toMatchObject({ _tag: "IllegalTransition", attemptId: id, from: "reserved", to: "succeeded" })
    expect(illegal.message).toBe(`attempt ${id}: illegal transition reserved -> succeeded`)
    expect((yield* store.transitionAttempt(id, "unknown")).status).toBe("unknown")
    const sent = yield* store.transitionAttempt(id, "sent", { orderId: "sm-order" })
    expect(sent).toEqual({ ...attempt, status: "sent", orderId: "sm-order" })
    expect(yield* Effect.flip(store.transitionAttempt(id, "reserved"))).toMatchObject({ _tag: "IllegalTransition", from: "sent", to: "reserved" })
    expect((yield* store.loadSnapshot("case-17")).ledger).toEqual([sent])
    expect(yield* Effect.flip(store.transitionAttempt("no-such", "sent"))).toMatchObject({ _tag: "AttemptNotFound", attemptId: "no-such" })
    expect((yield* store.unresolvedAttempts(iso(NOW + 1))).map((u) => u.attempt.status)).toEqual(["sent"])
    yield* store.recordOutcome(id, "link-1", "done", "2026-11-22T10:05:00.000Z")
    const dup = yield* store.recordOutcome(id, "link-1", "login_error", "2026-11-22T10:06:00.000Z")
    expect([dup.outcomes, dup.status]).toEqual([{ "link-1": "done" }, "sent"])
    const final = yield* store.recordOutcome(id, "link-2", "login_error", "2026-11-22T10:07:00.000Z")
    expect(final).toMatchObject({ status: "failed", outcomes: { "link-1": "done", "link-2": "login_error" }, resolvedAt: "2026-11-22T10:07:00.000Z" })
    expect(yield* Effect.flip(store.transitionAttempt(id, "sent"))).toMatchObject({ _tag: "IllegalTransition", from: "failed", to: "sent" })
  }))

  test("transitionAttempt to rejected records the rejection; the attempt stops counting", ({ store }) => Effect.gen(function*() {
    const { attempt } = yield* store.reserve({ caseId: "case-17", product: null })
    const rejected = yield* store.transitionAttempt(attempt!.id, "rejected", { rejection: "refresh-limit", resolvedAt: NOW_ISO })
    expect(rejected).toEqual({ ...attempt, status: "rejected", rejection: "refresh-limit", resolvedAt: NOW_ISO })
    yield* TestClock.setTime(NOW + 1)
    const again = yield* store.reserve({ caseId: "case-17", product: null })
    expect(again.decision.verdict).toBe("refresh")
    expect(again.decision.connections[0]!.remainingInWindow).toBe(3)
  }))

  test("a final status without resolvedAt is resolved at the Clock's now; an in-flight one is not", ({ store }) => Effect.gen(function*() {
    const { attempt } = yield* store.reserve({ caseId: "case-17", product: null })
    yield* TestClock.setTime(NOW + MINUTE)
    expect((yield* store.transitionAttempt(attempt!.id, "unknown")).resolvedAt).toBeNull()
    yield* TestClock.setTime(NOW + 2 * MINUTE)
    const rejected = yield* store.transitionAttempt(attempt!.id, "rejected", { rejection: "not-sent" })
    expect(rejected).toMatchObject({ status: "rejected", rejection: "not-sent", resolvedAt: iso(NOW + 2 * MINUTE) })
    expect((yield* store.loadSnapshot("case-17")).ledger).toEqual([rejected])
  }))
}

const registerOutcomes = (test: Test) => {
  test("recordOutcome resolves the attempt when every connection has an outcome, and is idempotent", ({ store }) => Effect.gen(function*() {
    const sent = yield* sentAttempt(store, "ord-2")
    const half = yield* store.recordOutcome(sent.id, "link-1", "done", iso(NOW + 5 * MINUTE))
    expect(half).toEqual({ ...sent, outcomes: { "link-1": "done" }, resolvedAt: iso(NOW + 5 * MINUTE) })
    const full = yield* store.recordOutcome(sent.id, "link-2", "done", iso(NOW + 6 * MINUTE))
    expect(full).toEqual({ ...sent, status: "succeeded", outcomes: { "link-1": "done", "link-2": "done" }, resolvedAt: iso(NOW + 6 * MINUTE) })
    expect(yield* store.recordOutcome(sent.id, "link-2", "login_error", iso(NOW + 7 * MINUTE))).toEqual(full)
    expect((yield* store.loadSnapshot("case-17")).ledger).toEqual([full])
    // The attempt's outcome only: what the connection reported is `updateConnection`'s to write.
    expect((yield* store.loadSnapshot("case-17")).lineage.connections.map((c) => c.lastTaskStatus)).toEqual([null, null])
  }))

  test("outcomes out of order: the attempt was resolved when its latest outcome arrived", ({ store }) => Effect.gen(function*() {
    const sent = yield* sentAttempt(store, "ord-2")
    yield* store.recordOutcome(sent.id, "link-1", "done", iso(NOW + 9 * MINUTE))
    expect(yield* store.recordOutcome(sent.id, "link-2", "done", iso(NOW + 2 * MINUTE))).toMatchObject({ status: "succeeded", resolvedAt: iso(NOW + 9 * MINUTE) })
  }))

  test("recordOutcome with any failure makes the attempt failed; with the connection's status, the next decision reauthenticates", ({ store }) => Effect.gen(function*() {
    const sent = yield* sentAttempt(store, "ord-2")
    yield* store.updateConnection("link-1", { lastTaskStatus: "login_error", lastStatusAt: iso(NOW + HOUR) })
    expect((yield* store.recordOutcome(sent.id, "link-1", "login_error", iso(NOW + HOUR))).status).toBe("failed")
    const c = (yield* store.loadSnapshot("case-17")).lineage.connections[0]!
    expect([c.lastTaskStatus, c.lastStatusAt]).toEqual(["login_error", iso(NOW + HOUR)])
    yield* TestClock.setTime(NOW + 2 * HOUR)
    expect((yield* store.reserve({ caseId: "case-17", product: null })).decision.verdict).toBe("reauthenticate")
  }), seedOf({ lineages: [lineage()] }))

  test("recordOutcome cannot complete a still-reserved attempt (its order was never recorded as sent)", ({ store }) => Effect.gen(function*() {
    const { attempt } = yield* store.reserve({ caseId: "case-17", product: null })
    const refused = yield* Effect.flip(store.recordOutcome(attempt!.id, "link-1", "done", NOW_ISO))
    expect(refused).toMatchObject({ _tag: "IllegalTransition", attemptId: attempt!.id, from: "reserved", to: "succeeded" })
    expect((yield* store.loadSnapshot("case-17")).ledger).toEqual([attempt])
    // Moved to sent (as the scheduler does once it knows the order), the same outcome completes it.
    yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "ord-2" })
    expect((yield* store.recordOutcome(attempt!.id, "link-1", "done", NOW_ISO)).status).toBe("succeeded")
  }), seedOf({ lineages: [lineage()] }))

  test("recordOutcome refuses a rejected attempt, a foreign connection and a non-final status", ({ store }) => Effect.gen(function*() {
    const { attempt } = yield* store.reserve({ caseId: "case-17", product: null })
    const foreign = yield* Effect.flip(store.recordOutcome(attempt!.id, "link-9", "done", NOW_ISO))
    expect(foreign).toMatchObject({ _tag: "StoreError", operation: "recordOutcome", message: `attempt ${attempt!.id} does not include connection link-9` })
    const progress = yield* Effect.flip(store.recordOutcome(attempt!.id, "link-1", "parse", NOW_ISO))
    expect(progress.message).toBe("parse is not a final task status")
    expect(yield* Effect.flip(store.recordOutcome("no-such", "link-1", "done", NOW_ISO))).toMatchObject({ _tag: "AttemptNotFound", attemptId: "no-such" })
    yield* store.transitionAttempt(attempt!.id, "rejected", { rejection: "throttled" })
    const r = yield* Effect.flip(store.recordOutcome(attempt!.id, "link-1", "done", NOW_ISO))
    expect(r).toMatchObject({ _tag: "IllegalTransition", from: "rejected", to: "rejected" })
  }))
}

const registerLineage = (test: Test) => {
  test("appendOrder extends the chain once (a parentless order hangs off the last); updateConnection ignores older statuses", ({ store }) => Effect.gen(function*() {
    yield* store.appendOrder("ord-1", { id: "ord-2", parentId: "ord-1", createdAt: NOW_ISO })
    yield* store.appendOrder("ord-1", { id: "ord-2", parentId: "ord-1", createdAt: NOW_ISO })
    yield* store.appendOrder("ord-1", { id: "ord-3", parentId: null, createdAt: iso(NOW + HOUR) })
    const unknownRoot = yield* Effect.flip(store.appendOrder("no-such-root", { id: "stray", parentId: null, createdAt: NOW_ISO }))
    expect(unknownRoot.message).toContain("no lineage with root order no-such-root")
    yield* store.updateConnection("link-1", { lastTaskStatus: "done", lastStatusAt: NOW_ISO })
    yield* store.updateConnection("link-1", { lastTaskStatus: "login_error", lastStatusAt: iso(NOW - HOUR) })
    yield* store.updateConnection("link-2", { authenticatedAt: NOW_ISO, lastTaskStatus: "done" })
    const { lineage: after } = yield* store.loadSnapshot("case-17")
    expect(after.orders.map((o) => `${o.id}<${o.parentId ?? "-"}@${o.createdAt}`)).toEqual([
      `ord-1<-@${iso(NOW - 60 * DAY)}`, `ord-2<ord-1@${NOW_ISO}`, `ord-3<ord-2@${iso(NOW + HOUR)}`
    ])
    expect(after.connections[0]).toMatchObject({ lastTaskStatus: "done", lastStatusAt: NOW_ISO })
    expect(after.connections[1]).toMatchObject({ authenticatedAt: NOW_ISO, lastTaskStatus: "done", lastStatusAt: null })
  }))
}

const registerQueue = (test: Test) => {
  test("lists a case's open requests oldest first and resolves one once (superseded, or handled by default)", ({ store }) => Effect.gen(function*() {
    yield* store.enqueueVerification(request({ createdAt: iso(NOW + HOUR), bridgeToken: "b-2" }))
    yield* store.enqueueVerification(request())
    yield* store.enqueueVerification(request({ caseId: "case-other", bridgeToken: "b-3" }))
    yield* store.enqueueVerification(request({ kind: "new-order", bridgeToken: null, orderId: "new-1", attemptId: "att-1" }))
    const open = (caseId: string) => Effect.map(store.openVerificationsForCase(caseId), (qs) => qs.map((q) => [q.id, q.bridgeToken ?? q.orderId, q.createdAt]))
    // Ties at the same instant by id; the later request last.
    expect(yield* open("case-17")).toEqual([[2, "b-1", NOW_ISO], [4, "new-1", NOW_ISO], [1, "b-2", iso(NOW + HOUR)]])
    yield* TestClock.setTime(NOW + 2 * HOUR)
    const first = yield* store.resolveVerification(2, "superseded")
    yield* TestClock.setTime(NOW + 3 * HOUR)
    const results = [first, yield* store.resolveVerification(2), yield* store.resolveVerification(4), yield* store.resolveVerification(99)]
    expect(results).toEqual([true, false, true, false])
    expect(yield* open("case-17")).toEqual([[1, "b-2", iso(NOW + HOUR)]])
    expect(yield* open("case-other")).toEqual([[3, "b-3", NOW_ISO]])
    expect(yield* store.openVerificationsForCase("case-none")).toEqual([])
    // An attempt's requests are listed resolved or not, as the queue keeps them.
    expect(yield* store.verificationsForAttempt("att-1")).toEqual([
      { ...request({ kind: "new-order", bridgeToken: null, orderId: "new-1", attemptId: "att-1" }), id: 4, resolvedAt: iso(NOW + 3 * HOUR), resolution: "handled" }
    ])
  }))

  test("keeps one request per attempt, kind and connections (any number without an attempt), lists an attempt's requests", ({ store }) => Effect.gen(function*() {
    const ask = request({ kind: "new-order", reason: "connection.no-data", detail: "no data", bridgeToken: null, shareUrl: "https://share/1", orderId: "new-1" })
    yield* store.enqueueVerification({ ...ask, attemptId: "att-9" })
    yield* store.enqueueVerification({ ...ask, attemptId: "att-9", orderId: "new-2" })
    yield* store.enqueueVerification({ ...ask, attemptId: "att-9", kind: "bridge-update", connectionIds: ["link-2"] })
    yield* store.enqueueVerification(ask)
    yield* store.enqueueVerification({ ...ask, attemptId: null })
    const forAttempt = yield* store.verificationsForAttempt("att-9")
    // Ids are the queue's: increasing, but a refused duplicate may use one up (SQL sequences do).
    expect(forAttempt.map(({ id: _id, ...rest }) => rest)).toEqual([
      { ...ask, attemptId: "att-9", resolvedAt: null, resolution: null },
      { ...ask, attemptId: "att-9", kind: "bridge-update", connectionIds: ["link-2"], resolvedAt: null, resolution: null }
    ])
    expect(yield* store.verificationsForAttempt("att-1")).toEqual([])
    const open = yield* store.openVerificationsForCase("case-17")
    expect(open.map((q) => [q.kind, q.attemptId ?? null])).toEqual([["new-order", "att-9"], ["bridge-update", "att-9"], ["new-order", null], ["new-order", null]])
    expect(open.slice(0, 2).map((q) => q.id)).toEqual(forAttempt.map((q) => q.id))
    expect(open.map((q) => q.id)).toEqual([...open.map((q) => q.id)].sort((a, b) => a - b))
  }))

  test("intents (issue 15/16): claimed atomically with what the plan saw, fenced by their claim, settled once", ({ store }) => Effect.gen(function*() {
    yield* store.enqueueVerification(request({ bridgeToken: "b-old" }))
    const intent = (connectionIds: ReadonlyArray<string>) => ({ caseId: "case-17", kind: "bridge-update" as const, connectionIds, reason: "connection.needs-user", detail: "d", createdAt: NOW_ISO })
    const seenBy: Array<Array<string | null>> = []
    // The plan sees the open requests and the attempt's own; asks for a connection no one covers.
    const first = yield* store.claimVerifications({ caseId: "case-17", attemptId: "att-1", leaseMs: HOUR, plan: (seen) => {
      seenBy.push([...seen.open.map((q) => q.bridgeToken), ...seen.forAttempt.map((q) => q.requestKey ?? null)])
      return [intent(["link-2"])]
    } })
    const second = yield* store.claimVerifications({ caseId: "case-17", attemptId: "att-1", leaseMs: HOUR, plan: (seen) => {
      seenBy.push([...seen.open.map((q) => q.state ?? q.bridgeToken), ...seen.forAttempt.map((q) => q.state ?? null)])
      return []
    } })
    const { request: q, claim } = first.claimed[0]!
    expect([first.claimed.length, second.claimed.length, seenBy]).toEqual([1, 0, [["b-old"], ["b-old", "intent", "intent"]]])
    expect(q).toMatchObject({ caseId: "case-17", kind: "bridge-update", connectionIds: ["link-2"], attemptId: "att-1", bridgeToken: null, orderId: null,
      state: "intent", sentAt: null, leaseUntil: iso(NOW + HOUR), resolvedAt: null })
    expect(q.requestKey).toMatch(/^rq-/)
    // Live lease: no take-over; another claim cannot mark it sent.
    expect(yield* store.takeOverVerification(q.id, HOUR)).toBeNull()
    expect(yield* store.markVerificationSent(q.id, "not-the-claim", HOUR)).toBe(false)
    yield* TestClock.setTime(NOW + 10)
    expect(yield* store.markVerificationSent(q.id, claim, HOUR)).toBe(true)
    expect(yield* store.settleVerification(q.id, { outcome: "released", claim: "not-the-claim" })).toBe(false)
    expect(yield* store.settleVerification(q.id, { outcome: "released", claim })).toBe(true)
    // Released: taken over at once; the old claim is fenced out.
    const taken = yield* store.takeOverVerification(q.id, HOUR)
    // Sent: the request's life restarts then (`createdAt`, issue 16), its link made at that instant.
    expect(taken?.request).toMatchObject({ id: q.id, sentAt: iso(NOW + 10), createdAt: iso(NOW + 10), leaseUntil: iso(NOW + 10 + HOUR), state: "intent" })
    expect(yield* store.markVerificationSent(q.id, claim, HOUR)).toBe(false)
    expect(yield* store.settleVerification(q.id, { outcome: "created", bridgeToken: "b-new", shareUrl: null, orderId: null })).toBe(true)
    expect(yield* store.settleVerification(q.id, { outcome: "unknown" })).toBe(false)
    expect(yield* store.takeOverVerification(q.id, HOUR)).toBeNull()
    const open = yield* store.openVerificationsForCase("case-17")
    expect(open.map((r) => [r.bridgeToken, r.state ?? null, r.leaseUntil ?? null])).toEqual([["b-old", null, null], ["b-new", "created", null]])
    // Forgotten (Truv created nothing): gone; an unknown token stays open.
    const more = yield* store.claimVerifications({ caseId: "case-17", attemptId: null, leaseMs: HOUR, plan: () => [intent(["link-1"]), intent(["link-3"])] })
    const [a, b] = more.claimed
    expect(yield* store.settleVerification(a!.request.id, { outcome: "forgotten", claim: a!.claim })).toBe(true)
    expect(yield* store.settleVerification(b!.request.id, { outcome: "unknown" })).toBe(true)
    // Oldest first: link-2's and link-3's requests count from Truv's answer (both NOW + 10, by id).
    expect((yield* store.openVerificationsForCase("case-17")).map((r) => [r.connectionIds, r.state ?? null, r.createdAt])).toEqual([
      [["link-1"], null, NOW_ISO], [["link-2"], "created", iso(NOW + 10)], [["link-3"], "unknown", iso(NOW + 10)]
    ])
    expect(new Set([q.requestKey, a!.request.requestKey, b!.request.requestKey]).size).toBe(3)
    // A resolved intent (superseded) is never taken over, whatever its lease.
    const last = (yield* store.claimVerifications({ caseId: "case-17", attemptId: null, leaseMs: 1, plan: () => [intent(["link-4"])] })).claimed[0]!
    expect(yield* store.resolveVerification(last.request.id, "superseded")).toBe(true)
    yield* TestClock.setTime(NOW + HOUR)
    expect(yield* store.takeOverVerification(last.request.id, HOUR)).toBeNull()
  }))

  test("keeps one result per case and order: saving it again replaces it", ({ store, results }) => Effect.gen(function*() {
    yield* store.saveResult(result())
    yield* store.saveResult(result({ annualIncome: 53000, data: { x: 2 } }))
    yield* store.saveResult(result({ orderId: "ord-3", receivedAt: iso(NOW + HOUR) }))
    expect(yield* results("case-17")).toEqual([result({ annualIncome: 53000, data: { x: 2 } }), result({ orderId: "ord-3", receivedAt: iso(NOW + HOUR) })])
    expect(yield* results("case-other")).toEqual([])
  }))
}
