/**
 * Closing a case (`recert cases close`): in one write transaction the case gets its closing
 * instant and reason (a case already closed keeps its first ones), its open verification requests
 * are resolved `canceled` (the caller has canceled them at Truv first), and its pending jobs are
 * removed. A closed case is never due again (`streamDueCases` skips it), and its closing starts
 * the retention clock of its personal data (`ops/redact.ts`). Refused, with nothing written, while
 * a refresh of the case is in flight (its outcome is still to be recorded).
 */
import { CaseNotFound } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { CaseCloseRefused } from "../errors.js"
import { toIso } from "../rows.js"
import { Abort } from "../run.js"
import { jobIdsOf } from "./remove-case.js"

export interface ClosedCase {
  readonly caseId: string
  /** When it was closed: now, or the first closing's instant when it already was. */
  readonly closedAt: string
  readonly reason: string | null
  readonly alreadyClosed: boolean
  /** The open requests resolved `canceled` by this closing (ids). */
  readonly canceledRequests: ReadonlyArray<number>
  readonly removedJobs: number
}

export const closeCase = (db: Kysely<Database>, d: DialectAdapter, caseId: string, reason: string | null, now: number): Promise<ClosedCase> =>
  d.writeTransaction(db, async (trx) => {
    await d.lockCaseConnections(trx, caseId)
    const kase = await trx.selectFrom("cases").select(["closed_at", "closed_reason"]).where("id", "=", caseId).executeTakeFirst()
    if (kase === undefined) throw new Abort(new CaseNotFound({ caseId }))
    const inFlight = await trx.selectFrom("attempts").select("id").where("case_id", "=", caseId).where("status", "in", ["reserved", "sent", "unknown"]).execute()
    if (inFlight.length > 0) {
      throw new Abort(new CaseCloseRefused({ caseId, reason: `attempt(s) in flight: ${inFlight.map((a) => a.id).join(", ")} (wait for their outcome, then close)` }))
    }
    const alreadyClosed = kase.closed_at !== null
    const closedAt = alreadyClosed ? Number(kase.closed_at) : now
    if (!alreadyClosed) await trx.updateTable("cases").set({ closed_at: now, closed_reason: reason }).where("id", "=", caseId).execute()
    const open = await trx.selectFrom("verification_queue").select("id").where("case_id", "=", caseId).where("resolved_at", "is", null).orderBy("id").execute()
    if (open.length > 0) {
      await trx.updateTable("verification_queue").set({ resolved_at: now, resolution: "canceled" }).where("id", "in", open.map((r) => r.id)).execute()
    }
    const jobs = (await jobIdsOf(trx, caseId))
    const pending = jobs.length === 0 ? [] : await trx.selectFrom("jobs").select("id").where("id", "in", jobs).where("status", "=", "pending").execute()
    if (pending.length > 0) await trx.deleteFrom("jobs").where("id", "in", pending.map((j) => j.id)).execute()
    return {
      caseId, closedAt: toIso(closedAt), reason: alreadyClosed ? kase.closed_reason : reason, alreadyClosed,
      canceledRequests: open.map((r) => Number(r.id)), removedJobs: pending.length
    }
  })
