/**
 * The client on a budget shared with other processes (core's `TruvBudget`; here the in-memory one,
 * the SQL store's runs the same contract): what other processes took counts against this one,
 * waiting callers are served in batches (one round trip for many requests), a `Retry-After`
 * reaches the shared budget, and a budget that cannot be read sends nothing. TestClock throughout.
 */
import { makeInMemoryTruvBudget, StoreError, TruvBudget } from "@recert/core"
import { Deferred, Effect, Fiber, Layer, Redacted } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import { beforeEach, describe, expect, it } from "vitest"
import { budgetKey, resetRateBudgets, TruvClient } from "../src/index.js"
import { scripted } from "./helpers.js"

const ORDER = { id: "o1", products: ["income"], created_at: "2026-11-22T10:00:00.000Z", employers: [] }
const THROTTLED = { error: { code: "throttled", message: "Request was throttled." } }

const client = (secret: string, http: Layer.Layer<HttpClient.HttpClient>, budget: TruvBudget["Service"], maxRetries = 3) =>
  TruvClient.layerSharedWithHttp({
    baseUrl: "http://truv.test", clientId: "c", secret: Redacted.make(secret), timeoutMs: 10_000,
    retry: { maxRetries, baseDelayMs: 1000, maxDelayMs: 8000 }, sharedBudget: { holder: "worker-a" }
  }).pipe(Layer.provide(Layer.merge(http, Layer.succeed(TruvBudget, budget))))

// The client reads its own clock as it was built with it: the program's TestClock.
const run = <A, E>(program: Effect.Effect<A, E, TruvClient>, layer: Layer.Layer<TruvClient, never, never>) =>
  Effect.runPromise(program.pipe(Effect.provide(layer.pipe(Layer.provideMerge(TestClock.layer())))))

beforeEach(() => resetRateBudgets())

describe("a budget shared with other processes", () => {
  it("counts what the others took: with 299 of 300 granted elsewhere, one request now, the next when that grant leaves the window", async () => {
    const secret = "sandbox-shared-1"
    const budget = makeInMemoryTruvBudget()
    const seen: Array<number> = []
    const times = await run(Effect.gen(function*() {
      // Another process on the same secret took 299 permits at t = 0.
      yield* budget.acquire({ key: budgetKey(Redacted.make(secret)), want: 299, limit: 300, windowMs: 60_000, slackMs: 1_000 })
      const truv = yield* TruvClient
      yield* truv.getOrder("o1")
      const second = yield* Effect.forkChild(truv.getOrder("o1"))
      yield* TestClock.adjust(60_999)
      const early = [...seen]
      yield* TestClock.adjust(1)
      yield* Fiber.join(second)
      return { early, all: seen }
    }), client(secret, scripted([{ status: 200, body: ORDER }], seen), budget))
    expect(times).toEqual({ early: [0], all: [0, 61_000] })
  })

  it("callers waiting together are served by one round trip: 16 requests, 2 acquires (1 + 15)", async () => {
    const inner = makeInMemoryTruvBudget()
    const wants: Array<number> = []
    const gate = Deferred.makeUnsafe<void>()
    // The first round trip is held until every caller waits (a database round trip takes time).
    const budget: TruvBudget["Service"] = {
      acquire: (r) => Effect.gen(function*() {
        wants.push(r.want)
        if (wants.length === 1) yield* Deferred.await(gate)
        return yield* inner.acquire(r)
      }),
      block: (key, until) => inner.block(key, until)
    }
    const seen: Array<number> = []
    await run(Effect.gen(function*() {
      const truv = yield* TruvClient
      const fibers = yield* Effect.forEach(Array.from({ length: 16 }), () => Effect.forkChild(truv.getOrder("o1")))
      yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
    }), client("sandbox-batch", scripted([{ status: 200, body: ORDER }], seen), budget))
    expect(wants).toEqual([1, 15])
    expect(seen).toHaveLength(16)
  })

  it("a 429 with Retry-After sets the shared budget's not-before instant, which every process honours", async () => {
    const budget = makeInMemoryTruvBudget()
    const seen: Array<number> = []
    const http = scripted([{ status: 429, body: THROTTLED, headers: { "Retry-After": "7" } }, { status: 200, body: ORDER }], seen)
    const key = budgetKey(Redacted.make("sandbox-retry"))
    const out = await run(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild((yield* TruvClient).getOrder("o1"))
      yield* TestClock.adjust(1)
      const notBefore = budget.state().budgets.get(key)!.notBefore
      // Another process asking now gets nothing until then.
      const other = yield* budget.acquire({ key, want: 1, limit: 300, windowMs: 60_000, slackMs: 1_000 })
      yield* TestClock.adjust(6_999)
      yield* Fiber.join(fiber)
      return { notBefore, other }
    }), client("sandbox-retry", http, budget))
    expect(out).toEqual({ notBefore: 7_000, other: { granted: 0, retryAt: 7_000 } })
    expect(seen).toEqual([0, 7_000])
  })

  it("stamps its grants on Truv's time as measured (every worker alike), from the first answer's Date on", async () => {
    const budget = makeInMemoryTruvBudget()
    const seen: Array<number> = []
    // Truv's clock is an hour ahead of this worker's: its answers say so.
    const http = Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) =>
      Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (now) => {
        seen.push(now)
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify(ORDER), { status: 200, headers: { Date: new Date(now + 3_600_000).toUTCString() } })))
      })))
    await run(Effect.gen(function*() {
      const truv = yield* TruvClient
      yield* truv.getOrder("o1")
      yield* truv.getOrder("o1")
    }), client("sandbox-stamped", http, budget))
    // The first grant, stamped 0 before any answer, is already out of the window on Truv's time.
    const grants = budget.state().budgets.get(budgetKey(Redacted.make("sandbox-stamped")))!.grants
    expect(grants.map((g) => [g.grantedAt, g.countsUntil])).toEqual([[3_600_500, 3_600_500 + 60_000 + 1_500]])
    expect(seen).toEqual([0, 0])
  })

  it("a budget that cannot be read sends nothing: Transport, not reached", async () => {
    const failing: TruvBudget["Service"] = {
      acquire: () => Effect.fail(new StoreError({ operation: "acquireTruvBudget", message: "connection refused", reason: "unavailable" })),
      block: () => Effect.void
    }
    const seen: Array<number> = []
    const error = await run(Effect.flip(Effect.flatMap(TruvClient, (c) => c.refreshOrder("o1", { products: ["income"] }))),
      client("sandbox-down", scripted([{ status: 200, body: ORDER }], seen), failing, 0))
    expect(error).toMatchObject({ _tag: "Transport", reachedTruv: false, message: "Truv request budget (shared through the database) unavailable: connection refused" })
    expect(seen).toEqual([])
  })
})
