/**
 * Builds the rule context once per decision: parses every instant once, keeps only the ledger
 * entries that exist at `now` (a what-if at an earlier instant must not see later attempts),
 * resolves the request's selection to connections, and groups ledger entries per connection.
 */
import type { DecisionInput } from "../model/decision-input.js"
import type { Connection } from "../model/lineage.js"
import type { PolicyConfig } from "../model/policy-config.js"
import type { Selector } from "../model/request.js"
import type { LedgerEntry, RuleContext, ScopedConnection } from "../rules/rule.js"
import { toMs } from "./time.js"

const describeSelector = (s: Selector): string => ("id" in s ? `id ${s.id}` : `suborder_number ${s.suborder_number}`)

const matches = (c: Connection, s: Selector): boolean =>
  "id" in s ? c.suborderId === s.id : c.suborderNumber === s.suborder_number

/** The connections the request selects, and the selectors that match none. */
const resolveSelection = (input: DecisionInput): { scope: Array<Connection>; unknown: Array<string> } => {
  const { employers, financial_accounts } = input.request
  const all = input.lineage.connections
  if (employers === undefined && financial_accounts === undefined) return { scope: all, unknown: [] }
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

export const prepareContext = (input: DecisionInput, now: number, config: PolicyConfig): RuleContext => {
  const ledger: Array<LedgerEntry> = []
  for (const attempt of input.ledger) {
    const atMs = toMs(attempt.at)
    if (atMs > now) continue
    ledger.push({ attempt, atMs, resolvedAtMs: attempt.resolvedAt === null ? null : toMs(attempt.resolvedAt) })
  }
  // Ledgers usually arrive in order: check before paying for a sort (which is stable, so equal
  // instants keep the caller's order either way).
  let sorted = true
  for (let i = 1; i < ledger.length && sorted; i++) sorted = ledger[i - 1]!.atMs <= ledger[i]!.atMs
  if (!sorted) ledger.sort((a, b) => a.atMs - b.atMs)
  const { scope, unknown } = resolveSelection(input)
  const byConnection = new Map<string, Array<LedgerEntry>>()
  for (const c of scope) byConnection.set(c.id, [])
  for (const entry of ledger) {
    for (const id of entry.attempt.connectionIds) byConnection.get(id)?.push(entry)
  }
  const scoped: Array<ScopedConnection> = scope.map((connection) => ({
    connection,
    authenticatedAtMs: toMs(connection.authenticatedAt),
    lastStatusAtMs: connection.lastStatusAt === null ? null : toMs(connection.lastStatusAt),
    entries: byConnection.get(connection.id) ?? []
  }))
  const products = input.request.products
  return {
    now,
    config,
    lineage: input.lineage,
    rootCreatedAtMs: toMs(input.lineage.orders[0]!.createdAt),
    request: input.request,
    product: products.length === 1 ? products[0]! : null,
    ledger,
    scope: scoped,
    unknownSelectors: unknown
  }
}
