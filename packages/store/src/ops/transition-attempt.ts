/**
 * Moves an attempt along core's state machine and records connections' outcomes. The rules are
 * core's (`transitionedAttempt`, `attemptWithOutcome`, which the in-memory store applies too):
 * this file reads the attempt, applies the rule, and writes the attempt it returns.
 *
 * Locking: none held across statements. The UPDATE is a compare-and-set on the status (and the
 * outcomes) we read, so two writers racing on one attempt cannot both win: the loser re-reads
 * and is judged against the new state (same on both dialects, no dialect-specific row lock).
 *
 * A lost reply (issue 15): a connection cut after the UPDATE was sent (a Postgres restart,
 * `pg_terminate_backend`) leaves the caller not knowing whether it committed. The call reads the
 * attempt back (`resolvingLostReply`) and, when the row holds exactly what it wrote, stamped with
 * its own `updated_at`, returns that as its write; otherwise nothing was written and the step
 * runs again on what is there. So the caller (and the scheduler's counts, which count what these
 * calls return) learns each write once, as if the reply had come.
 *
 * Writers (issue 15, migration `0018_attempt_writers`): the write that gives an attempt its
 * refresh order stamps `sent_by`, and each outcome its connection's entry of `outcome_writers`,
 * with the calling store instance's id (`writer`, one per opened store: one per process). Every
 * attempt returned carries `ownWrites`, read from those columns, so a process counts only what it
 * wrote: two processes applying the same outcome both get the attempt back, one of them as its own.
 * A lost reply read back tells the same way (the row's writer, not the read-back's verdict, says
 * whose an outcome is: another process's identical outcome under it is theirs).
 */
import {
  type Attempt, AttemptNotFound, type AttemptPatch, type AttemptStatus, attemptWithOutcome, IllegalTransition, type OwnWrites, StoreError,
  type TaskStatus, transitionedAttempt, type WrittenAttempt
} from "@recert/core"
import type { Kysely, Updateable } from "kysely"
import type { AttemptRow, AttemptsTable, Database } from "../database.js"
import { resolvingLostReply } from "../lost-reply.js"
import { Abort } from "../run.js"
import { attemptFromRow, toMsOrNull } from "../rows.js"

const MAX_RACES = 5

/** Whether `row` is the write `set` stamped `now`: what a compare-and-set whose reply was lost left. */
const holdsWrite = (row: AttemptRow, set: Updateable<AttemptsTable>, now: number): boolean =>
  Number(row.updated_at) === now && row.status === set.status && row.outcomes === set.outcomes &&
  row.order_id === set.order_id && row.rejection === set.rejection

const AT_LEAST_SENT = new Set(["sent", "succeeded", "failed"])

/**
 * Whether `row` holds what the lost write `set` wrote, with later writes on top: another write
 * (an outcome the inbox recorded, on this worker or another) may land between the lost reply and
 * the read-back, and the row is then no longer exactly the write. A `sent` with its order id, a
 * `rejected` with its reason, and each connection outcome it recorded are still there: it landed
 * (writing it again would be refused, as sent → sent is, and its caller would count nothing).
 */
const landedUnder = (row: AttemptRow, set: Updateable<AttemptsTable>): boolean => {
  if (set.status === "sent" && typeof set.order_id === "string") return row.order_id === set.order_id && AT_LEAST_SENT.has(row.status)
  if (set.status === "rejected") return row.status === "rejected" && row.rejection === set.rejection
  if (typeof set.outcomes !== "string" || set.outcomes === "{}") return false
  const mine = JSON.parse(set.outcomes) as Record<string, string>
  const theirs = JSON.parse(row.outcomes) as Record<string, string>
  return Object.entries(mine).every(([k, v]) => theirs[k] === v) && (row.status === set.status || row.status === "succeeded" || row.status === "failed")
}

/** Whether `a` holds a refresh order Truv created (status `sent` or beyond). */
const isSent = (a: Attempt): boolean => a.orderId !== null && AT_LEAST_SENT.has(a.status)

/** What `writer` wrote of the attempt in `row`. */
const ownWritesOf = (row: AttemptRow, writer: string): OwnWrites => {
  const writers = JSON.parse(row.outcome_writers) as Record<string, string>
  return { sent: row.sent_by === writer, outcomes: Object.keys(writers).filter((k) => writers[k] === writer).sort() }
}

/**
 * The attempt in `row`, with what `writer` wrote of it. `ownWrites` is the call's provenance, not
 * part of the attempt's value: not enumerable, so the attempt compares, serialises and spreads
 * as the attempt it is (equal to the same attempt read back), and the caller still reads it.
 */
const written = (row: AttemptRow, connectionIds: ReadonlyArray<string>, writer: string): WrittenAttempt =>
  Object.defineProperty(attemptFromRow(row, connectionIds), "ownWrites", { value: ownWritesOf(row, writer), enumerable: false })

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
const afterUpdate = (current: ReadAttempt, set: Updateable<AttemptsTable>, writer: string): WrittenAttempt =>
  written({ ...current.row, ...set } as AttemptRow, current.connectionIds, writer)

/** Compare-and-set: writes `set` only if the attempt still has `status` and `outcomes`. */
const casUpdate = async (db: Kysely<Database>, id: string, status: string, outcomes: string, set: Updateable<AttemptsTable>): Promise<boolean> => {
  const result = await db.updateTable("attempts").set(set)
    .where("id", "=", id).where("status", "=", status).where("outcomes", "=", outcomes)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Reads the attempt, applies core's `step`, and compare-and-sets the result (re-judged on a lost
 * race). A compare-and-set whose reply was lost is looked for by reading the row back (see the top).
 */
const updateAttempt = (
  db: Kysely<Database>, attemptId: string, now: number, writer: string, step: (attempt: Attempt) => Attempt | IllegalTransition | StoreError
): Promise<WrittenAttempt> => {
  /** The last compare-and-set sent. */
  let last: Updateable<AttemptsTable> | null = null
  return resolvingLostReply(async (sent) => {
    for (let race = 0; race < MAX_RACES; race++) {
      const current = await readAttempt(db, attemptId)
      if (current === undefined) throw new Abort(new AttemptNotFound({ attemptId }))
      const next = step(current.attempt)
      if (next instanceof IllegalTransition || next instanceof StoreError) throw new Abort(next)
      if (next === current.attempt) return written(current.row, current.connectionIds, writer)
      const set = attemptSet(current, next, now, writer)
      last = set
      sent()
      if (await casUpdate(db, attemptId, current.attempt.status, current.outcomes, set)) return afterUpdate(current, set, writer)
    }
    throw new Error(`attempt ${attemptId}: too many concurrent updates`)
  }, async () => {
    const current = await readAttempt(db, attemptId)
    return current !== undefined && last !== null && (holdsWrite(current.row, last, now) || landedUnder(current.row, last))
      ? written(current.row, current.connectionIds, writer)
      : undefined
  })
}

/** What a step may change on an attempt's row, stamped with its writer where it adds the order or an outcome. */
const attemptSet = (current: ReadAttempt, next: Attempt, now: number, writer: string): Updateable<AttemptsTable> => {
  const writers = JSON.parse(current.row.outcome_writers) as Record<string, string>
  for (const k of Object.keys(next.outcomes)) if (current.attempt.outcomes[k] === undefined) writers[k] = writer
  return {
    status: next.status, order_id: next.orderId, rejection: next.rejection, outcomes: JSON.stringify(next.outcomes),
    resolved_at: toMsOrNull(next.resolvedAt), gse_free: next.gseFree ? 1 : 0, updated_at: now,
    sent_by: isSent(next) && !isSent(current.attempt) ? writer : current.row.sent_by,
    outcome_writers: JSON.stringify(writers)
  }
}

/** Moves an attempt along core's state machine (`transitionedAttempt`). */
export const transitionAttempt = (
  db: Kysely<Database>, attemptId: string, to: AttemptStatus, patch: AttemptPatch, now: number, writer: string
): Promise<WrittenAttempt> => updateAttempt(db, attemptId, now, writer, (attempt) => transitionedAttempt(attempt, to, patch, now))

/**
 * Records one connection's final task status by core's rule (`attemptWithOutcome`): when every
 * connection has one, the attempt becomes `succeeded` or `failed`; the first final status of a
 * connection wins (a second one writes nothing).
 */
export const recordOutcome = (
  db: Kysely<Database>, attemptId: string, connectionId: string, status: TaskStatus, at: string, now: number, writer: string
): Promise<WrittenAttempt> => updateAttempt(db, attemptId, now, writer, (attempt) => attemptWithOutcome(attempt, connectionId, status, at))

/**
 * The attempts whose `sent` or an outcome `writer` wrote, among those written at or after `since`
 * (ms, `updated_at`), each with its `ownWrites`: how a process learns its own writes from the
 * ledger (issue 15). A write can land although its call failed (a reply cut past the read-back,
 * an error after the commit), and a later call then finds the outcome recorded and writes
 * nothing: the process that wrote it was never told. Through `attempts_updated` (0018).
 */
export const attemptsWrittenBy = async (db: Kysely<Database>, writer: string, since: number): Promise<OwnWritesRead> => {
  const rows = await db.selectFrom("attempts")
    .innerJoin("attempt_connections as ac", "ac.attempt_id", "attempts.id")
    .selectAll("attempts").select("ac.connection_id")
    .where("attempts.updated_at", ">=", since)
    .where((eb) => eb.or([eb("attempts.sent_by", "=", writer), eb("attempts.outcome_writers", "like", `%"${writer}"%`)]))
    .orderBy("attempts.id").orderBy("ac.connection_id").execute()
  const attempts: Array<WrittenAttempt> = []
  let newest: number | null = null
  for (let i = 0; i < rows.length;) {
    const { connection_id: _, ...row } = rows[i]!
    const ids: Array<string> = []
    for (; i < rows.length && rows[i]!.id === row.id; i++) ids.push(rows[i]!.connection_id)
    attempts.push(written(row, ids, writer))
    newest = Math.max(newest ?? -Infinity, Number(row.updated_at))
  }
  return { attempts, newest }
}

/** `attemptsWrittenBy`'s answer: the attempts, and the newest `updated_at` among them (null: none). */
export interface OwnWritesRead {
  readonly attempts: ReadonlyArray<WrittenAttempt>
  readonly newest: number | null
}
