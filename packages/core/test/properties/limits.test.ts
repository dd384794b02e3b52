/**
 * Differential tests: the engine against the brute-force reference model, on random ledgers
 * (every status, several connections, times clustered on window boundaries) and random instants.
 */
import fc from "fast-check"
import { strict as assert } from "node:assert"
import { describe, it } from "vitest"
import { type AttemptInput, decide, type DecisionInputRaw } from "@recert/core"
import { countAt, gseRemaining, type ModelEvent, nextEligibleAt } from "./reference-model.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const BASE = Date.parse("2026-11-22T10:00:00.000Z")
const iso = (ms: number) => new Date(ms).toISOString()
const CONNECTIONS = ["link-1", "link-2", "link-3"] as const
const STATUSES = ["reserved", "sent", "succeeded", "failed", "rejected", "unknown"] as const
const RUNS = { numRuns: 2000 }

/** Instants near BASE, clustered on whole hours and ±1 ms of them, so boundaries are hit exactly. */
const instant = fc.tuple(fc.integer({ min: -50, max: 10 }), fc.constantFrom(-1, 0, 0, 0, 1, 1_800_000)).map(([h, d]) => BASE + h * HOUR + d)

const attemptArb = fc.record({
  at: instant,
  connectionIds: fc.subarray([...CONNECTIONS], { minLength: 1 }),
  status: fc.constantFrom(...STATUSES),
  product: fc.constantFrom("income", "employment")
})

/** The clock guard in seconds: none, the default, one second, a whole hour (so boundaries stay on whole hours). */
const guardArb = fc.constantFrom(0, 120, 1, 3600)

const scenario = fc.record({
  attempts: fc.array(attemptArb, { maxLength: 14 }),
  limit: fc.integer({ min: 1, max: 4 }),
  windowHours: fc.constantFrom(1, 6, 24),
  guardSeconds: guardArb,
  // now: a random instant, or exactly t + W + G (or ±1 ms) of one of the attempts
  nowPick: fc.tuple(instant, fc.nat(20), fc.constantFrom(-1, 0, 1), fc.boolean())
})

const rawInput = (attempts: ReadonlyArray<{ at: number; connectionIds: Array<string>; status: string; product: string }>, extra: Partial<DecisionInputRaw["lineage"]> = {}): DecisionInputRaw => ({
  lineage: {
    rootOrderId: "ord-1", orderType: "income",
    orders: [{ id: "ord-1", parentId: null, createdAt: iso(BASE - 60 * DAY) }],
    connections: CONNECTIONS.map((id) => ({ id, suborderId: `sub-${id}`, provider: "adp", authKind: "oauth", authenticatedAt: iso(BASE - 30 * DAY) })),
    ...extra
  },
  ledger: attempts.map((a, i): AttemptInput => ({ id: `att-${i}`, at: iso(a.at), product: a.product as "income", connectionIds: a.connectionIds, status: a.status as "sent" })),
  request: { products: ["income"] }
})

const pickNow = (attempts: ReadonlyArray<{ at: number }>, windowMs: number, [random, i, delta, onBoundary]: [number, number, number, boolean]) =>
  onBoundary && attempts.length > 0 ? attempts[i % attempts.length]!.at + windowMs + delta : random

describe("rate.window against the reference model", () => {
  it("remainingInWindow, the rate.window finding and its instant match the model at every instant", () => {
    fc.assert(fc.property(scenario, ({ attempts, limit, windowHours, guardSeconds, nowPick }) => {
      const W = windowHours * HOUR
      const G = guardSeconds * 1000
      const now = pickNow(attempts, W + G, nowPick)
      const events: Array<ModelEvent> = attempts
      const d = decide(rawInput(attempts), { now, config: { rateWindow: { limit, windowHours }, clockGuardSeconds: guardSeconds } })
      for (const c of d.connections) {
        const count = countAt(events, c.connectionId, now, now, W, G)
        assert.equal(c.remainingInWindow, Math.max(0, limit - count))
        const finding = c.reasons.find((r) => r.code === "rate.window")
        if (count >= limit) {
          assert.equal(finding?.data["nextEligibleAt"], iso(nextEligibleAt(events, c.connectionId, now, W, limit, G)))
          assert.equal(finding?.data["counted"], count)
        } else {
          assert.equal(finding, undefined)
        }
      }
    }), RUNS)
  })

  it("never refreshes a connection the model says is at the limit; the request holds exactly the refreshable ones", () => {
    fc.assert(fc.property(scenario, ({ attempts, limit, windowHours, guardSeconds, nowPick }) => {
      const W = windowHours * HOUR
      const G = guardSeconds * 1000
      const now = pickNow(attempts, W + G, nowPick)
      const d = decide(rawInput(attempts), { now, config: { rateWindow: { limit, windowHours }, clockGuardSeconds: guardSeconds } })
      const requested = new Set((d.request?.employers ?? []).map((e) => e.id))
      for (const c of d.connections) {
        if (c.verdict === "refresh") assert.ok(countAt(attempts, c.connectionId, now, now, W, G) < limit)
        assert.equal(requested.has(c.suborderId), c.verdict === "refresh")
      }
      assert.equal(d.connections.length, CONNECTIONS.length)
    }), RUNS)
  })

  it("a connection waiting only for the window may refresh at its nextEligibleAt and not 1 ms before", () => {
    fc.assert(fc.property(scenario, ({ attempts, limit, windowHours, guardSeconds, nowPick }) => {
      const W = windowHours * HOUR
      const now = pickNow(attempts, W + guardSeconds * 1000, nowPick)
      // Only settled attempts made by now, so neither the in-flight rule nor a later attempt interferes.
      const settled = attempts.filter((a) => a.at <= now).map((a) => ({ ...a, status: a.status === "rejected" ? "rejected" : "succeeded" }))
      const config = { rateWindow: { limit, windowHours }, clockGuardSeconds: guardSeconds }
      const d = decide(rawInput(settled), { now, config })
      for (const c of d.connections) {
        if (c.verdict !== "wait") continue
        const at = Date.parse(c.nextEligibleAt!)
        const later = decide(rawInput(settled), { now: at, config }).connections.find((x) => x.connectionId === c.connectionId)!
        assert.equal(later.verdict, "refresh")
        if (at - 1 >= now) assert.equal(decide(rawInput(settled), { now: at - 1, config }).connections.find((x) => x.connectionId === c.connectionId)!.verdict, "wait")
      }
    }), { numRuns: 1000 })
  })
})

describe("other properties", () => {
  it("determinism: the same input and instant give byte-identical JSON", () => {
    fc.assert(fc.property(scenario, ({ attempts, nowPick }) => {
      const now = pickNow(attempts, DAY, nowPick)
      const raw = rawInput(attempts)
      assert.equal(JSON.stringify(decide(structuredClone(raw), { now: iso(now) })), JSON.stringify(decide(structuredClone(raw), { now })))
    }), RUNS)
  })

  it("an expired OAuth connection is never in the request", () => {
    // Authenticated 170..190 days before now, ±1 ms, or exactly at the guard's edge (±1 ms).
    const auth = fc.tuple(fc.constantFrom("oauth", "session", "unknown"), fc.integer({ min: 170, max: 190 }), fc.constantFrom(-1, 0, 1), fc.boolean())
    fc.assert(fc.property(fc.tuple(auth, auth, auth), fc.array(attemptArb, { maxLength: 6 }), instant, guardArb, (auths, attempts, now, guardSeconds) => {
      const raw = rawInput(attempts)
      const G = guardSeconds * 1000
      const connections = raw.lineage.connections.map((c, i) => {
        const [authKind, days, delta, atGuard] = auths[i]!
        return { ...c, authKind, authenticatedAt: iso(now - days * DAY + delta + (atGuard ? G : 0)) }
      })
      const d = decide({ ...raw, lineage: { ...raw.lineage, connections } }, { now, config: { clockGuardSeconds: guardSeconds } })
      const requested = new Set((d.request?.employers ?? []).map((e) => e.id))
      connections.forEach((c) => {
        const expired = c.authKind === "oauth" && now >= Date.parse(c.authenticatedAt) + 180 * DAY - G
        if (expired) {
          assert.equal(requested.has(c.suborderId), false)
          assert.equal(d.connections.find((x) => x.connectionId === c.id)!.verdict, "reauthenticate")
        }
      })
    }), RUNS)
  })

  it("GSE quota and cost match the model", () => {
    const gseScenario = fc.record({
      attempts: fc.array(fc.record({
        at: fc.tuple(fc.integer({ min: 0, max: 95 }), fc.constantFrom(-1, 0, 1)).map(([d, e]) => BASE - 60 * DAY + d * DAY + e),
        connectionIds: fc.subarray([...CONNECTIONS], { minLength: 1 }),
        status: fc.constantFrom("succeeded", "failed", "rejected"),
        product: fc.constant("income")
      }), { maxLength: 10 }),
      nowDay: fc.integer({ min: 0, max: 100 }),
      nowDelta: fc.constantFrom(-1, 0, 1, 12 * HOUR),
      guardSeconds: guardArb,
      atGuard: fc.boolean()
    })
    fc.assert(fc.property(gseScenario, ({ attempts, nowDay, nowDelta, guardSeconds, atGuard }) => {
      const root = BASE - 60 * DAY
      const G = guardSeconds * 1000
      const now = root + nowDay * DAY + nowDelta - (atGuard ? G : 0)
      // a very high rate limit so the window never interferes with the quota
      const d = decide(rawInput(attempts, { gse: true }), { now, config: { rateWindow: { limit: 50 }, clockGuardSeconds: guardSeconds } })
      const remaining = gseRemaining(attempts, root, 90 * DAY, 5, Math.max(now, root), G)
      assert.equal(d.cost.gseFreeRemaining, now < root ? 5 : remaining)
      const refreshed = d.connections.filter((c) => c.verdict === "refresh").length
      const free = (d.cost.gseFreeRemaining ?? 0) > 0
      assert.deepEqual(d.cost, { billedVerifications: free ? 0 : refreshed, freeVerifications: free ? refreshed : 0, gseFreeRemaining: d.cost.gseFreeRemaining })
    }), RUNS)
  })
})
