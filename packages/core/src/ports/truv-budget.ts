/**
 * The Truv request budget port: Truv allows 300 requests a minute per access secret, all
 * endpoints, whatever the number of processes using the secret (truv-api-notes §5.2). Workers
 * that share a secret share the budget through what they already share, the database:
 * `@recert/store` implements this port there, `makeInMemoryTruvBudget` (in-memory-truv-budget.ts)
 * serves tests, and the Truv adapter takes permits from it without knowing where it lives.
 *
 * The budget is a sliding window of grants: a grant of `n` permits at `t` counts `n` requests
 * while `t <= now < t + window + slack`, and at most `limit` are counted at once. A `Retry-After`
 * from Truv sets a "not before" instant for every holder of the key. Grants are taken in
 * batches (one round trip for several requests), and the rule that decides a grant is the pure
 * `grantPermits` below, so every implementation only locks, reads and writes.
 */
import { Context, type Effect } from "effect"
import type { StoreError } from "./renewal-store.js"

/** A request for permits of one budget. */
export interface BudgetRequest {
  /** The budget's key: a hash of the secret, never the secret itself. */
  readonly key: string
  /** Permits wanted now (more than `limit` is capped at `limit`). */
  readonly want: number
  /** Requests allowed in any window (Truv: 300). */
  readonly limit: number
  /** The window (Truv: one minute). */
  readonly windowMs: number
  /**
   * Added to the window for every grant: the time between the grant and the request it pays for,
   * and how far apart two holders' clocks may be.
   */
  readonly slackMs: number
  /** Who asks (a worker id), kept beside the grant for operators. */
  readonly holder?: string
}

/** What a request got. */
export interface BudgetGrant {
  /** Permits granted now, 0 to `want`. */
  readonly granted: number
  /** When fewer than wanted were granted: the earliest instant more may be; null when all were. */
  readonly retryAt: number | null
}

/** A grant as the budget keeps it. */
export interface BudgetGrantRecord {
  readonly grantedAt: number
  readonly permits: number
  /** `grantedAt + windowMs + slackMs`: the grant counts until then. */
  readonly countsUntil: number
}

/** A budget's state: its "not before" instant and the grants still counted. */
export interface BudgetState {
  readonly notBefore: number
  readonly grants: ReadonlyArray<BudgetGrantRecord>
}

/**
 * The grant for `request` at `now`, and the record to keep (null when nothing was granted).
 * Pure: the stores call it under their lock. Every grant whose `countsUntil` is after `now`
 * counts, one dated ahead of `now` too (a holder whose clock is ahead), so clocks that disagree
 * only make the budget stricter.
 *
 * @example
 * grantPermits({ notBefore: 0, grants: [] }, { key: "k", want: 5, limit: 300, windowMs: 60_000, slackMs: 1_000 }, 0)
 * // { grant: { granted: 5, retryAt: null }, record: { grantedAt: 0, permits: 5, countsUntil: 61_000 } }
 */
export const grantPermits = (state: BudgetState, request: BudgetRequest, now: number): { readonly grant: BudgetGrant; readonly record: BudgetGrantRecord | null } => {
  const want = Math.max(0, Math.min(request.want, request.limit))
  if (want === 0) return { grant: { granted: 0, retryAt: null }, record: null }
  if (now < state.notBefore) return { grant: { granted: 0, retryAt: state.notBefore }, record: null }
  let used = 0
  let firstFree = Number.POSITIVE_INFINITY
  for (const g of state.grants) {
    if (g.countsUntil <= now) continue
    used += g.permits
    firstFree = Math.min(firstFree, g.countsUntil)
  }
  const granted = Math.max(0, Math.min(want, request.limit - used))
  const retryAt = granted < want ? firstFree : null
  const record = granted > 0 ? { grantedAt: now, permits: granted, countsUntil: now + request.windowMs + request.slackMs } : null
  return { grant: { granted, retryAt }, record }
}

/**
 * The budget shared by every process on one Truv secret.
 *
 * @example
 * const { granted, retryAt } = yield* (yield* TruvBudget).acquire({ key, want: 16, limit: 300, windowMs: 60_000, slackMs: 1_000 })
 */
export class TruvBudget extends Context.Service<TruvBudget, {
  /** Takes up to `want` permits now (one round trip); `retryAt` says when to ask again for the rest. */
  acquire(request: BudgetRequest): Effect.Effect<BudgetGrant, StoreError>
  /** Truv answered 429 with `Retry-After`: no holder of `key` gets a permit before `until`. */
  block(key: string, until: number): Effect.Effect<void, StoreError>
}>()("@recert/core/TruvBudget") {}
