/**
 * The orders every renewal store reads the ledger in, so the in-memory store and the SQL stores
 * return the same lists: an attempt's connection ids sorted by id (code-unit order, not a
 * database collation), and attempts oldest first (`at`, then id).
 */
import type { Attempt } from "../model/attempt.js"

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * An attempt's connection ids as every store keeps them: sorted, in code-unit order.
 *
 * @example
 * inConnectionOrder(["link-2", "link-10", "link-1"]) // ["link-1", "link-10", "link-2"]
 */
export const inConnectionOrder = (connectionIds: ReadonlyArray<string>): Array<string> => [...connectionIds].sort(compareIds)

/**
 * Ledger order: oldest `at` first, ties by attempt id (code-unit order).
 *
 * @example
 * [later, earlier].sort(byLedgerOrder) // [earlier, later]
 */
export const byLedgerOrder = (a: Pick<Attempt, "at" | "id">, b: Pick<Attempt, "at" | "id">): number =>
  Date.parse(a.at) - Date.parse(b.at) || compareIds(a.id, b.id)
