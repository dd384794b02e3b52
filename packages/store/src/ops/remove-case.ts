/**
 * Removes a case and what only it owns, in one write transaction: its decisions, results,
 * verification requests and jobs, its ledger, and its lineage (orders and connections) when no
 * other case uses that lineage. Refused, with nothing removed, while the case has an attempt in
 * flight (reserved, sent, or of unknown fate: its outcome is still to be recorded) and when its
 * ledger also limits another case (the lineage is shared: its refreshes count against the other
 * case's connections, and removing them would let Truv's limits be broken).
 *
 * Locking: the write transaction, after `lockCaseConnections` (Postgres: the lineage's connection
 * rows, the lock `reserve` takes), so no refresh can be reserved for the case while it is removed.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { CaseRemovalRefused } from "../errors.js"
import { Abort } from "../run.js"
import { CaseNotFound } from "@recert/core"

/** How many rows of each kind a removal deleted. */
export interface RemovedCase {
  readonly caseId: string
  readonly rootOrderId: string
  /** Whether the lineage went too (no other case used it). */
  readonly lineageRemoved: boolean
  readonly removed: {
    readonly attempts: number; readonly decisions: number; readonly results: number; readonly verifications: number
    readonly jobs: number; readonly orders: number; readonly connections: number
  }
}

const IN_FLIGHT = ["reserved", "sent", "unknown"]

const count = (r: ReadonlyArray<{ numDeletedRows: bigint }>): number => r.reduce((n, x) => n + Number(x.numDeletedRows), 0)

/** Jobs whose payload names the case (every job kind carries `caseId`). */
export const jobIdsOf = async (trx: Kysely<Database>, caseId: string): Promise<Array<string>> => {
  const rows = await trx.selectFrom("jobs").select(["id", "payload"]).where("payload", "like", `%${JSON.stringify(caseId).slice(1, -1)}%`).execute()
  return rows.filter((r) => (JSON.parse(r.payload) as { caseId?: unknown } | null)?.caseId === caseId).map((r) => r.id)
}

const refuseIfBusy = async (trx: Kysely<Database>, caseId: string, root: string): Promise<boolean> => {
  const inFlight = await trx.selectFrom("attempts").select("id").where("case_id", "=", caseId).where("status", "in", IN_FLIGHT).execute()
  if (inFlight.length > 0) {
    throw new Abort(new CaseRemovalRefused({ caseId, reason: `attempt(s) in flight: ${inFlight.map((a) => a.id).join(", ")} (wait for their outcome, or for the scheduler's reconciliation)` }))
  }
  const others = await trx.selectFrom("cases").select("id").where("root_order_id", "=", root).where("id", "!=", caseId).limit(1).execute()
  const shared = others.length > 0
  const attempts = await trx.selectFrom("attempts").select("id").where("case_id", "=", caseId).limit(1).execute()
  if (shared && attempts.length > 0) {
    throw new Abort(new CaseRemovalRefused({ caseId, reason: `its ledger also limits case ${others[0]!.id}, which uses the same lineage ${root}` }))
  }
  return shared
}

export const removeCase = (db: Kysely<Database>, d: DialectAdapter, caseId: string): Promise<RemovedCase> =>
  d.writeTransaction(db, async (trx) => {
    await d.lockCaseConnections(trx, caseId)
    const kase = await trx.selectFrom("cases").select("root_order_id").where("id", "=", caseId).executeTakeFirst()
    if (kase === undefined) throw new Abort(new CaseNotFound({ caseId }))
    const root = kase.root_order_id
    const shared = await refuseIfBusy(trx, caseId, root)
    const attemptIds = (await trx.selectFrom("attempts").select("id").where("case_id", "=", caseId).execute()).map((a) => a.id)
    const jobIds = await jobIdsOf(trx, caseId)
    if (attemptIds.length > 0) await trx.deleteFrom("attempt_connections").where("attempt_id", "in", attemptIds).execute()
    const [attempts, decisions, results, verifications, jobs] = await Promise.all([
      trx.deleteFrom("attempts").where("case_id", "=", caseId).execute(),
      trx.deleteFrom("decisions").where("case_id", "=", caseId).execute(),
      trx.deleteFrom("case_results").where("case_id", "=", caseId).execute(),
      trx.deleteFrom("verification_queue").where("case_id", "=", caseId).execute(),
      trx.deleteFrom("verification_request_transitions").where("case_id", "=", caseId).execute(),
      jobIds.length === 0 ? Promise.resolve([]) : trx.deleteFrom("jobs").where("id", "in", jobIds).execute()
    ])
    // The client's contact (personal data) goes with its case; before it, for the foreign key.
    await trx.deleteFrom("case_contacts").where("case_id", "=", caseId).execute()
    await trx.deleteFrom("cases").where("id", "=", caseId).execute()
    const connections = shared ? [] : await trx.deleteFrom("connections").where("root_order_id", "=", root).execute()
    const orders = shared ? [] : await trx.deleteFrom("orders").where("root_order_id", "=", root).execute()
    return {
      caseId, rootOrderId: root, lineageRemoved: !shared && count(orders) > 0,
      removed: {
        attempts: count(attempts), decisions: count(decisions), results: count(results), verifications: count(verifications),
        jobs: count(jobs), orders: count(orders), connections: count(connections)
      }
    }
  })
