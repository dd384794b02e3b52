/**
 * Validity learned from the ledger: one query over every connection's refresh outcomes (with the
 * connection's provider, auth kind, current login and its lineage's creation), then core's pure
 * estimator (`observationsOf`, `estimateValidity`). A connection's known logins are its root
 * order's creation (the user connected then) and its current `authenticatedAt`; see
 * core's `learning/episodes.ts` for what an episode is.
 */
import { type AuthKind, estimateValidity, observationsOf, type TaskStatus, type ValidityEstimate, type ValidityObservation } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

interface Acc { provider: string; authKind: AuthKind; logins: Array<number>; outcomes: Array<{ atMs: number; status: TaskStatus }> }

/**
 * @example
 * await validityEstimates(db, 1) // [{ provider: "adp", authKind: "session", episodes: 13, failures: 11, steps: [...] }]
 */
export const validityEstimates = async (db: Kysely<Database>, minEpisodes = 1): Promise<Array<ValidityEstimate>> => {
  const rows = await db.selectFrom("connections as c")
    .innerJoin("orders as o", "o.id", "c.root_order_id")
    .leftJoin("attempt_connections as ac", "ac.connection_id", "c.id")
    .leftJoin("attempts as a", (j) => j.onRef("a.id", "=", "ac.attempt_id").on("a.status", "in", ["succeeded", "failed"]))
    .select(["c.id", "c.provider", "c.auth_kind", "c.authenticated_at", "o.created_at as root_created_at", "a.at", "a.outcomes"])
    .execute()
  const byConnection = new Map<string, Acc>()
  for (const r of rows) {
    let acc = byConnection.get(r.id)
    if (acc === undefined) {
      const logins = [Number(r.root_created_at), Number(r.authenticated_at)]
      byConnection.set(r.id, acc = { provider: r.provider, authKind: r.auth_kind as AuthKind, logins, outcomes: [] })
    }
    if (r.at === null || r.outcomes === null) continue
    const status = (JSON.parse(r.outcomes) as Record<string, TaskStatus>)[r.id]
    if (status !== undefined) acc.outcomes.push({ atMs: Number(r.at), status })
  }
  const observations: Array<ValidityObservation> = []
  for (const acc of byConnection.values()) {
    // A login recorded before the lineage's creation (imported data) opens the first episode itself.
    acc.logins = acc.logins[1]! < acc.logins[0]! ? [acc.logins[1]!] : acc.logins
    for (const o of observationsOf(acc)) observations.push(o)
  }
  return estimateValidity(observations, minEpisodes)
}
