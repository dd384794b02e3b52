import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { decideEffect, decideManyEffect, Policy, PolicyConfig, planEffect, rateWindow, parseDecisionInput } from "@recert/core"
import { attempt, HOUR, input, lineage, NOW } from "./fixtures.js"

const withClock = <A, E>(program: Effect.Effect<A, E>, at = NOW) =>
  Effect.runPromise(Effect.result(Effect.gen(function*() {
    yield* TestClock.setTime(at)
    return yield* program
  })).pipe(Effect.provide(TestClock.layer())))

const ledger = [attempt(NOW - 23 * HOUR), attempt(NOW - 2 * HOUR), attempt(NOW - HOUR)]
/** The default clock guard (`clockGuardSeconds: 120`). */
const GUARD = 120_000

describe("Effect API", () => {
  it("decideEffect reads now from the Clock: TestClock moves a wait into a refresh", async () => {
    const program = Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const before = yield* decideEffect(input(lineage(), ledger))
      // The window frees 1 h later, plus the default 120 s clock guard.
      yield* TestClock.adjust(HOUR + GUARD)
      const after = yield* decideEffect(input(lineage(), ledger))
      return [before.verdict, before.nextEligibleAt, after.verdict, after.at]
    })
    expect(await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer()))))
      .toEqual(["wait", new Date(NOW + HOUR + GUARD).toISOString(), "refresh", new Date(NOW + HOUR + GUARD).toISOString()])
  })

  it("decideEffect reads the configuration from Policy", async () => {
    const strict = PolicyConfig.parse({ rateWindow: { limit: 4 } })
    const r = await withClock(decideEffect(input(lineage(), ledger)).pipe(Effect.provideService(Policy, strict)))
    expect(r._tag === "Success" && r.success.verdict).toBe("refresh")
    const layer = Layer.succeed(Policy, PolicyConfig.parse({ rateWindow: { limit: 1 } }))
    const one = await withClock(decideEffect(input(lineage(), [attempt(NOW - HOUR)])).pipe(Effect.provide(layer)))
    expect(one._tag === "Success" && one.success.verdict).toBe("wait")
  })

  it("decideEffect fails InvalidInput with every problem", async () => {
    const r = await withClock(decideEffect({ lineage: { orderType: "cars" }, request: {} }))
    expect(r._tag).toBe("Failure")
    if (r._tag === "Failure") {
      expect(r.failure._tag).toBe("InvalidInput")
      expect(r.failure.issues.map((i) => i.path)).toEqual(["lineage.rootOrderId", "lineage.orderType", "lineage.orders", "lineage.connections", "request.products"])
    }
  })

  it("decideManyEffect decides a batch at one instant and names bad inputs by index", async () => {
    const ok = await withClock(decideManyEffect([input(), input(lineage(), ledger)]))
    expect(ok._tag === "Success" && ok.success.map((d) => [d.verdict, d.at])).toEqual([["refresh", new Date(NOW).toISOString()], ["wait", new Date(NOW).toISOString()]])
    const bad = await withClock(decideManyEffect([input(), { ...input(), ledger: [{ ...attempt(NOW), connectionIds: ["link-x"] }] }, 7]))
    if (bad._tag === "Failure") {
      expect(bad.failure.issues).toEqual([
        { path: "[1].ledger[0].connectionIds[0]", message: "no connection link-x in the lineage" },
        { path: "[2]", message: "Invalid input: expected object, received number" }
      ])
    } else expect.unreachable()
  })

  it("planEffect plans at the Clock's now", async () => {
    const c = { case: { id: "case-1", dueAt: new Date(NOW + 86_400_000).toISOString(), cycle: "annual", rootOrderId: "ord-1" }, lineage: lineage() }
    const r = await withClock(planEffect([c]))
    expect(r._tag === "Success" && [r.success.at, r.success.items[0]!.action]).toEqual([new Date(NOW).toISOString(), "refresh"])
  })

  it("each rule is an Effect program reading Clock and Policy", async () => {
    const parsed = parseDecisionInput(input(lineage(), ledger))
    const at = await withClock(rateWindow.program(parsed))
    expect(at._tag === "Success" && at.success.map((f) => f.until)).toEqual([NOW + HOUR + GUARD])
    const later = await withClock(rateWindow.program(parsed), NOW + HOUR + GUARD)
    expect(later._tag === "Success" && later.success).toEqual([])
    const lax = await withClock(rateWindow.program(parsed).pipe(Effect.provideService(Policy, PolicyConfig.parse({ rateWindow: { limit: 5 } }))))
    expect(lax._tag === "Success" && lax.success).toEqual([])
  })
})
