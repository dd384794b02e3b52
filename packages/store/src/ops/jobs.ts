/**
 * Job leases, graphile-worker style. A job is runnable when `status = 'pending'`, `run_at <= now`,
 * it has attempts left and no live lease (`locked_until` null or past). Claiming sets the lease
 * and counts an attempt (a worker that crashes holding a lease has used an attempt). Completion,
 * failure and release are fenced to the lease holder: an UPDATE ... WHERE locked_by = worker that
 * touches no row means the lease was lost (it expired and someone else claimed the job).
 *
 * Locking, claim: one `UPDATE ... WHERE id IN (SELECT ... LIMIT n)`. Postgres adds
 * `FOR UPDATE SKIP LOCKED` to the subquery, so concurrent claimers take different jobs instead of
 * queueing on the same rows; SQLite runs it inside `BEGIN IMMEDIATE`, one claimer at a time.
 * Locking, finish: a single fenced UPDATE, atomic on both dialects.
 *
 * Backoff after a failure (attempt n, 1-based), capped, then jittered by ±20%:
 *
 * | attempt | 1    | 2   | 3   | 4   | 5   | 6   | 7    | 8+   |
 * |---------|------|-----|-----|-----|-----|-----|------|------|
 * | delay   | 30 s | 1 m | 2 m | 4 m | 8 m | 16 m| 32 m | 1 h (cap) |
 */
import { type Kysely, sql } from "kysely"
import { randomUUID } from "node:crypto"
import type { Database, JobRow } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { toIso, toIsoOrNull, toMs } from "../rows.js"

export interface JobInput {
  readonly kind: string
  readonly payload: unknown
  /** De-duplication key: a job with the same key already in the table wins. */
  readonly key?: string
  /** Default: now. */
  readonly runAt?: string
  /** Default 5. */
  readonly maxAttempts?: number
}

export interface Job {
  readonly id: string
  readonly kind: string
  readonly key: string | null
  readonly payload: unknown
  readonly attempts: number
  readonly maxAttempts: number
  readonly runAt: string
  readonly lockedBy: string | null
  readonly lockedUntil: string | null
  readonly lastError: string | null
}

export interface ClaimJobsOptions {
  readonly workerId: string
  readonly kind: string
  readonly limit: number
  readonly leaseMs: number
}

/** What `failJob` recorded: the retry instant and delay, or `null` when the job is out of attempts. */
export interface JobFailure {
  readonly retryAt: string | null
  readonly backoffMs: number | null
}

export const JOB_BACKOFF = { baseMs: 30_000, factor: 2, capMs: 3_600_000, jitter: 0.2 } as const
export const DEFAULT_MAX_ATTEMPTS = 5

/** The delay after the `attempt`-th failure, given a uniform `random` in [0, 1). */
export const jobBackoffMs = (attempt: number, random: number): number => {
  const raw = Math.min(JOB_BACKOFF.capMs, JOB_BACKOFF.baseMs * JOB_BACKOFF.factor ** Math.max(0, attempt - 1))
  return Math.min(JOB_BACKOFF.capMs, Math.round(raw * (1 - JOB_BACKOFF.jitter + 2 * JOB_BACKOFF.jitter * random)))
}

export const jobFromRow = (row: JobRow): Job => ({
  id: row.id, kind: row.kind, key: row.key, payload: JSON.parse(row.payload) as unknown, attempts: row.attempts,
  maxAttempts: row.max_attempts, runAt: toIso(row.run_at), lockedBy: row.locked_by, lockedUntil: toIsoOrNull(row.locked_until),
  lastError: row.last_error
})

/** Inserts jobs inside the caller's transaction (a job whose key exists is skipped); returns the number inserted. */
export const insertJobs = async (trx: Kysely<Database>, d: DialectAdapter, jobs: ReadonlyArray<JobInput>, now: number): Promise<number> => {
  const rows = jobs.map((j) => ({
    id: randomUUID(), kind: j.kind, key: j.key ?? null, payload: JSON.stringify(j.payload ?? null), status: "pending",
    run_at: j.runAt === undefined ? now : toMs(j.runAt), attempts: 0, max_attempts: j.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    locked_by: null, locked_until: null, last_error: null, last_backoff_ms: null, created_at: now, updated_at: now
  }))
  // One column count for the chunking; a job that loses the key race is simply not counted.
  const chunk = Math.floor(d.maxParams / 14)
  let inserted = 0
  for (let i = 0; i < rows.length; i += chunk) {
    const r = await trx.insertInto("jobs").values(rows.slice(i, i + chunk))
      .onConflict((oc) => oc.column("key").doNothing()).executeTakeFirst()
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0n)
  }
  return inserted
}

export const enqueueJobs = (db: Kysely<Database>, d: DialectAdapter, jobs: ReadonlyArray<JobInput>, now: number): Promise<number> =>
  d.writeTransaction(db, (trx) => insertJobs(trx, d, jobs, now))

export const claimJobs = (db: Kysely<Database>, d: DialectAdapter, o: ClaimJobsOptions, now: number): Promise<Array<Job>> =>
  d.writeTransaction(db, async (trx) => {
    let runnable = trx.selectFrom("jobs").select("id")
      .where("status", "=", "pending").where("kind", "=", o.kind).where("run_at", "<=", now)
      .where((eb) => eb("attempts", "<", eb.ref("max_attempts")))
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
      .orderBy("run_at").orderBy("id").limit(o.limit)
    if (d.skipLocked) runnable = runnable.forUpdate().skipLocked()
    const rows = await trx.updateTable("jobs")
      .set((eb) => ({ locked_by: o.workerId, locked_until: now + o.leaseMs, attempts: eb("attempts", "+", 1), updated_at: now }))
      .where("id", "in", runnable).returningAll().execute()
    return rows.sort((a, b) => a.run_at - b.run_at || (a.id < b.id ? -1 : 1)).map(jobFromRow)
  })

export const completeJob = async (db: Kysely<Database>, jobId: string, workerId: string, now: number): Promise<boolean> => {
  const r = await db.updateTable("jobs").set({ status: "done", locked_by: null, locked_until: null, updated_at: now })
    .where("id", "=", jobId).where("locked_by", "=", workerId).where("status", "=", "pending").executeTakeFirst()
  return r.numUpdatedRows > 0n
}

export const releaseJob = async (db: Kysely<Database>, jobId: string, workerId: string, now: number): Promise<boolean> => {
  const r = await db.updateTable("jobs")
    .set((eb) => ({ locked_by: null, locked_until: null, attempts: eb("attempts", "-", 1), updated_at: now }))
    .where("id", "=", jobId).where("locked_by", "=", workerId).where("status", "=", "pending").executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Returns null when the caller does not hold the lease. */
export const failJob = async (
  db: Kysely<Database>, jobId: string, workerId: string, error: string, now: number, random: number
): Promise<JobFailure | null> => {
  const job = await db.selectFrom("jobs").selectAll().where("id", "=", jobId).where("locked_by", "=", workerId)
    .where("status", "=", "pending").executeTakeFirst()
  if (job === undefined) return null
  const giveUp = job.attempts >= job.max_attempts
  const backoffMs = giveUp ? null : jobBackoffMs(job.attempts, random)
  const r = await db.updateTable("jobs").set({
    status: giveUp ? "failed" : "pending", locked_by: null, locked_until: null, last_error: error.slice(0, 4000),
    last_backoff_ms: backoffMs, run_at: backoffMs === null ? job.run_at : now + backoffMs, updated_at: now
  }).where("id", "=", jobId).where("locked_by", "=", workerId).where("attempts", "=", job.attempts).executeTakeFirst()
  if (r.numUpdatedRows === 0n) return null
  return { retryAt: backoffMs === null ? null : toIso(now + backoffMs), backoffMs }
}

/** Clears expired leases; jobs whose expired lease was their last attempt become `failed`. */
export const reclaimExpiredLeases = (db: Kysely<Database>, d: DialectAdapter, now: number): Promise<number> =>
  d.writeTransaction(db, async (trx) => {
    const failed = await trx.updateTable("jobs")
      .set({ status: "failed", locked_by: null, locked_until: null, last_error: sql<string>`coalesce(last_error, 'lease expired on the last attempt')`, updated_at: now })
      .where("status", "=", "pending").where("locked_until", "<=", now)
      .where((eb) => eb("attempts", ">=", eb.ref("max_attempts"))).executeTakeFirst()
    const freed = await trx.updateTable("jobs").set({ locked_by: null, locked_until: null, updated_at: now })
      .where("status", "=", "pending").where("locked_until", "<=", now).executeTakeFirst()
    return Number(failed.numUpdatedRows + freed.numUpdatedRows)
  })
