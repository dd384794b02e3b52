/**
 * Figures for `recert stats`: since an instant, the cases by their latest decision's verdict, the
 * attempts by status, the refresh account of those attempts, the limit violations attempted; and
 * the verification queue's open entries. Reads only (a few queries).
 *
 * The refresh account is core's rule (`refreshAccountOf`), the one the scheduler's run report and
 * `/metrics` count by, under the same names: `sent` refresh orders Truv created, verifications
 * `billed` / `free` / `notBilled` (`no_data`) by their confirmed outcome, `awaitingOutcome`,
 * `unconfirmed` attempts of unknown fate. Billing is never predicted: a connection without a
 * final status is awaiting, not billed.
 */
import { type AttemptStatus, type RefreshAccount, refreshAccountOfAll, type TaskStatus } from "@recert/core"
import { type Kysely, sql } from "kysely"
import type { Database } from "../database.js"
import { toIso } from "../rows.js"

export interface StoreStats {
  readonly since: string
  /** Decisions made since `since`, by verdict, counting each case once (its latest decision). */
  readonly casesByVerdict: Readonly<Record<string, number>>
  /** Attempts made since `since`, by status. */
  readonly attemptsByStatus: Readonly<Record<string, number>>
  /** The attempts' refresh account (core's `refreshAccountOf`: the run report's and `/metrics`' names). */
  readonly refreshes: RefreshAccount
  /** Attempts Truv rejected with the refresh-limit error (the run report's `limitViolationsAttempted`). */
  readonly limitViolationsAttempted: number
  /** @deprecated `refreshes.billed` (kept for scripts reading the older JSON). */
  readonly refreshesBilled: number
  /** @deprecated `refreshes.free`. */
  readonly refreshesFree: number
  /** @deprecated `limitViolationsAttempted`. */
  readonly limitRejections: number
  /** Open entries of the verification queue (any age). */
  readonly verificationQueueOpen: number
}

export const stats = async (db: Kysely<Database>, since: number): Promise<StoreStats> => {
  const verdicts = await db.selectFrom("decisions as d").select(["d.verdict", (eb) => eb.fn.countAll<number>().as("n")])
    .where("d.at", ">=", since)
    .where("d.id", "=", (eb) => eb.selectFrom("decisions as d2").select((e) => e.fn.max("d2.id").as("m"))
      .whereRef("d2.case_id", "=", "d.case_id").where("d2.at", ">=", since))
    .groupBy("d.verdict").execute()
  const statuses = await db.selectFrom("attempts").select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("at", ">=", since).groupBy("status").execute()
  const rows = await db.selectFrom("attempt_connections as ac").innerJoin("attempts as a", "a.id", "ac.attempt_id")
    .select(["a.id", "a.status", "a.order_id", "a.gse_free", "a.outcomes", "ac.connection_id"])
    .where("a.at", ">=", since).where("a.status", "!=", "rejected").execute()
  const attempts = new Map<string, { status: AttemptStatus; orderId: string | null; gseFree: boolean; outcomes: Record<string, TaskStatus>; connectionIds: Array<string> }>()
  for (const r of rows) {
    const a = attempts.get(r.id)
    if (a !== undefined) a.connectionIds.push(r.connection_id)
    else {
      attempts.set(r.id, {
        status: r.status as AttemptStatus, orderId: r.order_id, gseFree: r.gse_free === 1,
        outcomes: JSON.parse(r.outcomes) as Record<string, TaskStatus>, connectionIds: [r.connection_id]
      })
    }
  }
  const refreshes = refreshAccountOfAll(attempts.values())
  const limit = await db.selectFrom("attempts").select((eb) => eb.fn.countAll<number>().as("n"))
    .where("at", ">=", since).where("rejection", "=", "refresh-limit").executeTakeFirstOrThrow()
  const open = await db.selectFrom("verification_queue").select((eb) => eb.fn.countAll<number>().as("n"))
    .where(sql.ref("resolved_at"), "is", null).executeTakeFirstOrThrow()
  return {
    since: toIso(since),
    casesByVerdict: Object.fromEntries(verdicts.map((v) => [v.verdict, Number(v.n)])),
    attemptsByStatus: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
    refreshes,
    limitViolationsAttempted: Number(limit.n),
    refreshesBilled: refreshes.billed,
    refreshesFree: refreshes.free,
    limitRejections: Number(limit.n),
    verificationQueueOpen: Number(open.n)
  }
}
