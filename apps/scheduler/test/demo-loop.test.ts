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
    // The days start when tonight's pass ends (the sandbox's clock runs in real time until then: minutes on a loaded machine).
    // Seven 12 h steps, plus the real seconds the follow-up passes between them took.
    expect([f.days, f.stepHours, f.from.slice(0, 13)]).toEqual([3.5, 12, "2026-11-23T09"])
    expect(Date.parse(f.to) - Date.parse(f.from) - 3.5 * 24 * 3_600_000).toBeGreaterThanOrEqual(0)
    expect(Date.parse(f.to) - Date.parse(f.from) - 3.5 * 24 * 3_600_000).toBeLessThan(10 * 60_000)
    // Every case's latest verification since the demo began: tonight's refreshes, and the clients'
    // completions (no earlier verification on record for them: review, baseline.none). The
    // deployment's default reach is truv-sends: every client is asked through a new hosted order.
    expect(f.renewals).toEqual({ byRefresh: 54, byClient: { newOrder: 30, reauthentication: 0 }, review: { byRefresh: 7, byClient: 30 } })
    // 34 new orders tonight; the 4 whose clients never answered expired Thursday 09:00 (72 weekday
    // hours) and the sweep replaced each once (waiting at the end, Thursday 21:00). The 2 clients
    // who completed on day 3 (by Thursday 07:00) are followed to the end although the 12 h step
    // also passed their expiry: the sweep and the renewal read the order before expiring it (before,
    // their requests expired and were replaced: 28 completed against the sandbox's 30).
    expect(f.requests).toEqual({ asked: { "new-order": 38, "bridge-update": 0 }, completed: 30, waiting: 4, expired: 4, superseded: 0, escalated: 0, otherwiseResolved: 0 })
    // The sandbox's own account: one order per request, Truv's message to each client once
    // (requestsMessagedTwice 0) and its reminders; its 30 completions are the 30 requests completed.
    expect(f.sandbox).toEqual({
      ordersCreated: 38, tokensCreated: 0, ordersCanceled: 0, messages: { initial: 38, reminders: 47 }, requestsMessagedTwice: 0,
      actions: { completed: 30, reauthenticated: 0, alreadyConnected: 0, tooLate: 0, undelivered: 0 }
    })
    // In these days every completion wrote its event, and every expiry two (verification.expired,
    // then its replacement's case.client-action-needed); the total also holds the renewals' events,
    // whose count depends on when tonight's last webhooks land (68 and 69 seen).
    expect(f.eventsWritten).toBeGreaterThanOrEqual(f.requests.completed + 2 * f.requests.expired)
  }, 240_000)
})
