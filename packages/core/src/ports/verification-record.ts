/**
 * A verification as the renewal store keeps it: the data one finished Truv order gave for a case
 * (a refresh, a new order the client completed, or a re-authenticated link), mapped to core's
 * provider-neutral snapshot, classified against the case's previous verification, with the raw
 * JSON kept beside the parsed view. Immutable once saved: the store keeps the first one saved for
 * a (case, order) pair, so any two can be compared later and a repeated follow-up changes nothing.
 */
import type { ChangeClass, ChangeResult } from "../results/change-result.js"
import type { IncomeSnapshot } from "../results/income-snapshot.js"

/** How the data came: a billed refresh, or the client coming back (a new order, a Bridge re-authentication). */
export type VerificationVia = "refresh" | "new-order" | "reauthentication"

export interface VerificationRecord {
  readonly caseId: string
  /** The order whose data this is (for a refresh: the refresh order's id). */
  readonly orderId: string
  /** The ledger attempt that produced it (a refresh), or null (the client came back). */
  readonly attemptId: string | null
  readonly via: VerificationVia
  /** When the report was fetched. */
  readonly verifiedAt: string
  /**
   * The mapped report. An unreadable report is a snapshot with no employers and a blocking
   * issue naming the field, so `result` is `review` with `report.not-usable`, never a silent success.
   */
  readonly snapshot: IncomeSnapshot
  /** The summary and the change classification against the previous verification (or the imported baseline). */
  readonly result: ChangeResult
  /** Truv's JSON as fetched (the order, and the link reports read after it). */
  readonly raw: unknown
}

/** One line of `recert results`: a case's latest verification, without the raw JSON. */
export interface LatestVerification {
  readonly caseId: string
  readonly orderId: string
  readonly via: VerificationVia
  readonly verifiedAt: string
  readonly class: ChangeClass
  /** The reasons' codes, in the classification's order. */
  readonly reasonCodes: ReadonlyArray<string>
}
