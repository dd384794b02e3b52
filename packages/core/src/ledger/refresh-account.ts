/**
 * What one ledger attempt counts for in the refresh account: the one rule behind the scheduler's
 * run report and `/metrics` and the store's `stats` (`recert stats`), so the three count the same
 * things and agree with Truv's own billing (truv-api-notes §0, §2: "each refresh task is billed as
 * a separate verification", "`no_data` is not billed"; DESIGN.md `billing`).
 *
 * | field | unit | counts |
 * |---|---|---|
 * | `sent` | refresh orders | attempts for which Truv created a refresh order (an order id is recorded), by whatever route we learnt it: the send's answer, reconciliation from the lineage, or an outcome event |
 * | `billed` | verifications (connections) | connections of a sent attempt whose final task status is known and is not `no_data`, outside the GSE free quota |
 * | `free` | verifications | the same under the GSE free quota |
 * | `notBilled` | verifications | connections whose refresh ended `no_data` (Truv does not bill it) |
 * | `awaitingOutcome` | verifications | connections of a sent attempt without a final status yet: billed or not once it arrives |
 * | `unconfirmed` | attempts | attempts whose fate is not known (`reserved`, `unknown`): Truv may or may not have created an order; they count against the limits until reconciled |
 *
 * Billing is decided by the confirmed outcome, never predicted: every final status but `no_data`
 * is billed (a refresh that ends `login_error` was still a verification Truv ran), as the sandbox
 * bills at its task's completion. `config_error` and `not_supported` are billed: Truv's documents
 * exempt only `no_data`.
 */
import type { Attempt, AttemptStatus } from "../model/attempt.js"

export interface RefreshAccount {
  readonly sent: number
  readonly billed: number
  readonly free: number
  readonly notBilled: number
  readonly awaitingOutcome: number
  readonly unconfirmed: number
}

export const EMPTY_REFRESH_ACCOUNT: RefreshAccount = { sent: 0, billed: 0, free: 0, notBilled: 0, awaitingOutcome: 0, unconfirmed: 0 }

export const REFRESH_ACCOUNT_FIELDS = ["sent", "billed", "free", "notBilled", "awaitingOutcome", "unconfirmed"] as const satisfies ReadonlyArray<keyof RefreshAccount>

/**
 * Each field's row label (the run report's text, `recert stats`) and definition (`/metrics`'
 * HELP), so every reader of the account says the same words.
 */
export const REFRESH_ACCOUNT_TERMS: Readonly<Record<keyof RefreshAccount, { readonly label: string; readonly definition: string }>> = {
  sent: { label: "sent (refresh orders Truv created)", definition: "Refresh orders Truv created for our requests, by any route (answer, reconciliation, outcome event)." },
  billed: { label: "billed verifications", definition: "Connection refreshes whose confirmed outcome Truv bills (every final status but no_data, outside the GSE quota)." },
  free: { label: "free verifications (GSE quota)", definition: "Connection refreshes with a confirmed outcome under the GSE free quota." },
  notBilled: { label: "not billed (no_data)", definition: "Connection refreshes that ended no_data: Truv does not bill them." },
  awaitingOutcome: { label: "awaiting outcome", definition: "Connection refreshes sent whose final status is not known yet." },
  unconfirmed: { label: "unconfirmed (fate unknown)", definition: "Refresh requests whose fate is unknown (Truv may have created an order): they count against the limits until reconciled." }
}

/** Statuses in which Truv has created the attempt's refresh order. */
const CREATED: ReadonlySet<AttemptStatus> = new Set(["sent", "succeeded", "failed"])

/**
 * The account of one attempt (what it contributes now; it changes as the attempt moves on).
 *
 * @example
 * refreshAccountOf({ ...attempt, status: "failed", orderId: "ord-2", connectionIds: ["a", "b"], outcomes: { a: "done", b: "no_data" } })
 * // { sent: 1, billed: 1, free: 0, notBilled: 1, awaitingOutcome: 0, unconfirmed: 0 }
 */
export const refreshAccountOf = (attempt: Pick<Attempt, "status" | "orderId" | "connectionIds" | "outcomes" | "gseFree">): RefreshAccount => {
  if (attempt.status === "reserved" || attempt.status === "unknown") return { ...EMPTY_REFRESH_ACCOUNT, unconfirmed: 1 }
  if (!CREATED.has(attempt.status) || attempt.orderId === null) return EMPTY_REFRESH_ACCOUNT
  let billed = 0
  let free = 0
  let notBilled = 0
  let awaitingOutcome = 0
  for (const id of attempt.connectionIds) {
    const outcome = attempt.outcomes[id]
    if (outcome === undefined) awaitingOutcome++
    else if (outcome === "no_data") notBilled++
    else if (attempt.gseFree) free++
    else billed++
  }
  return { sent: 1, billed, free, notBilled, awaitingOutcome, unconfirmed: 0 }
}

/** `a + sign * b`, field by field. */
export const addRefreshAccounts = (a: RefreshAccount, b: RefreshAccount, sign: 1 | -1 = 1): RefreshAccount => ({
  sent: a.sent + sign * b.sent,
  billed: a.billed + sign * b.billed,
  free: a.free + sign * b.free,
  notBilled: a.notBilled + sign * b.notBilled,
  awaitingOutcome: a.awaitingOutcome + sign * b.awaitingOutcome,
  unconfirmed: a.unconfirmed + sign * b.unconfirmed
})

/** The account of a set of attempts (`recert stats` over the ledger). */
export const refreshAccountOfAll = (attempts: Iterable<Parameters<typeof refreshAccountOf>[0]>): RefreshAccount => {
  let total = EMPTY_REFRESH_ACCOUNT
  for (const a of attempts) total = addRefreshAccounts(total, refreshAccountOf(a))
  return total
}
