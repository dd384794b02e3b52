/**
 * Streams the snapshots of the cases due by an instant, a page at a time, with keyset
 * pagination on the `cases_due (due_at, id)` index: each page starts strictly after the last
 * (due_at, id) of the previous one, so no OFFSET scan and no page is held after it is emitted.
 *
 * Locking: none; each page is its own read. A case rescheduled while the stream runs is seen at
 * most once (its key only moves forward in time, past `until` or after the cursor).
 */
import type { CaseSnapshot, StoreError } from "@recert/core"
import { Effect, Option, Stream } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import { tryDb } from "../run.js"
import { loadCaseLoads } from "./load-snapshots.js"
import { isUnloadableCase, type UnloadableCase } from "./unloadable-case.js"

export interface StreamDueOptions {
  /** Cases with `dueAt <= until` (an ISO instant). */
  readonly until: string
  /** Cases per page (one page = 4 queries). Default 500. */
  readonly pageSize?: number
}

interface Cursor {
  readonly dueAt: number
  readonly id: string
}

export const DEFAULT_PAGE_SIZE = 500

export const duePage = (db: Kysely<Database>, until: number, pageSize: number, after: Cursor | null) => {
  // A closed case (`recert cases close`) is never due again.
  let query = db.selectFrom("cases").selectAll().where("due_at", "<=", until).where("closed_at", "is", null)
  // A row-value comparison, `(due_at, id) > (?, ?)`: both databases seek the index to the cursor
  // and read one page. The equivalent `due_at > ? OR (due_at = ? AND id > ?)` made SQLite read
  // (and sort) every due case after the cursor for every page, and Postgres filter them, so a
  // stream cost grew with the square of the cases (1,000,000 cases: 350 ms -> 6.5 ms a page).
  if (after !== null) query = query.where((eb) => eb(eb.refTuple("due_at", "id"), ">", eb.tuple(after.dueAt, after.id)))
  return query.orderBy("due_at").orderBy("id").limit(pageSize)
}

/**
 * Each due case's snapshot, or an `UnloadableCase` (one bad row never fails its page): what the
 * scheduler's pass and the CLI's listings read, so they can report the case and go on.
 */
export const streamDueCaseLoads = (db: Kysely<Database>, until: number, pageSize: number): Stream.Stream<CaseSnapshot | UnloadableCase, StoreError> =>
  Stream.paginate<Cursor | null, CaseSnapshot | UnloadableCase, StoreError>(null, (after) =>
    tryDb("streamDueCases", async () => {
      const rows = await duePage(db, until, pageSize, after).execute()
      const snapshots = await loadCaseLoads(db, rows)
      const last = rows.at(-1)
      const next: Option.Option<Cursor | null> = rows.length === pageSize && last !== undefined
        ? Option.some({ dueAt: last.due_at, id: last.id })
        : Option.none()
      return [snapshots, next] as const
    }).pipe(Effect.withSpan("store.streamDueCases.page")))

/** The due cases' snapshots only; a case that cannot be loaded is skipped with a warning in the log. */
export const streamDueCases = (db: Kysely<Database>, until: number, pageSize: number): Stream.Stream<CaseSnapshot, StoreError> =>
  streamDueCaseLoads(db, until, pageSize).pipe(
    Stream.tap((load) => isUnloadableCase(load) ? Effect.logWarning("case skipped: cannot be loaded", { caseId: load.caseId, reason: load.reason }) : Effect.void),
    Stream.filter((load): load is CaseSnapshot => !isUnloadableCase(load))
  )
