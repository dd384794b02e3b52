/**
 * Issue 14, "run must be as right as serve": outcomes learnt by polling are as precise as the
 * webhooks'. Against the sandbox (real HTTP, Truv's order JSON, where a failed suborder says only
 * `error`), the same scenarios run three ways:
 *
 * - `run`: no webhook receiver (the sandbox delivers nothing), outcomes by polling only;
 * - `serve`: the receiver stores every webhook, which brings the outcome first;
 * - `serve, webhooks lost`: the receiver is up but every webhook is lost, so the poll fallback decides.
 *
 * Each ends with exactly the same recorded outcome (the attempt's and the connection's status),
 * follow-up (the Bridge update-mode link and its reason), billing at Truv and decision (what
 * `recert explain` shows: verdict and reason codes); and three hours later, past any backoff, a
 * second pass sends no refresh to a connection that needs the user (before the fix, `run` learnt
 * `error`, retried with backoff and was billed again).
 */
import { decideAt, DEFAULT_POLICY_CONFIG, RenewalStore } from "@recert/core"
import type { Store } from "@recert/store"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { getStore, NOW, openWorld, settle, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const HOUR = 3_600_000
const NAMES = ["login-error", "mfa-error", "locked", "provider-down"] as const
type Mode = "run" | "serve" | "serve, webhooks lost"

/** What one case ended with, in ids that do not depend on the world (links by position). */
interface Observed {
  readonly outcome: string | undefined
  readonly attempts: ReadonlyArray<readonly [string, ReadonlyArray<string>]>
  readonly lastTaskStatus: ReadonlyArray<string | null>
  readonly queue: ReadonlyArray<readonly [string, string, string]>
  readonly billed: unknown
  readonly decision: { readonly verdict: string; readonly reasons: ReadonlyArray<ReadonlyArray<string>> }
  /** Three hours later: the second pass's outcome and the refreshes Truv accepted in all. */
  readonly later: { readonly outcome: string | undefined; readonly refreshes: number }
}

/** One pass ended once every seeded case is final and nothing is left to process (real time). */
const passUntilFinal = async (world: World, seeded: ReadonlyArray<SeededCase>, stats: RunStats): Promise<void> => {
  let stop = false
  const pass = world.pass({ stats, shouldStop: () => stop })
  const allFinal = () => seeded.every((c) => { const o = stats.outcomes.get(c.caseId); return o !== undefined && isFinalOutcome(o) })
  const settled = await settle(world, allFinal, 30_000)
  stop = true
  await pass
  if (!settled) throw new Error(`not every case final: ${JSON.stringify(Object.fromEntries(stats.outcomes))}`)
}

const observe = async (mode: Mode): Promise<Record<string, Observed>> => {
  const db: TestDatabase = sqliteDatabase()
  const world = await openWorld({
    db, seed: 14, clock: "real", start: NOW, receiver: mode !== "run",
    ...(mode === "serve, webhooks lost" ? { faults: { webhookLossRate: 1 } } : {})
  })
  try {
    const scenarios = NAMES.map((n) => ({ ...SCENARIOS.find((s) => s.name === n)!, count: 1 }))
    const seeded = await world.store.run(Effect.gen(function*() {
      return yield* seedDemo(yield* getStore, world.sandbox, { now: world.sandbox.clock.now(), scenarios })
    }))
    const first = new RunStats()
    await passUntilFinal(world, seeded, first)
    const at = world.sandbox.clock.now()
    const observed = await world.store.run(Effect.gen(function*() {
      const store: Store["Service"] = yield* getStore
      const renewal = yield* RenewalStore
      const queue = yield* store.listVerificationQueue({ includeResolved: true })
      const out: Record<string, Omit<Observed, "later">> = {}
      for (const c of seeded) {
        const snapshot = yield* renewal.loadSnapshot(c.caseId)
        const position = (id: string) => `link-${c.linkIds.indexOf(id)}`
        const decision = decideAt({ lineage: snapshot.lineage, ledger: [...snapshot.ledger], request: { products: [c.product] } }, at, DEFAULT_POLICY_CONFIG)
        out[c.scenario.name] = {
          outcome: first.outcomes.get(c.caseId),
          attempts: snapshot.ledger.map((a) => [a.status, Object.entries(a.outcomes).map(([id, s]) => `${position(id)}:${s}`)] as const),
          lastTaskStatus: snapshot.lineage.connections.map((k) => k.lastTaskStatus),
          queue: queue.filter((q) => q.caseId === c.caseId).map((q) => [q.kind, q.reason, q.detail] as const),
          billed: world.sandbox.report().verifications.byLineage[c.rootOrderId],
          decision: { verdict: decision.verdict, reasons: decision.connections.map((k) => k.reasons.map((r) => r.code)) }
        }
      }
      return out
    }))
    // Three hours later (past the 15 min backoff and the provider's 2 h outage), a second pass.
    world.sandbox.clock.advance(3 * HOUR)
    const second = new RunStats()
    await passUntilFinal(world, seeded, second)
    return Object.fromEntries(seeded.map((c) => [c.scenario.name, {
      ...observed[c.scenario.name]!,
      later: { outcome: second.outcomes.get(c.caseId), refreshes: world.sandbox.report().refreshes.acceptedByLink[c.linkIds[0]!] ?? 0 }
    }]))
  } finally {
    await world.close()
    await db.cleanup()
  }
}

const BILLED_ONCE = { billed: 1, free: 0, notBilled: 0 }
const needsUser = (status: string, reason: string): Observed => ({
  outcome: "reauth-queued",
  attempts: [["failed", [`link-0:${status}`]]],
  lastTaskStatus: [status],
  queue: [["bridge-update", reason, `refresh ended ${status}: the user must re-authenticate`]],
  billed: BILLED_ONCE,
  decision: { verdict: "reauthenticate", reasons: [[reason]] },
  // Asked again: the Bridge token queued 3 h ago is still valid (6 h), so nothing new is asked of Truv.
  later: { outcome: "reauth-queued", refreshes: 1 }
})

/** Exactly what each scenario ends with, whichever way the outcome was learnt. */
const EXPECTED: Record<(typeof NAMES)[number], Observed> = {
  "login-error": needsUser("login_error", "connection.needs-user"),
  "mfa-error": needsUser("mfa_error", "connection.needs-user"),
  "locked": needsUser("account_locked", "connection.locked"),
  // A provider that was down is retried after the backoff, however it was learnt: the lookup is
  // precise both ways (it does not turn every failure into "needs the user").
  "provider-down": {
    outcome: "retry-later",
    attempts: [["failed", ["link-0:unavailable"]]],
    lastTaskStatus: ["unavailable"],
    queue: [],
    billed: BILLED_ONCE,
    decision: { verdict: "wait", reasons: [["connection.unavailable"]] },
    later: { outcome: "refreshed", refreshes: 2 }
  }
}

describe("outcomes learnt by polling are as precise as webhooks (issue 14)", () => {
  const results = new Map<Mode, Record<string, Observed>>()

  beforeAll(async () => {
    for (const mode of ["serve", "run", "serve, webhooks lost"] as const) results.set(mode, await observe(mode))
  }, 120_000)
  afterAll(() => results.clear())

  for (const mode of ["serve", "run", "serve, webhooks lost"] as const) {
    for (const name of NAMES) {
      it(`${mode}: ${name} ends exactly as the table says`, () => {
        expect({ name, ...results.get(mode)![name] }).toEqual({ name, ...EXPECTED[name] })
      })
    }
  }

  it("run and a serve whose webhooks were lost end exactly as serve with webhooks, case by case", () => {
    expect(results.get("run")).toEqual(results.get("serve"))
    expect(results.get("serve, webhooks lost")).toEqual(results.get("serve"))
  })
})
