/**
 * Durable follow-ups: a worker killed between recording a refresh's final outcome and finishing
 * its follow-up (issue 5, "lose nothing"). The refreshes go to the in-process sandbox (manual
 * clock at NOW) and their webhooks reach the inbox; the killed worker processes them through the
 * real `processWebhookBody` -> `applyOutcome`, with the kill simulated as a defect at the chosen
 * point, and leaves the events unprocessed, as a SIGKILL would. Then the next worker's passes
 * (two minutes later, past `staleAfterMs`) must follow every case up exactly once: one report and
 * one reschedule for a refreshed case, one verification link (no second Bridge token or new order
 * at Truv) for a case needing the user, one retry for a provider that is down; a second pass adds
 * nothing.
 *
 * The passes here only recover and process (`enqueueDue: false`): a case still due whose
 * connection needs the user is asked again by a renewal under a new job key, with or without a
 * crash (README, "Known gaps"), which is not what this test is about.
 */
import { DEFAULT_POLICY_CONFIG, jitteredDelay, RenewalStore } from "@recert/core"
import { openDatabase, type Store } from "@recert/store"
import { Effect, Exit } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import { storeCaseProgress } from "../src/runner/store-case-progress.js"
import { RunTracker } from "../src/runner/tracker.js"
import { CaseProgress, makeMemoryCaseProgress } from "../src/workflow/case-progress.js"
import { processWebhookBody } from "../src/workflow/process-webhook.js"
import { renewCase } from "../src/workflow/renew-case.js"
import { DAY, getStore, iso, NOW, openWorld, settle, sleepMs, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const MINUTE = 60_000
const NAMES = ["healthy", "no-data", "login-error", "provider-down"] as const
const KILLED = "SIGKILL (simulated)"

const addMonths = (at: string, months: number): string => {
  const d = new Date(at)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.toISOString()
}

/** What the store and the sandbox hold for the seeded cases: everything a follow-up writes or asks. */
interface Trace {
  readonly cases: Record<string, { dueAt: string; lastVerifiedAt: string | null }>
  /** Each case's verifications: [verifiedAt, class, reason codes]. */
  readonly verifications: Record<string, ReadonlyArray<readonly [string, string, ReadonlyArray<string>]>>
  /** [case, kind, connections, Bridge token or new order id], by case. */
  readonly queue: ReadonlyArray<readonly [string, string, ReadonlyArray<string>, unknown]>
  /** [key, runAt] of every renew job, by key. */
  readonly renewJobs: ReadonlyArray<readonly [string, string]>
  /** Final attempts whose follow-up is still owed. */
  readonly owed: number
  readonly pendingEvents: number
  readonly truv: { readonly refreshes: number; readonly newOrders: number; readonly bridgeTokens: number }
}

const trace = async (world: World, db: TestDatabase, seeded: ReadonlyArray<SeededCase>): Promise<Trace> => {
  const fromStore = await world.store.run(Effect.gen(function*() {
    const store: Store["Service"] = yield* getStore
    const cases: Record<string, { dueAt: string; lastVerifiedAt: string | null }> = {}
    const verifications: Record<string, ReadonlyArray<readonly [string, string, ReadonlyArray<string>]>> = {}
    for (const c of seeded) {
      const k = yield* store.getCase(c.caseId)
      cases[c.caseId] = { dueAt: k.dueAt, lastVerifiedAt: k.lastVerifiedAt }
      verifications[c.caseId] = (yield* store.listVerifications(c.caseId)).map((v) => [v.verifiedAt, v.result.class, v.result.reasons.map((r) => r.code)] as const)
    }
    const queue = (yield* store.listVerificationQueue({ includeResolved: true }))
      .map((q) => [q.caseId, q.kind, q.connectionIds, q.kind === "bridge-update" ? q.bridgeToken : q.orderId] as const)
      .sort((a, b) => a[0].localeCompare(b[0]))
    return {
      cases, verifications, queue,
      owed: (yield* store.pendingFollowUps(iso(NOW + DAY))).length,
      pendingEvents: (yield* store.pendingWebhookEvents(100)).length
    }
  }))
  // Every renew job in the table (the store lists no jobs; read the SQLite file, no pass running).
  const { db: raw } = openDatabase(db.url)
  try {
    const rows = await raw.selectFrom("jobs").select(["key", "run_at"]).where("kind", "=", "renew").orderBy("key").execute()
    const report = world.sandbox.report()
    return {
      ...fromStore,
      renewJobs: rows.map((r) => [r.key ?? "", iso(Number(r.run_at))] as const),
      truv: { refreshes: report.refreshes.accepted, newOrders: report.ordersCreated, bridgeTokens: report.bridgeTokensIssued }
    }
  } finally {
    await raw.destroy()
  }
}

/**
 * The killed worker: renews each case (the refresh is sent), lets the sandbox answer, then
 * processes the inbox's outcome events with the kill at `at`; the events stay unprocessed.
 * Returns each case's attempt id.
 */
const killedWorker = async (world: World, seeded: ReadonlyArray<SeededCase>, at: "after-record" | "before-mark"): Promise<Record<string, string>> => {
  const memory = makeMemoryCaseProgress()
  const attempts: Record<string, string> = {}
  for (const c of seeded) {
    const r = await world.store.run(renewCase(c.caseId).pipe(Effect.provide(memory.layer), Effect.provide(world.gateway)))
    expect([c.caseId, r.outcome]).toEqual([c.caseId, "in-flight"])
    attempts[c.caseId] = r.attemptId!
  }
  // The sandbox answers and delivers each refresh's outcome event to the inbox (bounded wait).
  const store: Store["Service"] = await world.store.run(getStore)
  const pending = () => world.store.run(store.pendingWebhookEvents(100))
  for (let i = 0; i < 1500 && (await pending()).length < seeded.length; i++) await sleepMs(20)
  await world.sandbox.idle()
  const renewal = await world.store.run(Effect.gen(function*() {
    return yield* RenewalStore
  }))
  // Killed after recording: the follow-up's first step (reading the case) never returns.
  const afterRecord = { ...renewal, loadSnapshot: () => Effect.die(KILLED) }
  // Killed before the mark: every step ran (a real worker's follow-ups), the mark never did.
  const beforeMark: CaseProgress["Service"] = { ...storeCaseProgress(store, new RunStats(), new RunTracker(NOW + DAY)), followedUp: () => Effect.die(KILLED) }
  const events = await pending()
  let killed = 0
  for (const event of events) {
    const program = at === "after-record"
      ? processWebhookBody(event.body).pipe(Effect.provide(memory.layer), Effect.provideService(RenewalStore, afterRecord))
      : processWebhookBody(event.body).pipe(Effect.provideService(CaseProgress, beforeMark))
    const exit = await world.store.run(Effect.exit(program.pipe(Effect.provide(world.gateway))))
    if (Exit.isFailure(exit)) killed += 1
  }
  expect([events.length, killed]).toEqual([seeded.length, seeded.length])
  return attempts
}

/** One pass of the next worker (recovery and inbox only), ended once `done()` holds and nothing is left to process. */
const passUntil = async (world: World, done: () => boolean, stats: RunStats) => {
  let stop = false
  const pass = world.pass({ enqueueDue: false, horizonMs: DAY, stats, shouldStop: () => stop })
  const settled = await settle(world, done, 30_000)
  stop = true
  await pass
  expect(settled).toBe(true)
}

describe("a worker killed between recording a final outcome and finishing its follow-up", () => {
  let db: TestDatabase | undefined
  let world: World | undefined
  afterEach(async () => {
    await world?.close()
    await db?.cleanup()
  })

  const open = async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 7 })
    const w = world
    const scenarios = NAMES.map((name) => ({ ...SCENARIOS.find((s) => s.name === name)!, count: 1 }))
    const seeded = await w.store.run(Effect.gen(function*() {
      return yield* seedDemo(yield* getStore, w.sandbox, { now: NOW, scenarios })
    }))
    const byName = Object.fromEntries(seeded.map((c) => [c.scenario.name, c])) as Record<(typeof NAMES)[number], SeededCase>
    return { w, d: db, seeded, byName, before: await trace(w, db, seeded) }
  }

  /**
   * Every case followed up exactly once at `at`: the refreshed case's report and next due date,
   * one new order (no data), one Bridge update-mode link (login error), one retry at core's
   * backoff instant (provider down), nothing owed; Truv asked for one new order and one token.
   */
  const followedUpOnce = (before: Trace, byName: Record<(typeof NAMES)[number], SeededCase>, attempts: Record<string, string>, at: number): Omit<Trace, "pendingEvents"> => {
    const { healthy, "no-data": noData, "login-error": loginError, "provider-down": down } = byName
    return {
      cases: { ...before.cases, [healthy.caseId]: { dueAt: addMonths(before.cases[healthy.caseId]!.dueAt, 12), lastVerifiedAt: iso(at) } },
      // Fetched once at `at`: the case's first verification, so review with baseline.none.
      verifications: { ...before.verifications, [healthy.caseId]: [[iso(at), "review", ["baseline.none"]]] },
      // By case id: case-login-error-0001, case-no-data-0001.
      queue: [
        [loginError.caseId, "bridge-update", loginError.linkIds, expect.any(String)],
        [noData.caseId, "new-order", noData.linkIds, expect.any(String)]
      ],
      renewJobs: [[`renew:${down.caseId}:retry:${attempts[down.caseId]}`, iso(NOW + jitteredDelay(DEFAULT_POLICY_CONFIG, down.linkIds[0]!, 1))]],
      owed: 0,
      truv: { refreshes: before.truv.refreshes + 4, newOrders: before.truv.newOrders + 1, bridgeTokens: before.truv.bridgeTokens + 1 }
    }
  }

  it("killed right after recordOutcome: the next pass runs each follow-up once; a second pass adds nothing", async () => {
    const { w, d, seeded, byName, before } = await open()
    const attempts = await killedWorker(w, seeded, "after-record")
    // Every attempt final with its follow-up owed, nothing of it done; the outcome events unprocessed.
    expect(await trace(w, d, seeded)).toEqual({ ...before, owed: 4, pendingEvents: 4, truv: { ...before.truv, refreshes: before.truv.refreshes + 4 } })

    w.sandbox.clock.advance(2 * MINUTE)
    const stats = new RunStats()
    await passUntil(w, () => seeded.every((c) => stats.outcomes.has(c.caseId)), stats)
    const after = await trace(w, d, seeded)
    expect(after).toEqual({ ...followedUpOnce(before, byName, attempts, NOW + 2 * MINUTE), pendingEvents: 0 })
    expect(Object.fromEntries(stats.outcomes)).toEqual({
      [byName.healthy.caseId]: "refreshed", [byName["no-data"].caseId]: "new-order-queued",
      [byName["login-error"].caseId]: "reauth-queued", [byName["provider-down"].caseId]: "retry-later"
    })
    // One follow-up job per attempt; the outcome events, processed now, were ignored (already recorded).
    expect(w.jobs.filter((j) => j.kind === "follow-up").map((j) => j.key).sort()).toEqual(Object.values(attempts).map((id) => `follow-up:${id}`).sort())
    expect([stats.webhooksProcessed, stats.jobsFailed]).toEqual([4, 0])

    w.sandbox.clock.advance(2 * MINUTE)
    const jobs = w.jobs.length
    const second = new RunStats()
    await passUntil(w, () => true, second)
    expect(await trace(w, d, seeded)).toEqual(after)
    expect([w.jobs.length, second.outcomes.size]).toEqual([jobs, 0])
  })

  it("killed after the follow-up's steps, before it was marked complete: running it again adds nothing", async () => {
    const { w, d, seeded, byName, before } = await open()
    const attempts = await killedWorker(w, seeded, "before-mark")
    // Every step ran at NOW (report, reschedule, links); none was marked complete, so the retry,
    // scheduled with the mark in one write, is not there yet.
    const crashed = await trace(w, d, seeded)
    const once = followedUpOnce(before, byName, attempts, NOW)
    expect(crashed).toEqual({ ...once, renewJobs: [], owed: 4, pendingEvents: 4 })

    w.sandbox.clock.advance(2 * MINUTE)
    const stats = new RunStats()
    await passUntil(w, () => seeded.every((c) => stats.outcomes.has(c.caseId)), stats)
    // The same report, due date and links, nothing more asked of Truv: marked complete, with the
    // retry at the same backoff instant.
    expect(await trace(w, d, seeded)).toEqual({ ...once, owed: 0, pendingEvents: 0 })
    expect([w.jobs.filter((j) => j.kind === "follow-up").length, stats.jobsFailed]).toEqual([4, 0])

    w.sandbox.clock.advance(2 * MINUTE)
    const jobs = w.jobs.length
    await passUntil(w, () => true, new RunStats())
    expect(await trace(w, d, seeded)).toEqual({ ...once, owed: 0, pendingEvents: 0 })
    expect(w.jobs.length).toBe(jobs)
  })

  it("a follow-up's retry is keyed by its attempt: run again past the backoff (retry now, another instant), still one renewal", async () => {
    const { w, d, seeded, byName } = await open()
    const down = byName["provider-down"].caseId
    const followUps = storeCaseProgress(await w.store.run(getStore), new RunStats(), new RunTracker(NOW + DAY))
    await w.store.run(followUps.renewLater(down, iso(NOW + 14 * MINUTE), "attempt-1"))
    await w.store.run(followUps.renewLater(down, iso(NOW + 20 * MINUTE), "attempt-1"))
    await w.store.run(followUps.renewLater(down, iso(NOW + 20 * MINUTE), "attempt-2"))
    expect((await trace(w, d, seeded)).renewJobs).toEqual([
      [`renew:${down}:retry:attempt-1`, iso(NOW + 14 * MINUTE)], [`renew:${down}:retry:attempt-2`, iso(NOW + 20 * MINUTE)]
    ])
  })
})

/**
 * Issue 15/16, a late recovery: a worker killed after recording a refresh's success and before its
 * follow-up, and the next pass two hours later (past `inFlightRecheckMinutes`, 20 minutes, the only
 * window that held a renewal back after a success). That pass both owes the follow-up (recovery)
 * and finds the case still due (the follow-up reschedules it): the renewal must not refresh the
 * case again beside the follow-up. Before the fix, the renewal's `reserve` saw a success older than
 * 20 minutes, refreshed and billed the case a second time while the follow-up fetched the first
 * refresh's report. The sandbox answers each call 30 ms late, so the follow-up's report fetch (an
 * order and a link report) is the slower path, as with Truv.
 */
describe("a late recovery (2 h after a worker died between recordOutcome and the follow-up)", () => {
  let db: TestDatabase | undefined
  let world: World | undefined
  afterEach(async () => {
    await world?.close()
    await db?.cleanup()
  })

  it("the next pass runs the owed follow-up before any renewal: one refresh at Truv, one verification, rescheduled once", async () => {
    db = sqliteDatabase()
    world = await openWorld({ db, seed: 7 })
    const w = world
    const d = db
    const scenarios = [{ ...SCENARIOS.find((s) => s.name === "healthy")!, count: 1 }]
    const seeded = await w.store.run(Effect.gen(function*() {
      return yield* seedDemo(yield* getStore, w.sandbox, { now: NOW, scenarios })
    }))
    const healthy = seeded[0]!
    const before = await trace(w, d, seeded)
    const attempts = await killedWorker(w, seeded, "after-record")
    expect(await trace(w, d, seeded)).toEqual({ ...before, owed: 1, pendingEvents: 1, truv: { ...before.truv, refreshes: before.truv.refreshes + 1 } })

    w.sandbox.clock.advance(2 * 60 * MINUTE)
    w.sandbox.configureFaults({ latencyMs: 30 })
    const stats = new RunStats()
    let stop = false
    // The whole pass: recovery's follow-up job and the due-case stream's renewal of the same case.
    const pass = w.pass({ horizonMs: DAY, stats, shouldStop: () => stop })
    const settled = await settle(w, () => stats.outcomes.get(healthy.caseId) === "refreshed" && w.jobs.some((j) => j.kind === "renew"), 30_000)
    stop = true
    await pass
    expect(settled).toBe(true)
    const at = NOW + 2 * 60 * MINUTE
    const after = await trace(w, d, seeded)
    expect(after).toEqual({
      ...before,
      cases: { [healthy.caseId]: { dueAt: addMonths(before.cases[healthy.caseId]!.dueAt, 12), lastVerifiedAt: iso(at) } },
      verifications: { [healthy.caseId]: [[iso(at), "review", ["baseline.none"]]] },
      owed: 0, pendingEvents: 0,
      // The due-case stream's renewal (it ran and sent nothing).
      renewJobs: [[`renew:${iso(at).slice(0, 10)}:${healthy.caseId}:since:${iso(NOW)}`, iso(at)]],
      // The killed worker's refresh only: the renewal found the follow-up owed and sent nothing.
      truv: { ...before.truv, refreshes: before.truv.refreshes + 1 }
    })
    expect(w.sandbox.link(healthy.linkIds[0]!).refreshes).toEqual([iso(NOW)])
    expect(w.jobs.filter((j) => j.kind === "follow-up").map((j) => j.key)).toEqual([`follow-up:${attempts[healthy.caseId]}`])
    expect(stats.jobsFailed).toBe(0)
  })
})
