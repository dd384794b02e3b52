/**
 * Figures for a run report and `recert stats`: since an instant, the cases by their latest
 * decision's verdict, the attempts by status, the connection refreshes billed and free, the limit
 * rejections; and the verification queue's open entries. Reads only (a few aggregate queries).
 * Billing counts every connection of every attempt that was not rejected (Truv bills a request
 * it accepted); outcomes that Truv does not bill (`no_data`) are subtracted.
 */
import { type Kysely, sql } from "kysely"
import type { Database } from "../database.js"
import { toIso } from "../rows.js"

export interface StoreStats {
  readonly since: string
  /** Decisions made since `since`, by verdict, counting each case once (its latest decision). */
  readonly casesByVerdict: Readonly<Record<string, number>>
  /** Attempts made since `since`, by status. */
  readonly attemptsByStatus: Readonly<Record<string, number>>
  /** Connection refreshes Truv accepted (or may have) that are billed / free under the GSE quota. */
  readonly refreshesBilled: number
  readonly refreshesFree: number
  /** Attempts Truv rejected with the refresh-limit error. */
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
  const refreshes = await db.selectFrom("attempt_connections as ac").innerJoin("attempts as a", "a.id", "ac.attempt_id")
    .select(["a.gse_free", "a.outcomes", "ac.connection_id"])
    .where("a.at", ">=", since).where("a.status", "!=", "rejected").execute()
  let billed = 0
  let free = 0
  for (const r of refreshes) {
    const outcome = (JSON.parse(r.outcomes) as Record<string, string>)[r.connection_id]
    if (outcome === "no_data") continue
    if (r.gse_free === 1) free++
    else billed++
  }
  const limit = await db.selectFrom("attempts").select((eb) => eb.fn.countAll<number>().as("n"))
    .where("at", ">=", since).where("rejection", "=", "refresh-limit").executeTakeFirstOrThrow()
  const open = await db.selectFrom("verification_queue").select((eb) => eb.fn.countAll<number>().as("n"))
    .where(sql.ref("resolved_at"), "is", null).executeTakeFirstOrThrow()
  return {
    since: toIso(since),
    casesByVerdict: Object.fromEntries(verdicts.map((v) => [v.verdict, Number(v.n)])),
    attemptsByStatus: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
    refreshesBilled: billed,
    refreshesFree: free,
    limitRejections: Number(limit.n),
    verificationQueueOpen: Number(open.n)
  }
}
