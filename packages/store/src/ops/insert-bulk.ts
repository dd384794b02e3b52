/**
 * Inserts lineages (orders and connections, tokens encrypted) and cases with multi-row INSERTs,
 * chunked to stay under the dialect's bind-parameter limit, in one write transaction: a bulk
 * load is all or nothing.
 *
 * Locking: the ordinary write transaction (SQLite `BEGIN IMMEDIATE`). Nothing is read, so
 * nothing needs a row lock on Postgres.
 */
import type { Case, CaseContact, CaseInput, Lineage, LineageInput } from "@recert/core"
import type { Redacted } from "effect"
import type { Insertable, Kysely } from "kysely"
import type { ConnectionsTable, Database, NewCase, OrdersTable } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { caseToRow, toMs, toMsOrNull, uniformRows } from "../rows.js"
import type { TokenCipher } from "../token-cipher.js"
import { upsertContacts } from "./client-contacts.js"

/** A lineage, its access tokens and its cases: one unit of `insertBulk`. */
export interface BulkItem {
  readonly lineage: LineageInput
  readonly accessTokens: Readonly<Record<string, Redacted.Redacted<string>>>
  readonly cases: ReadonlyArray<CaseInput>
  /** The clients of those cases, by case id (seeding; stored encrypted, `ops/client-contacts.ts`). */
  readonly contacts?: Readonly<Record<string, CaseContact>>
}

export interface ValidBulkItem {
  readonly lineage: Lineage
  readonly accessTokens: Readonly<Record<string, Redacted.Redacted<string>>>
  readonly cases: ReadonlyArray<Case>
  readonly contacts?: Readonly<Record<string, CaseContact>>
}

export const orderRows = (lineage: Lineage): Array<Insertable<OrdersTable>> =>
  lineage.orders.map((order, seq) => ({
    id: order.id,
    root_order_id: lineage.rootOrderId,
    parent_id: order.parentId,
    seq,
    created_at: toMs(order.createdAt),
    order_type: lineage.orderType,
    gse: lineage.gse ? 1 : 0,
    order_number: lineage.orderNumber,
    user_id: lineage.userId,
    status: lineage.status
  }))

export const connectionRows = (lineage: Lineage, tokens: Readonly<Record<string, Redacted.Redacted<string>>>, cipher: TokenCipher): Array<Insertable<ConnectionsTable>> =>
  lineage.connections.map((c, position) => {
    const token = tokens[c.id]
    if (token === undefined) throw new Error(`connection ${c.id}: no access token given`)
    return {
      id: c.id,
      root_order_id: lineage.rootOrderId,
      position,
      suborder_id: c.suborderId,
      suborder_number: c.suborderNumber,
      kind: c.kind,
      provider: c.provider,
      auth_kind: c.authKind,
      authenticated_at: toMs(c.authenticatedAt),
      last_task_status: c.lastTaskStatus,
      last_status_at: toMsOrNull(c.lastStatusAt),
      mfa_on_every_login: c.mfaOnEveryLogin ? 1 : 0,
      access_token: cipher.encrypt(c.id, token)
    }
  })

/** Inserts `rows` into `table` in chunks of at most `maxParams` bind parameters. */
export const insertChunked = async <T extends keyof Database>(
  db: Kysely<Database>, d: DialectAdapter, table: T, rows: ReadonlyArray<Insertable<Database[T]>>
): Promise<void> => {
  const first = rows[0]
  if (first === undefined) return
  if (d.bulkInsert !== undefined) return d.bulkInsert(table, rows)
  const perRow = Object.keys(first).length
  const chunk = Math.max(1, Math.floor(d.maxParams / perRow))
  for (let i = 0; i < rows.length; i += chunk) {
    await db.insertInto(table).values(rows.slice(i, i + chunk)).execute()
  }
}

export const insertBulk = async (
  db: Kysely<Database>, d: DialectAdapter, cipher: TokenCipher, items: ReadonlyArray<ValidBulkItem>, now: number
): Promise<void> => {
  const orders = items.flatMap((item) => orderRows(item.lineage))
  const connections = items.flatMap((item) => connectionRows(item.lineage, item.accessTokens, cipher))
  const cases: Array<NewCase> = uniformRows(items.flatMap((item) => item.cases.map((c) => caseToRow(c, now))))
  await d.writeTransaction(db, async (trx) => {
    await insertChunked(trx, d, "orders", orders)
    await insertChunked(trx, d, "connections", connections)
    await insertChunked(trx, d, "cases", cases)
    await upsertContacts(trx, d, cipher, items.flatMap((item) => Object.entries(item.contacts ?? {}).map(([caseId, contact]) => ({ caseId, contact }))), now)
  })
}
