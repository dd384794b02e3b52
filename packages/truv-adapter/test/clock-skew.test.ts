/**
 * Truv's clock from its `Date` header: one sample per answer (the header's second taken at its
 * middle, against the round trip's midpoint), the median of the last 15, one warning when the
 * estimate passes the threshold, and a Clock on Truv's time that leaves pacing alone.
 */
import { Clock, Effect, Layer, Logger, Redacted } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import { beforeEach, describe, expect, it } from "vitest"
import { CLOCK_SKEW_SAMPLES, ClockSkewEstimator, correctionMs, resetRateBudgets, skewSample, TruvClient, TruvClock, truvTimeClock } from "../src/index.js"

const T = Date.parse("2026-11-22T10:00:00.000Z")
const httpDate = (ms: number) => new Date(ms).toUTCString()

describe("one sample", () => {
  it("is the header's second at its middle minus our round trip's midpoint", () => {
    // Sent 10:00:00.000, answered 10:00:00.200; Truv wrote 11:00:00 (one second: 11:00:00.000-.999).
    expect(skewSample(T, T + 200, httpDate(T + 3_600_000))).toBe(3_600_000 + 500 - 100)
    expect(skewSample(T, T + 200, httpDate(T - 3_600_000))).toBe(-3_600_000 + 500 - 100)
    expect(skewSample(T, T, undefined)).toBeNull()
    expect(skewSample(T, T, "yesterday-ish")).toBeNull()
  })
})

describe("the estimate", () => {
  it("is the median of the recent samples: an outlier does not move it", () => {
    const e = new ClockSkewEstimator()
    expect(e.current).toEqual({ skewMs: null, samples: 0 })
    for (const truvAt of [T + 10_000, T + 10_000, T + 900_000]) e.record(T, T, httpDate(truvAt))
    expect(e.current).toEqual({ skewMs: 10_500, samples: 3 })
    e.record(T, T, httpDate(T + 20_000))
    expect(e.current).toEqual({ skewMs: 15_500, samples: 4 })
  })

  it(`keeps the last ${CLOCK_SKEW_SAMPLES} samples: a clock that was set right is followed`, () => {
    const e = new ClockSkewEstimator()
    for (let i = 0; i < CLOCK_SKEW_SAMPLES; i++) e.record(T, T, httpDate(T + 3_600_000))
    for (let i = 0; i < 8; i++) e.record(T, T, httpDate(T))
    expect(e.current).toEqual({ skewMs: 500, samples: CLOCK_SKEW_SAMPLES })
  })

  it("warns once, only beyond the threshold", () => {
    const e = new ClockSkewEstimator()
    e.record(T, T, httpDate(T + 59_000)) // 59.5 s
    expect(e.shouldWarn(60_000)).toBe(false)
    e.record(T, T, httpDate(T + 61_000))
    e.record(T, T, httpDate(T + 61_000)) // median 61.5 s
    expect([e.shouldWarn(60_000), e.shouldWarn(60_000)]).toEqual([true, false])
  })

  it("is applied outside a 2 s deadband only (the header cannot measure finer)", () => {
    expect([null, 0, 1_999, -1_999, 2_000, -2_000, 3_600_400].map((skewMs) => correctionMs({ skewMs, samples: 1 })))
      .toEqual([0, 0, 0, 0, 2_000, -2_000, 3_600_400])
  })
})

describe("a Clock on Truv's time", () => {
  it("adds the correction to the time of day, read at every call; monotonic time and sleeping stay ours", async () => {
    let correction = 0
    const out = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(T)
      const base = yield* Clock.Clock
      const truv = truvTimeClock(base, () => correction)
      const before = [truv.currentTimeMillisUnsafe(), yield* truv.monotonicTimeNanos]
      correction = 3_600_000
      return { before, after: [yield* truv.currentTimeMillis, truv.currentTimeNanosUnsafe(), yield* truv.monotonicTimeNanos] }
    }).pipe(Effect.provide(TestClock.layer())))
    expect(out.before[0]).toBe(T)
    expect(out.after).toEqual([T + 3_600_000, BigInt(T + 3_600_000) * 1_000_000n, out.before[1]])
  })
})

describe("the client", () => {
  beforeEach(() => resetRateBudgets())

  /** Answers every request with an order and `Date` = our clock + `skewMs`. */
  const truvAhead = (skewMs: number, seen: Array<string>) =>
    Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) =>
      Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (now) => {
        seen.push(request.url)
        const body = JSON.stringify({ id: "o1", products: ["income"], created_at: "2026-11-22T10:00:00.000Z", employers: [] })
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status: request.url.endsWith("/webhooks/") ? 404 : 200, headers: { Date: httpDate(now + skewMs) } })))
      })))

  const run = <A, E>(program: Effect.Effect<A, E, TruvClient | TruvClock>, http: Layer.Layer<HttpClient.HttpClient>, logs: Array<string>) => {
    const capture = Logger.layer([Logger.make((o) => { logs.push(`${o.logLevel}: ${String(o.message)}`) })])
    const layer = TruvClient.layerWithHttp({ baseUrl: "http://truv.test", clientId: "c", secret: Redacted.make("sandbox-clock"), clockSkewWarningMs: 60_000 }).pipe(Layer.provide(http))
    // The client measures against the Clock it is built with: the same TestClock as the program's.
    return Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(T)
      return yield* program
    }).pipe(Effect.provide(Layer.merge(layer, capture).pipe(Layer.provideMerge(TestClock.layer())))))
  }

  it("reads Truv's clock from every answer and warns once when it is more than the threshold away", async () => {
    const logs: Array<string> = []
    const seen: Array<string> = []
    const skews = await run(Effect.gen(function*() {
      const truv = yield* TruvClient
      const clock = yield* TruvClock
      const before = yield* clock.skew
      yield* truv.getOrder("o1")
      yield* truv.getOrder("o1")
      return [before, yield* clock.skew]
    }), truvAhead(-3_600_000, seen), logs)
    expect(skews).toEqual([{ skewMs: null, samples: 0 }, { skewMs: -3_599_500, samples: 2 }])
    expect(logs).toEqual(["Warn: Truv's clock differs from this machine's by -3599.5 s (median of 1 Date header(s)); check this machine's time (NTP)"])
  })

  it("reads a Retry-After given as an HTTP date against the answer's own Date, not this machine's clock", async () => {
    const truvNow = Date.parse("2031-05-01T12:00:00.000Z")
    const http = Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response(
      JSON.stringify({ error: { code: "throttled", message: "Request was throttled." } }),
      { status: 429, headers: { Date: httpDate(truvNow), "Retry-After": httpDate(truvNow + 7_000) } })))))
    const error = await run(Effect.flip(Effect.flatMap(TruvClient, (c) => c.refreshOrder("o1", { products: ["income"] }))), http, [])
    expect(error).toMatchObject({ _tag: "Throttled", retryAfterMs: 7_000 })
  })

  it("probes once with GET /v1/webhooks/ when nothing was read yet; any answer carries the Date", async () => {
    const seen: Array<string> = []
    const out = await run(Effect.gen(function*() {
      const clock = yield* TruvClock
      const first = yield* clock.probe
      const second = yield* clock.probe
      return [first, second]
    }), truvAhead(3_600_000, seen), [])
    expect(out).toEqual([{ skewMs: 3_600_500, samples: 1 }, { skewMs: 3_600_500, samples: 1 }])
    expect(seen).toEqual(["http://truv.test/v1/webhooks/"])
  })
})
