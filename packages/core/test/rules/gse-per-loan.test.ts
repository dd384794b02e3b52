/**
 * The GSE free quota per loan (issue 18): a case is a loan; when a new order moved it to a new
 * lineage, the input's `loan` carries the loan's first order and its attempts on the lineages it
 * left. The 90-day window then opens at the loan's first order, and every refresh of the loan
 * counts: a new order never restarts the quota.
 */
import { describe, expect, it } from "vitest"
import { gseFreeQuota, type LoanHistory } from "@recert/core"
import { attempt, connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const EXACT = { clockGuardSeconds: 0 }
/** The loan's first order, 80 days before NOW; the new order (the current lineage's root), 10 days before NOW. */
const FIRST = NOW - 80 * DAY
const NEW_ROOT = NOW - 10 * DAY
const current = lineage([connection("link-2")], { gse: true, rootOrderId: "ord-2", orders: [{ id: "ord-2", parentId: null, createdAt: iso(NEW_ROOT) }] })
/** `n` refreshes on the old lineage (link-1), two days apart from the loan's first order. */
const earlier = (n: number, patch: Parameters<typeof attempt>[2] = {}) =>
  Array.from({ length: n }, (_, i) => attempt(FIRST + (i + 1) * 2 * DAY, ["link-1"], patch))
const raw = (onCurrent: number, loan: LoanHistory | undefined) => ({
  ...input(current, Array.from({ length: onCurrent }, (_, i) => attempt(NEW_ROOT + (i + 1) * DAY, ["link-2"]))),
  ...(loan === undefined ? {} : { loan })
})
const loan = (attempts: ReturnType<typeof earlier>, firstOrderAt = FIRST) => ({ firstOrderAt: iso(firstOrderAt), attempts }) as LoanHistory

describe("gse.free-quota per loan", () => {
  it.each([
    ["per order (no loan history): the new order's own 5", 1, undefined, NOW, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 4 }],
    ["per loan: 3 on the old lineage + 1 on the new = 4 used, the 5th free", 1, loan(earlier(3)), NOW, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 1 }],
    ["per loan: 4 + 1 = 5 used, billed", 1, loan(earlier(4)), NOW, { billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: 0 }],
    ["rejected refreshes of the old lineage do not count", 1, loan(earlier(4, { status: "rejected", rejection: "refresh-limit" })), NOW, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 4 }],
    ["the loan's window (first order + 90 d) 1 ms before its end: free", 0, loan([]), FIRST + 90 * DAY - 1, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 5 }],
    ["the loan's window at its end exactly: billed (the new order's own window would still be open)", 0, loan([]), FIRST + 90 * DAY, { billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: 0 }],
    ["the same instant per order: free", 0, undefined, FIRST + 90 * DAY, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 5 }],
    ["an old-lineage refresh after `now` is not seen (a what-if at an earlier instant)", 0, loan(earlier(4)), FIRST + 2 * DAY, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 4 }],
    ["a first order given later than the current root: the earlier of the two opens the window", 0, loan([], NOW), NEW_ROOT + 90 * DAY - 1, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 5 }]
  ] as const)("%s", (_name, onCurrent, history, now, cost) => {
    expect(decisionOf(raw(onCurrent, history), now, EXACT).cost).toEqual(cost)
  })

  it("says it counts per loan, with the window's opening", () => {
    const findings = findingsOf(gseFreeQuota, raw(1, loan(earlier(4))), NOW, EXACT)
    expect(findings).toEqual([{
      code: "gse.free-quota", effect: "warn", connectionId: null,
      message: "All 5 free GSE re-verifications of this loan are used; this refresh is billed",
      data: { used: 5, freeRefreshes: 5, windowDays: 90, windowEndsAt: iso(FIRST + 90 * DAY), clockGuardSeconds: 0, onQuotaExceeded: "bill", perLoan: true, windowStartsAt: iso(FIRST) }
    }])
  })

  it("an attempt given in both the ledger and the loan's history counts once", () => {
    const shared = attempt(NEW_ROOT + DAY, ["link-2"])
    const d = decisionOf({ ...input(current, [shared]), loan: { firstOrderAt: iso(FIRST), attempts: [shared] } }, NOW, EXACT)
    expect(d.cost.gseFreeRemaining).toBe(4)
  })
})
