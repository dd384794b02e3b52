/**
 * What the demo's report says tonight's plan saved against Truv's guide loop (issue 18: "the demo's
 * report states what tonight's plan saved against the guide's loop on its own cases"), case by
 * case: a connection the rules know is dead is sent a link without the billed refresh the guide
 * would make; a provider in backoff is neither refreshed nor sent a link (the guide would do both);
 * a refresh Truv's own limit would reject saves nothing (not billed either way); a case not due is
 * not counted.
 */
import { type AttemptInput, type CaseInput, DEFAULT_POLICY_CONFIG, InMemoryRenewalStore, type LineageInput, Policy } from "@recert/core"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { againstGuide, renderAgainstGuide } from "../src/demo/guide-comparison.js"

const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const HOUR = 3_600_000
const DAY = 24 * HOUR
const iso = (ms: number) => new Date(ms).toISOString()

const lineage = (connection: Partial<LineageInput["connections"][number]> = {}): LineageInput => ({
  rootOrderId: "ord-1", orderType: "income",
  orders: [{ id: "ord-1", parentId: null, createdAt: iso(NOW - 120 * DAY) }],
  connections: [{ id: "link-1", suborderId: "sub-1", provider: "adp", authKind: "oauth", authenticatedAt: iso(NOW - 30 * DAY), lastTaskStatus: "done", lastStatusAt: iso(NOW - 20 * DAY), ...connection }]
})
const kase = (patch: Partial<CaseInput> = {}): CaseInput => ({ id: "case-1", dueAt: "2026-12-01T00:00:00.000Z", cycle: "annual", rootOrderId: "ord-1", ...patch })
const attempt = (at: number, status: "succeeded" | "failed", outcome: "done" | "unavailable"): AttemptInput => ({
  id: `att-${at}`, at: iso(at), product: "income", connectionIds: ["link-1"], status, outcomes: { "link-1": outcome }, resolvedAt: iso(at + 60_000)
})

const compare = (c: CaseInput, l: LineageInput, ledger: ReadonlyArray<AttemptInput> = []) =>
  Effect.runPromise(againstGuide([c.id], NOW).pipe(
    Effect.provide(InMemoryRenewalStore.layer({ cases: [c], lineages: [l], ledger })),
    Effect.provideService(Policy, DEFAULT_POLICY_CONFIG)
  ))

describe("againstGuide: what tonight's plan saved against the guide's loop", () => {
  it.each([
    ["a healthy connection: both refresh, nothing saved", kase(), lineage(), [], { due: 1, billedRefreshesSaved: 0, linksSaved: 0, linkedWithoutRefresh: 0 }],
    ["OAuth past Truv's 180 days: a link without the billed refresh", kase(), lineage({ authenticatedAt: iso(NOW - 181 * DAY) }), [], { due: 1, billedRefreshesSaved: 1, linksSaved: 0, linkedWithoutRefresh: 1 }],
    ["a known login error: a link without the billed refresh", kase(), lineage({ lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) }), [], { due: 1, billedRefreshesSaved: 1, linksSaved: 0, linkedWithoutRefresh: 1 }],
    ["a provider down 10 minutes ago (backoff): neither the refresh nor the guide's link",
      kase(), lineage({ lastTaskStatus: "unavailable", lastStatusAt: iso(NOW - 10 * 60_000) }), [attempt(NOW - 11 * 60_000, "failed", "unavailable")],
      { due: 1, billedRefreshesSaved: 1, linksSaved: 1, linkedWithoutRefresh: 0 }],
    ["Truv's 24 h limit full (1 + 3): rejected unbilled either way, nothing saved",
      kase(), lineage(), [attempt(NOW - 20 * HOUR, "succeeded", "done"), attempt(NOW - 14 * HOUR, "succeeded", "done"), attempt(NOW - 8 * HOUR, "succeeded", "done"), attempt(NOW - 2 * HOUR, "succeeded", "done")],
      { due: 1, billedRefreshesSaved: 0, linksSaved: 0, linkedWithoutRefresh: 0 }],
    ["not due yet: not counted", kase({ dueAt: "2027-03-01T00:00:00.000Z" }), lineage({ authenticatedAt: iso(NOW - 181 * DAY) }), [], { due: 0, billedRefreshesSaved: 0, linksSaved: 0, linkedWithoutRefresh: 0 }],
    ["a lender case whose note date has passed: not counted", kase({ dueAt: "2026-11-20T00:00:00.000Z", cycle: "ad-hoc", closingDate: "2026-11-20" }), lineage({ authenticatedAt: iso(NOW - 181 * DAY) }), [],
      { due: 0, billedRefreshesSaved: 0, linksSaved: 0, linkedWithoutRefresh: 0 }]
  ] as const)("%s", async (_name, c, l, ledger, expected) => {
    expect(await compare(c, l, ledger)).toEqual(expected)
  })

  it("the report's sentence", () => {
    expect(renderAgainstGuide({ due: 12, billedRefreshesSaved: 5, linksSaved: 2, linkedWithoutRefresh: 4 })).toBe(
      "Against Truv's guide loop on these cases: the guide refreshes all 12 due cases and sends a link after any failure; tonight's plan " +
      "saved 5 billed refreshes that would have failed (4 connections sent a link directly, 1 in provider backoff) and 2 links for provider outages.")
  })
})
