/**
 * Builds the rule context once per decision: keeps only the ledger entries that exist at `now`
 * (a what-if at an earlier instant must not see later attempts), resolves the request's
 * selection to connections, and groups ledger entries per connection. Instants every decision
 * needs are parsed here, once; the ones only some rules read (`resolvedAt`, the root order's
 * `createdAt`) are parsed on first use.
 */
import type { Attempt } from "../model/attempt.js"
import type { DecisionInput } from "../model/decision-input.js"
import type { Connection, Lineage } from "../model/lineage.js"
import type { PolicyConfig } from "../model/policy-config.js"
import type { Product } from "../model/primitives.js"
import type { RefreshRequest, Selector } from "../model/request.js"
import type { LedgerEntry, RuleContext, ScopedConnection } from "../rules/rule-context.js"
import { toMs } from "./time.js"

const describeSelector = (s: Selector): string => ("id" in s ? `id ${s.id}` : `suborder_number ${s.suborder_number}`)

const matches = (c: Connection, s: Selector): boolean =>
  "id" in s ? c.suborderId === s.id : c.suborderNumber === s.suborder_number

const NO_UNKNOWN: ReadonlyArray<string> = []

/** The connections the request selects, and the selectors that match none. */
const resolveSelection = (input: DecisionInput): { scope: ReadonlyArray<Connection>; unknown: ReadonlyArray<string> } => {
  const { employers, financial_accounts } = input.request
  const all = input.lineage.connections
  if (employers === undefined && financial_accounts === undefined) return { scope: all, unknown: NO_UNKNOWN }
  const chosen = new Set<Connection>()
  const unknown: Array<string> = []
  const pick = (selectors: ReadonlyArray<Selector> | undefined, kind: Connection["kind"], label: string) => {
    for (const s of selectors ?? []) {
      const hit = all.find((c) => c.kind === kind && matches(c, s))
      if (hit === undefined) unknown.push(`${label} ${describeSelector(s)}`)
      else chosen.add(hit)
    }
  }
  pick(employers, "employer", "employer")
  pick(financial_accounts, "financial_account", "financial account")
  return { scope: all.filter((c) => chosen.has(c)), unknown }
}

/** A ledger entry; `resolvedAt` is read only by the backoff rule, so it is parsed on first use. */
class Entry implements LedgerEntry {
  #resolvedAtMs: number | null | undefined = undefined
  constructor(readonly attempt: Attempt, readonly atMs: number) {}
  get resolvedAtMs(): number | null {
    if (this.#resolvedAtMs === undefined) {
      const r = this.attempt.resolvedAt
      this.#resolvedAtMs = r === null ? null : toMs(r)
    }
    return this.#resolvedAtMs
  }
}

/** The rule context of one decision (`RuleContext`); the root order's instant is read only for GSE lineages, so it is parsed on first use. */
class PreparedRuleContext implements RuleContext {
  #rootCreatedAtMs = Number.NaN
  constructor(
    readonly now: number,
    readonly config: PolicyConfig,
    readonly lineage: Lineage,
    readonly request: RefreshRequest,
    readonly product: Product | null,
    readonly ledger: ReadonlyArray<LedgerEntry>,
    readonly scope: ReadonlyArray<ScopedConnection>,
    readonly unknownSelectors: ReadonlyArray<string>,
    readonly validity?: DecisionInput["validity"],
    readonly loan?: RuleContext["loan"]
  ) {}
  get rootCreatedAtMs(): number {
    if (Number.isNaN(this.#rootCreatedAtMs)) this.#rootCreatedAtMs = toMs(this.lineage.orders[0]!.createdAt)
    return this.#rootCreatedAtMs
  }
}

const scoped = (connection: Connection, entries: ReadonlyArray<LedgerEntry>): ScopedConnection => ({
  connection,
  authenticatedAtMs: toMs(connection.authenticatedAt),
  lastStatusAtMs: connection.lastStatusAt === null ? null : toMs(connection.lastStatusAt),
  entries
})

/** The ledger entries that exist at `now`, oldest first. */
const existingLedger = (attempts: ReadonlyArray<Attempt>, now: number): Array<LedgerEntry> => {
  const ledger: Array<LedgerEntry> = []
  let sorted = true
  let previous = -Infinity
  for (let i = 0; i < attempts.length; i++) {
    const attempt = attempts[i]!
    const atMs = toMs(attempt.at)
    if (atMs > now) continue
    if (atMs < previous) sorted = false
    previous = atMs
    ledger.push(new Entry(attempt, atMs))
  }
  // Ledgers usually arrive in order: the check above saves the sort (which is stable, so equal
  // instants keep the caller's order either way).
  if (!sorted) ledger.sort((a, b) => a.atMs - b.atMs)
  return ledger
}

/** Whether every entry names exactly `id` (the usual one-connection lineage): then the ledger is its list. */
const allFor = (ledger: ReadonlyArray<LedgerEntry>, id: string): boolean => {
  for (let i = 0; i < ledger.length; i++) {
    const ids = ledger[i]!.attempt.connectionIds
    if (ids.length !== 1 || ids[0] !== id) return false
  }
  return true
}

const scopeOf = (connections: ReadonlyArray<Connection>, ledger: ReadonlyArray<LedgerEntry>): Array<ScopedConnection> => {
  if (connections.length === 1 && allFor(ledger, connections[0]!.id)) return [scoped(connections[0]!, ledger)]
  const byConnection = new Map<string, Array<LedgerEntry>>()
  for (const c of connections) byConnection.set(c.id, [])
  for (let i = 0; i < ledger.length; i++) {
    const entry = ledger[i]!
    const ids = entry.attempt.connectionIds
    for (let j = 0; j < ids.length; j++) byConnection.get(ids[j]!)?.push(entry)
  }
  return connections.map((c) => scoped(c, byConnection.get(c.id) ?? []))
}

export const prepareContext = (input: DecisionInput, now: number, config: PolicyConfig): RuleContext => {
  const ledger = existingLedger(input.ledger, now)
  const { scope, unknown } = resolveSelection(input)
  const products = input.request.products
  return new PreparedRuleContext(
    now, config, input.lineage, input.request, products.length === 1 ? products[0]! : null, ledger, scopeOf(scope, ledger), unknown,
    input.validity,
    input.loan === undefined ? undefined : { firstOrderAtMs: toMs(input.loan.firstOrderAt), ledger: existingLedger(input.loan.attempts, now) }
  )
}
