/**
 * The demo shows the whole loop (issue 16): its sandbox's clients are scripted (the `demo` mix),
 * and after tonight's pass the sandbox's clock (the scheduler's) moves on for three simulated days,
 * 12 h at a time, with a follow-up pass after each. The report counts renewals completed by a
 * refresh and by the client, the requests made of clients and where they stand, and the sandbox's
 * own account (orders, tokens, messages, clients' actions), exactly, for the demo's seed (7) and
 * a start fixed on a Monday (Truv's order expiry skips weekends).
 *
 * Before (main without following-days.ts): the demo's report had no `followingDays`, no client
 * ever acted (the sandbox's clients were unscripted) and every request stayed open.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { runDemo } from "../src/demo/demo.js"

const dir = mkdtempSync(join(tmpdir(), "recert-demo-loop-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the demo's following days (scale 0.1, seed 7, from Monday 2026-11-23 09:00 UTC)", () => {
  it("clients act during the run; the report counts renewals by a refresh and by the client, with the sandbox's counts beside them", async () => {
    const report = await Effect.runPromise(runDemo({ json: true, scale: 0.1, concurrency: 8, dir, start: Date.parse("2026-11-23T09:00:00.000Z") }))
    const f = report.followingDays
    // Seven steps of 12 h: Monday 09:00 to Thursday 21:00 (tonight's pass took seconds of real time).
    expect([f.days, f.stepHours, f.from.slice(0, 16), f.to.slice(0, 16)]).toEqual([3.5, 12, "2026-11-23T09:00", "2026-11-26T21:00"])
    // Every case's latest verification since the demo began: tonight's refreshes, and the clients'
    // completions (no earlier verification on record for them: review, baseline.none).
    expect(f.renewals).toEqual({ byRefresh: 54, byClient: { newOrder: 6, reauthentication: 24 }, review: { byRefresh: 7, byClient: 30 } })
    // 7 new orders (no-data 5, no-user 2) and 27 Bridge tokens; the clients who never answer expired
    // (a token after 6 h; an order created Monday after Truv's 72 weekday hours, Thursday).
    expect(f.requests).toEqual({ asked: { "new-order": 7, "bridge-update": 27 }, completed: 30, waiting: 0, expired: 4, superseded: 0, otherwiseResolved: 0 })
    // The sandbox's own account agrees: one order or token per request, each completion a client's action.
    expect(f.sandbox).toEqual({
      ordersCreated: 7, tokensCreated: 27, ordersCanceled: 0, messages: { initial: 0, reminders: 0 }, requestsMessagedTwice: 0,
      actions: { completed: 6, reauthenticated: 24, alreadyConnected: 0, tooLate: 0, undelivered: 0 }
    })
    expect(f.eventsWritten).toBe(60)
  }, 240_000)
})
