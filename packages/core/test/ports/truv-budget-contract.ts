/**
 * The `TruvBudget` port's behaviour, written once and run against every implementation: core's
 * tests on the in-memory budget, `@recert/store`'s on SQLite and Postgres (imported through
 * `@recert/core/testing`). Each test opens one fresh shared budget and several holders of it
 * (separate connections or pools where the implementation has them: workers on one database),
 * with the TestClock at NOW, Truv's limit (300 a minute) and 1 s of slack, so a grant counts
 * until exactly NOW + 61 s.
 */
import type { BudgetGrant, BudgetRequest, TruvBudget } from "@recert/core"
import { Effect, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { beforeAll, describe, expect, it } from "vitest"
import { NOW } from "../fixtures.js"

type Holder = TruvBudget["Service"]

/** Opens a fresh shared budget with `holders` independent holders, closed with the scope. */
export type OpenBudget = (holders: number) => Effect.Effect<ReadonlyArray<Holder>, unknown, Scope.Scope>

const KEY = "b3f1c2d4e5a6978877665544"
const LIMIT = 300
const WINDOW = 60_000
const SLACK = 1_000
const request = (want: number, key = KEY): BudgetRequest => ({ key, want, limit: LIMIT, windowMs: WINDOW, slackMs: SLACK, holder: "test" })

/** A consumer: takes `need` permits in batches of at most `batch` until done or a grant comes back short. */
const takeNow = (holder: Holder, need: number, batch: number) => Effect.gen(function*() {
  let granted = 0
  let last: BudgetGrant = { granted: 0, retryAt: null }
  while (granted < need) {
    const want = Math.min(batch, need - granted)
    last = yield* holder.acquire(request(want))
    granted += last.granted
    if (last.granted < want) break
  }
  return { granted, retryAt: last.retryAt }
})

/**
 * Registers the contract's tests under `describe(name)`.
 *
 * @example
 * truvBudgetContract("in-memory budget", () => Effect.sync(() => { const b = makeInMemoryTruvBudget(); return [b, b, b, b] }))
 */
export const truvBudgetContract = (name: string, open: OpenBudget, options: { readonly available?: () => Promise<boolean> } = {}): void => {
  describe(`TruvBudget contract: ${name}`, () => {
    let available = true
    beforeAll(async () => {
      available = options.available === undefined ? true : await options.available()
    })
    const test = (title: string, holders: number, body: (h: ReadonlyArray<Holder>) => Effect.Effect<void, unknown>) =>
      it(title, async (ctx) => {
        if (!available) return ctx.skip()
        await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(NOW)
          yield* body(yield* open(holders))
        })).pipe(Effect.provide(TestClock.layer())))
      }, 60_000)

    test("a grant takes what is free, at most what was asked and the limit; then says when to ask again", 1, ([h]) => Effect.gen(function*() {
      expect(yield* h!.acquire(request(5))).toEqual({ granted: 5, retryAt: null })
      expect(yield* h!.acquire(request(400))).toEqual({ granted: 295, retryAt: NOW + WINDOW + SLACK })
      expect(yield* h!.acquire(request(1))).toEqual({ granted: 0, retryAt: NOW + WINDOW + SLACK })
      expect(yield* h!.acquire(request(0))).toEqual({ granted: 0, retryAt: null })
    }))

    test("4 concurrent holders asking for 400 permits in one minute get exactly 300; the rest when the window moves", 4, (holders) => Effect.gen(function*() {
      const first = yield* Effect.all(holders.map((h) => takeNow(h, 100, 25)), { concurrency: "unbounded" })
      expect(first.reduce((n, r) => n + r.granted, 0)).toBe(300)
      for (const r of first) if (r.granted < 100) expect(r.retryAt).toBe(NOW + WINDOW + SLACK)
      // 1 ms before the oldest grant leaves the window (plus slack): still nothing, for anyone.
      yield* TestClock.setTime(NOW + WINDOW + SLACK - 1)
      const early = yield* Effect.all(holders.map((h, i) => takeNow(h, 100 - first[i]!.granted, 25)), { concurrency: "unbounded" })
      expect(early.map((r) => r.granted)).toEqual([0, 0, 0, 0])
      yield* TestClock.setTime(NOW + WINDOW + SLACK)
      const rest = yield* Effect.all(holders.map((h, i) => takeNow(h, 100 - first[i]!.granted, 25)), { concurrency: "unbounded" })
      expect(rest.map((r, i) => r.granted + first[i]!.granted)).toEqual([100, 100, 100, 100])
    }))

    test("Retry-After from one holder is honoured by all until the instant, exactly", 4, (holders) => Effect.gen(function*() {
      yield* holders[0]!.block(KEY, NOW + 30_000)
      yield* holders[1]!.block(KEY, NOW + 10_000) // an earlier instant never shortens the wait
      for (const h of holders) expect(yield* h.acquire(request(1))).toEqual({ granted: 0, retryAt: NOW + 30_000 })
      yield* TestClock.setTime(NOW + 29_999)
      for (const h of holders) expect((yield* h.acquire(request(1))).granted).toBe(0)
      yield* TestClock.setTime(NOW + 30_000)
      for (const h of holders) expect(yield* h.acquire(request(1))).toEqual({ granted: 1, retryAt: null })
    }))

    test("each key is its own budget", 2, ([a, b]) => Effect.gen(function*() {
      expect((yield* a!.acquire(request(300))).granted).toBe(300)
      yield* a!.block(KEY, NOW + 5_000)
      expect(yield* b!.acquire(request(300, "0123456789abcdef01234567"))).toEqual({ granted: 300, retryAt: null })
    }))

    test("a holder whose clock is behind still counts the grants dated after its now", 2, ([a, b]) => Effect.gen(function*() {
      expect((yield* a!.acquire(request(300))).granted).toBe(300)
      yield* TestClock.setTime(NOW - 5_000)
      expect(yield* b!.acquire(request(1))).toEqual({ granted: 0, retryAt: NOW + WINDOW + SLACK })
    }))
  })
}
