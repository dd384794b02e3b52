/**
 * Durable follow-ups (migration `0003_follow_ups`): which final attempts still owe their
 * follow-up, marking one done, and the verification requests a follow-up already queued. The
 * scheduler runs a follow-up when an attempt becomes final and marks it done at the end; a worker
 * killed in between leaves the attempt owed, and the next pass's recovery finds it here.
 */
import type { Attempt, QueuedVerification } from "@recert/core"
import { type Kysely, sql } from "kysely"
import type { AttemptRow, Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { FOLLOW_UP_OWED } from "../migrations.js"
import { attemptFromRow, verificationFromRow } from "../rows.js"
import { insertJobs, type JobInput } from "./jobs.js"

/** The owed attempts' rows (exported for the query-plan test). */
export const owedAttempts = (db: Kysely<Database>, before: number, limit: number) =>
  db.selectFrom("attempts").selectAll()
    .where(sql.raw<boolean>(FOLLOW_UP_OWED))
    .where("updated_at", "<", before)
    .orderBy("updated_at").orderBy("id").limit(limit)

/**
 * Final (`succeeded`/`failed`) attempts whose follow-up has not been marked done, that became
 * final before `before` (their last write, `updated_at`), oldest first, at most `limit`. Scans the
 * partial index `attempts_follow_up_owed` (only owed rows), then reads their connections.
 */
export const pendingFollowUps = async (
  db: Kysely<Database>, before: number, limit: number
): Promise<Array<{ readonly caseId: string; readonly attempt: Attempt }>> => {
  const rows: Array<AttemptRow> = await owedAttempts(db, before, limit).execute()
  if (rows.length === 0) return []
  const links = await db.selectFrom("attempt_connections").select(["attempt_id", "connection_id"])
    .where("attempt_id", "in", rows.map((r) => r.id)).orderBy("attempt_id").orderBy("connection_id").execute()
  const byAttempt = new Map<string, Array<string>>()
  for (const l of links) byAttempt.set(l.attempt_id, [...(byAttempt.get(l.attempt_id) ?? []), l.connection_id])
  return rows.map((row) => ({ caseId: row.case_id, attempt: attemptFromRow(row, byAttempt.get(row.id) ?? []) }))
}

/**
 * Marks the attempt's follow-up done at `now` (the first mark wins; unknown ids change nothing)
 * and, in the same transaction, enqueues `then` (keyed jobs: the follow-up's retry renewal). A
 * renewal enqueued before the mark could run while the follow-up is still owed and be refused by
 * `reserve` ("follow-up owed"), losing the retry; enqueued with the mark, it exists exactly when
 * the follow-up is done.
 */
export const markFollowedUp = (db: Kysely<Database>, d: DialectAdapter, attemptId: string, then: ReadonlyArray<JobInput>, now: number): Promise<void> =>
  d.writeTransaction(db, async (trx) => {
    await trx.updateTable("attempts").set({ followed_up_at: now }).where("id", "=", attemptId).where("followed_up_at", "is", null).execute()
    if (then.length > 0) await insertJobs(trx, d, then, now)
  })

/** The verification requests queued by the follow-up of `attemptId`, oldest first. */
export const verificationsForAttempt = async (db: Kysely<Database>, attemptId: string): Promise<Array<QueuedVerification>> =>
  (await db.selectFrom("verification_queue").selectAll().where("attempt_id", "=", attemptId).orderBy("id").execute()).map(verificationFromRow)
