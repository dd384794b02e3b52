/**
 * Moves an attempt along core's state machine (`canTransition`), refusing anything else.
 *
 * Locking: none held across statements. The UPDATE is a compare-and-set on the status (and the
 * outcomes) we read, so two writers racing on one attempt cannot both win: the loser re-reads
 * and is judged against the new state (same on both dialects, no dialect-specific row lock).
 */
import {
  type Attempt, AttemptNotFound, type AttemptPatch, type AttemptStatus, canTransition, IllegalTransition, TERMINAL_STATUSES,
  type TaskStatus
} from "@recert/core"
import type { Kysely, Updateable } from "kysely"
import type { AttemptRow, AttemptsTable, Database } from "../database.js"
import { Abort } from "../run.js"
import { attemptFromRow, toMs } from "../rows.js"

const MAX_RACES = 5

interface ReadAttempt {
  readonly attempt: Attempt
  readonly caseId: string
  readonly outcomes: string
  readonly row: AttemptRow
  readonly connectionIds: ReadonlyArray<string>
}

export const readAttempt = async (db: Kysely<Database>, attemptId: string): Promise<ReadAttempt | undefined> => {
  const rows = await db.selectFrom("attempts")
    .innerJoin("attempt_connections as ac", "ac.attempt_id", "attempts.id")
    .selectAll("attempts").select("ac.connection_id")
    .where("attempts.id", "=", attemptId).orderBy("ac.connection_id").execute()
  const first = rows[0]
  if (first === undefined) return undefined
  const { connection_id: _, ...row } = first
  const connectionIds = rows.map((r) => r.connection_id)
  return { attempt: attemptFromRow(row, connectionIds), caseId: first.case_id, outcomes: first.outcomes, row, connectionIds }
}

/**
 * The attempt as a successful compare-and-set left it: the row read plus what the update wrote
 * (no re-read: the CAS matched that row, so the result is exactly this).
 */
const afterUpdate = (current: ReadAttempt, set: Updateable<AttemptsTable>): Attempt =>
  attemptFromRow({ ...current.row, ...set } as AttemptRow, current.connectionIds)

/** Compare-and-set: writes `set` only if the attempt still has `status` and `outcomes`. */
const casUpdate = async (db: Kysely<Database>, id: string, status: string, outcomes: string, set: Updateable<AttemptsTable>): Promise<boolean> => {
  const result = await db.updateTable("attempts").set(set)
    .where("id", "=", id).where("status", "=", status).where("outcomes", "=", outcomes)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export const transitionAttempt = async (
  db: Kysely<Database>, attemptId: string, to: AttemptStatus, patch: AttemptPatch, now: number
): Promise<Attempt> => {
  for (let race = 0; race < MAX_RACES; race++) {
    const current = await readAttempt(db, attemptId)
    if (current === undefined) throw new Abort(new AttemptNotFound({ attemptId }))
    const from = current.attempt.status
    if (!canTransition(from, to)) throw new Abort(new IllegalTransition({ attemptId, from, to }))
    const terminal = to === "succeeded" || to === "failed" || to === "rejected"
    const set: Updateable<AttemptsTable> = {
      status: to,
      updated_at: now,
      ...(patch.orderId !== undefined ? { order_id: patch.orderId } : {}),
      ...(patch.rejection !== undefined ? { rejection: patch.rejection } : {}),
      ...(patch.gseFree !== undefined ? { gse_free: patch.gseFree ? 1 : 0 } : {}),
      ...(patch.resolvedAt !== undefined ? { resolved_at: toMs(patch.resolvedAt) } : terminal && current.attempt.resolvedAt === null ? { resolved_at: now } : {})
    }
    if (await casUpdate(db, attemptId, from, current.outcomes, set)) return afterUpdate(current, set)
  }
  throw new Error(`attempt ${attemptId}: too many concurrent updates`)
}

/**
 * Records one connection's final task status. When every connection of the attempt has one, the
 * attempt becomes `succeeded` (all `done`) or `failed`, through the state machine. The same
 * outcome twice is a no-op; a different outcome for a connection that already has one is kept
 * out (the first final status wins, as Truv never reopens a finished task).
 */
export const recordOutcome = async (
  db: Kysely<Database>, attemptId: string, connectionId: string, status: TaskStatus, at: string, now: number
): Promise<Attempt> => {
  for (let race = 0; race < MAX_RACES; race++) {
    const current = await readAttempt(db, attemptId)
    if (current === undefined) throw new Abort(new AttemptNotFound({ attemptId }))
    const attempt = current.attempt
    if (!attempt.connectionIds.includes(connectionId)) {
      throw new Error(`attempt ${attemptId}: connection ${connectionId} is not part of it`)
    }
    if (!TERMINAL_STATUSES.has(status)) throw new Error(`attempt ${attemptId}: ${status} is not a final task status`)
    if (attempt.outcomes[connectionId] !== undefined) return attempt
    const outcomes = { ...attempt.outcomes, [connectionId]: status }
    const complete = attempt.connectionIds.every((id) => outcomes[id] !== undefined)
    const next: AttemptStatus = !complete ? attempt.status : attempt.connectionIds.every((id) => outcomes[id] === "done") ? "succeeded" : "failed"
    if (next !== attempt.status && !canTransition(attempt.status, next)) {
      throw new Abort(new IllegalTransition({ attemptId, from: attempt.status, to: next }))
    }
    const set: Updateable<AttemptsTable> = { outcomes: JSON.stringify(outcomes), status: next, resolved_at: toMs(at), updated_at: now }
    if (await casUpdate(db, attemptId, attempt.status, current.outcomes, set)) return afterUpdate(current, set)
  }
  throw new Error(`attempt ${attemptId}: too many concurrent updates`)
}
