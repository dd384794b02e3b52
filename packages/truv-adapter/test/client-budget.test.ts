/**
 * The client's time-dependent behaviour, driven by TestClock: the process-wide budget per secret,
 * Retry-After on 429, backoff of idempotent calls, and a refresh POST never re-sent once it
 * may have reached Truv. Truv is a scripted in-memory HttpClient here.
 */
import { Effect, Fiber, Layer, Redacted } from "effect"
import type { HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import { beforeEach, describe, expect, it } from "vitest"
import { backoffDelayMs, budgetKey, parseRetryAfter, reserveSlot, resetRateBudgets, TruvClient } from "../src/index.js"
import { scripted } from "./helpers.js"

const ORDER = { id: "o1", products: ["income"], created_at: "2026-11-22T10:00:00.000Z", employers: [] }

const client = (secret: string, http: Layer.Layer<HttpClient.HttpClient>, perMinute = 300) =>
  TruvClient.layerWithHttp({ baseUrl: "http://truv.test", clientId: "c", secret: Redacted.make(secret), maxRequestsPerMinute: perMinute, timeoutMs: 10_000, retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 8000 } }).pipe(Layer.provide(http))

const run = <A, E>(program: Effect.Effect<A, E, TruvClient>, layer: Layer.Layer<TruvClient>) =>
  Effect.runPromise(program.pipe(Effect.provide(Layer.merge(layer, TestClock.layer()))))

beforeEach(() => resetRateBudgets())

describe("budget", () => {
  it("allows N in any rolling minute, then waits for the oldest to leave (plus 100 ms slack)", () => {
    const key = "k1"
    expect([0, 0, 0].map(() => reserveSlot(key, 3, 1000))).toEqual([0, 0, 0])
    expect(reserveSlot(key, 3, 1000)).toBe(60_100)
    expect(reserveSlot(key, 3, 30_000)).toBe(31_100)
  })

  it("is keyed by a hash of the secret, never the secret", () => {
    const key = budgetKey(Redacted.make("sandbox-super-secret"))
    expect(key).toMatch(/^[0-9a-f]{24}$/)
    expect(key).not.toContain("super")
    expect(budgetKey(Redacted.make("sandbox-super-secret"))).toBe(key)
  })

  it("is shared by every client of the process with the same secret", async () => {
    const seen: Array<number> = []
    const http = scripted([{ status: 200, body: ORDER }], seen)
    const times = await run(Effect.gen(function*() {
      const a = yield* TruvClient
      yield* a.getOrder("o1")
      yield* a.getOrder("o1")
      const third = yield* Effect.forkChild(a.getOrder("o1"))
      yield* TestClock.adjust(60_100)
      yield* Fiber.join(third)
      return seen
    }), client("shared-secret", http, 2))
    expect(times).toEqual([0, 0, 60_100])
  })
})

describe("Retry-After and backoff", () => {
  it("a GET throttled with Retry-After: 7 waits 7 s, then succeeds", async () => {
    const seen: Array<number> = []
    const http = scripted([{ status: 429, body: { error: { code: "throttled", message: "Request was throttled." } }, headers: { "Retry-After": "7" } }, { status: 200, body: ORDER }], seen)
    const result = await run(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild((yield* TruvClient).getOrder("o1"))
      yield* TestClock.adjust(7000)
      return yield* Fiber.join(fiber)
    }), client("s-retry-after", http))
    expect(result.id).toBe("o1")
    expect(seen).toEqual([0, 7000])
  })

  it("a refresh POST throttled is not re-sent: Throttled with retryAfterMs", async () => {
    const seen: Array<number> = []
    const http = scripted([{ status: 429, body: { error: { code: "throttled", message: "Request was throttled." } }, headers: { "Retry-After": "3" } }], seen)
    const error = await run(Effect.flip((Effect.gen(function*() {
      return yield* (yield* TruvClient).refreshOrder("o1", { products: ["income"] })
    }))), client("s-post", http))
    expect(error).toMatchObject({ _tag: "Throttled", retryAfterMs: 3000 })
    expect(seen).toEqual([0])
  })

  it("GETs through 503s back off exponentially within [d/2, d]", async () => {
    const seen: Array<number> = []
    const http = scripted([{ status: 503, body: {} }, { status: 503, body: {} }, { status: 200, body: ORDER }], seen)
    await run(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild((yield* TruvClient).getOrder("o1"))
      yield* TestClock.adjust(1000)
      yield* TestClock.adjust(2000)
      return yield* Fiber.join(fiber)
    }), client("s-backoff", http))
    expect(seen).toHaveLength(3)
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(500)
    expect(seen[1]! - seen[0]!).toBeLessThanOrEqual(1000)
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(1000)
    expect(seen[2]! - seen[1]!).toBeLessThanOrEqual(2000)
  })

  it("backoff table and Retry-After parsing", () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelayMs(n, 200, 10_000, 1))).toEqual([200, 400, 800, 1600, 10_000])
    expect(backoffDelayMs(2, 200, 10_000, 0)).toBe(400)
    expect(parseRetryAfter("120", 0)).toBe(120_000)
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2015-10-21T07:27:00Z"))).toBe(60_000)
    expect(parseRetryAfter(undefined, 0)).toBe(null)
    expect(parseRetryAfter("soon", 0)).toBe(null)
  })
})

describe("response validation", () => {
  it("a missing field is a Transport error naming the endpoint and the field", async () => {
    const seen: Array<number> = []
    const http = scripted([{ status: 200, body: { id: "o1", products: ["income"] } }], seen)
    const error = await run(Effect.flip(Effect.flatMap(TruvClient, (c) => c.getOrder("o1"))), client("s-validate", http))
    expect(error).toMatchObject({
      _tag: "Transport",
      reachedTruv: true,
      message: "GET /v1/orders/{id}/: unexpected response (created_at: Invalid input: expected string, received undefined) for order o1",
      invalidFields: ["created_at"],
      orderId: "o1"
    })
  })

  it("unknown fields are tolerated", async () => {
    const seen: Array<number> = []
    const http = scripted([{ status: 200, body: { ...ORDER, brand_new_field: { x: 1 } } }], seen)
    const order = await run(Effect.flatMap(TruvClient, (c) => c.getOrder("o1")), client("s-tolerate", http))
    expect(order.id).toBe("o1")
  })
})
