/**
 * What only the in-memory store has: its seed (ledgers included, validated), `snapshotState`, the
 * `InMemoryRenewalStore` layer, a policy configuration of its own, and single-threaded atomicity.
 * The port's behaviour, shared with the SQL stores, is the contract (in-memory-store.contract.test.ts).
 */
import { Effect, Layer } from "effect"
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
  it("snapshotState reads back what reserve wrote: the attempt, its lineage's ledger and the decision", async () => {
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

  it("reserve honours the rate window from the seeded ledger and the store's config", async () => {
    const ledger = [attempt(NOW - 3 * HOUR), attempt(NOW - 2 * HOUR)]
    const strict = makeInMemoryRenewalStore(seed({ lineages: [lineage()], ledger }), { rateWindow: { limit: 2 } })
    const r = await runAt(strict.reserve({ caseId: "case-17", product: null }))
    expect(r.attempt).toBeNull()
    expect(r.decision.nextEligibleAt).toBe(iso(NOW - 3 * HOUR + 24 * HOUR + 120_000))   // + the default 120 s clock guard
    const lax = makeInMemoryRenewalStore(seed({ lineages: [lineage()], ledger }))
    expect((await runAt(lax.reserve({ caseId: "case-17", product: null }))).attempt?.connectionIds).toEqual(["link-1"])
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

  it("seeded attempts keep core's connection order; an unseeded token and an unknown connection fail", async () => {
    const store = makeInMemoryRenewalStore(seed({ ledger: [attempt(NOW - HOUR, ["link-2", "link-1"], { id: "att-a" })] }))
    expect(store.snapshotState().attempts.map((a) => a.connectionIds)).toEqual([["link-1", "link-2"]])
    const missing = await runAtExit(store.accessToken("link-2"))
    if (missing._tag === "Failure") expect(missing.failure).toMatchObject({ _tag: "StoreError", operation: "accessToken" })
    else expect.unreachable()
    const noConn = await runAtExit(store.updateConnection("link-9", {}))
    if (noConn._tag === "Failure") expect(noConn.failure).toMatchObject({ _tag: "StoreError", operation: "updateConnection" })
    else expect.unreachable()
  })
})
