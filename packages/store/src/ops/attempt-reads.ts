/**
 * Ledger reads outside reservations: by case, by connection, by Truv order, and the attempts
 * reconciliation must resolve. Plain reads, no locks: they report, they do not decide.
 */
import type { Attempt } from "@recert/core"
import type { Kysely } from "kysely"
import type { AttemptRow, Database } from "../database.js"
import { attemptFromRow } from "../rows.js"

/** Groups joined (attempt, connection_id) rows, which arrive ordered by attempt. */
const collect = (rows: ReadonlyArray<AttemptRow & { connection_id: string }>): Array<{ caseId: string; attempt: Attempt }> => {
  const out: Array<{ caseId: string; attempt: Attempt }> = []
  let current: { row: AttemptRow; ids: Array<string> } | undefined
  const flush = () => { if (current !== undefined) out.push({ caseId: current.row.case_id, attempt: attemptFromRow(current.row, current.ids) }) }
  for (const { connection_id, ...row } of rows) {
    if (current?.row.id !== row.id) { flush(); current = { row, ids: [] } }
    current.ids.push(connection_id)
  }
  flush()
  return out
}

const base = (db: Kysely<Database>) => db.selectFrom("attempts")
  .innerJoin("attempt_connections as ac", "ac.attempt_id", "attempts.id")
  .selectAll("attempts").select("ac.connection_id")

export const ledgerForCase = async (db: Kysely<Database>, caseId: string): Promise<Array<Attempt>> =>
  collect(await base(db).where("attempts.case_id", "=", caseId)
    .orderBy("attempts.at").orderBy("attempts.id").orderBy("ac.connection_id").execute()).map((x) => x.attempt)

export const ledgerForConnection = async (db: Kysely<Database>, connectionId: string): Promise<Array<Attempt>> =>
  collect(await base(db)
    .where("attempts.id", "in", (eb) => eb.selectFrom("attempt_connections").select("attempt_id").where("connection_id", "=", connectionId))
    .orderBy("attempts.at").orderBy("attempts.id").orderBy("ac.connection_id").execute()).map((x) => x.attempt)

export const findAttemptByOrderId = async (db: Kysely<Database>, orderId: string) =>
  collect(await base(db).where("attempts.order_id", "=", orderId).orderBy("ac.connection_id").execute())[0] ?? null

export const unresolvedAttempts = async (db: Kysely<Database>, before: number) =>
  collect(await base(db).where("attempts.status", "in", ["reserved", "sent", "unknown"]).where("attempts.at", "<", before)
    .orderBy("attempts.at").orderBy("attempts.id").orderBy("ac.connection_id").execute())
