/**
 * What `cases import --from-truv` found, per case of the file: the order id it named, the
 * lineage's root, its orders and connections, or the problem (the order is unknown at Truv,
 * canceled, expired, has no connected suborder...). The same file and the same answers from
 * Truv give the same report, whether the cases were written now or were already stored.
 */
import type { FoundConnection, ProblemCode } from "./lineage-from-order.js"
import { type Cell, orDash, type Paint, table } from "../output.js"

export interface CaseFound {
  readonly caseId: string
  readonly line: number
  readonly orderId: string
  readonly rootOrderId: string | null
  readonly orders: ReadonlyArray<string>
  readonly connections: ReadonlyArray<FoundConnection>
  readonly problem: { readonly code: ProblemCode; readonly message: string } | null
}

/** The `--json` shape of `cases import --from-truv` (a superset of `{ imported }`). */
export interface TruvImportJson {
  readonly imported: number
  readonly kept: number
  readonly lineagesAdded: number
  readonly lineagesKept: number
  readonly dryRun: boolean
  readonly cases: ReadonlyArray<CaseFound>
}

const connectionsCell = (c: CaseFound): string =>
  c.connections.length === 0 ? "-" : c.connections.map((k) => `${k.id} (${k.kind}, ${k.provider}, ${orDash(k.lastTaskStatus)})`).join(", ")

export const reportTable = (p: Paint, found: ReadonlyArray<CaseFound>): Array<string> =>
  table(p, ["CASE", "ORDER", "ROOT", "ORDERS", "CONNECTIONS", "FOUND"], found.map((c): Array<Cell> => [
    c.caseId, c.orderId, orDash(c.rootOrderId), String(c.orders.length), connectionsCell(c),
    c.problem === null ? { text: "ok", paint: p.green } : { text: `${c.problem.code}: ${c.problem.message}`, paint: p.red }
  ]))
