/**
 * Renewing a job's lease while the job runs. A lease (`claimJobs`' `leaseMs`, 30 s by default)
 * is shorter than the longest job (a Truv call may take 30 s, and a job retries it): without
 * renewal, a job still running became claimable and a second worker ran it too. The holder
 * extends its lease to `now + leaseMs` every so often; the renewal is fenced like `completeJob`:
 * one `UPDATE ... WHERE id AND locked_by = worker AND status = 'pending'`, atomic on both
 * dialects (Postgres re-checks the row after any concurrent claim commits; SQLite writes one at a
 * time). A lease that expired but that nobody took is still the worker's (`claimJobs` would have
 * replaced `locked_by`, `reclaimExpiredLeases` cleared it): renewing it is safe and keeps the job.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

/** True when the lease was extended to `until`; false when `workerId` no longer holds it. */
export const renewLease = async (db: Kysely<Database>, jobId: string, workerId: string, until: number, now: number): Promise<boolean> => {
  const r = await db.updateTable("jobs").set({ locked_until: until, updated_at: now })
    .where("id", "=", jobId).where("locked_by", "=", workerId).where("status", "=", "pending").executeTakeFirst()
  return r.numUpdatedRows > 0n
}
