/**
 * What a rule reads: the decision context the engine prepares once per decision (instants parsed
 * once, the ledger and the selected connections in scope). Types only, so the engine's preparation
 * (engine/prepare.ts) and the rules (rule.ts) both import it without importing each other.
 */
import type { ValidityEstimate } from "../learning/validity-estimate.js"
import type { Attempt } from "../model/attempt.js"
import type { Connection, Lineage } from "../model/lineage.js"
import type { PolicyConfig } from "../model/policy-config.js"
import type { Product } from "../model/primitives.js"
import type { RefreshRequest } from "../model/request.js"

/** An attempt with its instant parsed once. */
export interface LedgerEntry {
  readonly attempt: Attempt
  readonly atMs: number
  readonly resolvedAtMs: number | null
}

/** A connection with its instants parsed once. */
export interface ScopedConnection {
  readonly connection: Connection
  readonly authenticatedAtMs: number
  readonly lastStatusAtMs: number | null
  /** Ledger entries that include this connection, at or before `now`, oldest first. */
  readonly entries: ReadonlyArray<LedgerEntry>
}

/** Everything a rule may read. Built once per decision by the engine. */
export interface RuleContext {
  readonly now: number
  readonly config: PolicyConfig
  readonly lineage: Lineage
  readonly rootCreatedAtMs: number
  readonly request: RefreshRequest
  /** The requested product when there is exactly one, else null. */
  readonly product: Product | null
  /** Ledger entries of the lineage made at or before `now`, oldest first. */
  readonly ledger: ReadonlyArray<LedgerEntry>
  /** The connections the request selects (all of them without a selection). */
  readonly scope: ReadonlyArray<ScopedConnection>
  /** Selectors that match no connection of the lineage, as written in the request. */
  readonly unknownSelectors: ReadonlyArray<string>
  /** Validity learned from the ledger (the input's optional `validity`), if given. */
  readonly validity?: ReadonlyArray<ValidityEstimate> | undefined
  /**
   * The loan's history on its earlier lineages (the input's optional `loan`): its first order's
   * instant and its attempts there made at or before `now`, oldest first.
   */
  readonly loan?: { readonly firstOrderAtMs: number; readonly ledger: ReadonlyArray<LedgerEntry> } | undefined
}
