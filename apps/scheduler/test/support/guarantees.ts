/**
 * The run's guarantees, checked from both sides after workers are done: the sandbox (what Truv
 * accepted, billed and sent) and the store (the ledger, the inbox). Returns plain data so a test
 * asserts it with one exact `toEqual` and a failure shows every broken guarantee at once.
 */
import type { Attempt } from "@recert/core"
import { Effect } from "effect"
import type { SeededCase } from "../../src/demo/seed.js"
import { getStore, type World } from "./world.js"

const DAY = 86_400_000
const LIMIT = 3

export interface Guarantees {
  /** The sandbox's count of refresh requests refused for the 24 h limit. */
  readonly limitViolationsAttempted: number
  /** Links whose refreshes (sandbox's accepted + the seeded history) exceed 3 in some rolling 24 h. */
  readonly linksOverLimit: ReadonlyArray<string>
  /** Links where the store's accepted attempts and the sandbox's accepted refreshes differ in number. */
  readonly ledgerMismatches: ReadonlyArray<{ link: string; store: number; sandbox: number }>
  /** Refresh orders the sandbox created that are not exactly one stored attempt's order. */
  readonly refreshOrdersWithoutOneAttempt: number
  /** Cases with an attempt still `reserved`, `unknown` or `sent`, or without a final outcome. */
  readonly notFinal: ReadonlyArray<string>
  /** Inbox events not processed at the end. */
  readonly pendingInbox: number
  /** Stored events the sandbox never produced (must be none). */
  readonly strangerEvents: number
  /** Produced events that never reached the inbox, against the sandbox's count of dropped ones. */
  readonly lost: { readonly events: number; readonly droppedBySandbox: number }
  /** Lost outcome events whose outcome the store nevertheless has (recovered by polling). */
  readonly lostOutcomesNotRecovered: ReadonlyArray<string>
}

export const EXPECTED: Omit<Guarantees, "lost"> = {
  limitViolationsAttempted: 0, linksOverLimit: [], ledgerMismatches: [], refreshOrdersWithoutOneAttempt: 0, notFinal: [],
  pendingInbox: 0, strangerEvents: 0, lostOutcomesNotRecovered: []
}

/** Attempts Truv accepted (they carry the refresh order's id). */
const ACCEPTED = new Set<Attempt["status"]>(["sent", "succeeded", "failed"])
const OPEN = new Set<Attempt["status"]>(["reserved", "unknown", "sent"])

/** Largest number of instants in any closed-open 24 h window. */
const maxInWindow = (instants: ReadonlyArray<number>): number => {
  const sorted = [...instants].sort((a, b) => a - b)
  let max = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= DAY) j++
    max = Math.max(max, i - j + 1)
  }
  return max
}

export const checkGuarantees = async (world: World, seeded: ReadonlyArray<SeededCase>, finalCases: ReadonlySet<string>): Promise<Guarantees> => {
  const report = world.sandbox.report()
  const { ledgers, pending } = await world.store.run(Effect.gen(function*() {
    const store = yield* getStore
    const ledgers = new Map<string, ReadonlyArray<Attempt>>()
    for (const c of seeded) ledgers.set(c.caseId, yield* store.ledgerForCase(c.caseId))
    return { ledgers, pending: (yield* store.pendingWebhookEvents(1000)).length }
  }))
  const linksOverLimit: Array<string> = []
  const ledgerMismatches: Array<{ link: string; store: number; sandbox: number }> = []
  const orderIds: Array<string> = []
  const notFinal: Array<string> = []
  const outcomes = new Map<string, Attempt>()
  for (const c of seeded) {
    const ledger = ledgers.get(c.caseId)!
    const history = ledger.filter((a) => a.orderId?.startsWith("history-") === true)
    const run = ledger.filter((a) => a.orderId?.startsWith("history-") !== true)
    const accepted = run.filter((a) => ACCEPTED.has(a.status))
    for (const a of accepted) if (a.orderId !== null) { orderIds.push(a.orderId); outcomes.set(a.orderId, a) }
    if (run.some((a) => OPEN.has(a.status)) || !finalCases.has(c.caseId)) notFinal.push(c.caseId)
    for (const link of c.linkIds) {
      const sandbox = world.sandbox.link(link).refreshes.map((t) => Date.parse(t))
      const mine = accepted.filter((a) => a.connectionIds.includes(link)).length
      if (mine !== sandbox.length) ledgerMismatches.push({ link, store: mine, sandbox: sandbox.length })
      if (maxInWindow([...sandbox, ...history.map((a) => Date.parse(a.at))]) > LIMIT) linksOverLimit.push(link)
    }
  }
  const produced = world.sandbox.webhooks()
  const producedIds = new Set(produced.map((w) => w.webhookId))
  const lostEvents = produced.filter((w) => !world.inbox.has(w.webhookId))
  const lostOutcomesNotRecovered: Array<string> = []
  for (const w of lostEvents) {
    const e = JSON.parse(w.body) as { event_type: string; order_id?: string; link_id?: string }
    if ((e.event_type !== "order-status-updated" && e.event_type !== "order-refresh-failed") || e.order_id == null || e.link_id == null) continue
    const attempt = outcomes.get(e.order_id)
    if (attempt?.outcomes[e.link_id] === undefined) lostOutcomesNotRecovered.push(w.webhookId)
  }
  return {
    limitViolationsAttempted: report.limitViolationsAttempted,
    linksOverLimit,
    ledgerMismatches,
    refreshOrdersWithoutOneAttempt: Math.abs(report.refreshOrdersCreated - new Set(orderIds).size) + (orderIds.length - new Set(orderIds).size),
    notFinal,
    pendingInbox: pending,
    strangerEvents: [...world.inbox].filter((id) => !producedIds.has(id)).length,
    lost: { events: lostEvents.length, droppedBySandbox: report.webhooks.dropped },
    lostOutcomesNotRecovered
  }
}
