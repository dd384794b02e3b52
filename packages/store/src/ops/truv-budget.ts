/**
 * Core's `TruvBudget` port on the database the workers share: one budget per key (a hash of the
 * Truv secret) in `truv_budgets`, its counted grants in `truv_budget_grants` (migration
 * `0007_truv_budget`). The rule is core's `grantPermits`; this file only locks, reads and writes.
 *
 * Locking: `acquire` is one write transaction per batch of permits (not per request). It opens
 * with an upsert of the key's row, which on Postgres takes that row's lock, so acquirers of one
 * key queue on it and each reads the grants the one before committed (READ COMMITTED reads
 * anew at every statement); acquirers of other keys do not wait. SQLite: `BEGIN IMMEDIATE`
 * holds the database's write lock already. Cost per batch: 4 statements (upsert, delete of the
 * grants past their window, read of the rest, insert of the grant), about a millisecond on either.
 * `block` is one statement that only ever moves `not_before` later.
 */
import { type BudgetGrant, type BudgetRequest, grantPermits, type StoreError, TruvBudget } from "@recert/core"
import { Clock, Effect } from "effect"
import { type Kysely, sql } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { tryDb } from "../run.js"

export const acquireTruvBudget = (db: Kysely<Database>, d: DialectAdapter, request: BudgetRequest, now: number): Promise<BudgetGrant> =>
  d.writeTransaction(db, async (trx) => {
    const row = await trx.insertInto("truv_budgets").values({ key: request.key, not_before: 0, updated_at: now })
      .onConflict((oc) => oc.column("key").doUpdateSet({ updated_at: now }))
      .returning("not_before").executeTakeFirstOrThrow()
    await trx.deleteFrom("truv_budget_grants").where("key", "=", request.key).where("counts_until", "<=", now).execute()
    const grants = await trx.selectFrom("truv_budget_grants").select(["granted_at", "permits", "counts_until"])
      .where("key", "=", request.key).execute()
    const { grant, record } = grantPermits({
      notBefore: row.not_before,
      grants: grants.map((g) => ({ grantedAt: g.granted_at, permits: g.permits, countsUntil: g.counts_until }))
    }, request, now)
    if (record !== null) {
      await trx.insertInto("truv_budget_grants").values({
        key: request.key, granted_at: record.grantedAt, counts_until: record.countsUntil, permits: record.permits, holder: request.holder ?? null
      }).execute()
    }
    return grant
  })

export const blockTruvBudget = async (db: Kysely<Database>, key: string, until: number, now: number): Promise<void> => {
  await db.insertInto("truv_budgets").values({ key, not_before: until, updated_at: now })
    .onConflict((oc) => oc.column("key").doUpdateSet({
      not_before: sql<number>`case when truv_budgets.not_before < ${until} then ${until} else truv_budgets.not_before end`,
      updated_at: now
    })).execute()
}

/** The port's implementation on `db`: every operation reads `now` from Effect's Clock. */
export const truvBudgetOf = (db: Kysely<Database>, d: DialectAdapter): TruvBudget["Service"] => TruvBudget.of({
  acquire: (request): Effect.Effect<BudgetGrant, StoreError> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => tryDb("acquireTruvBudget", () => acquireTruvBudget(db, d, request, now))),
  block: (key, until) => Effect.flatMap(Clock.currentTimeMillis, (now) => tryDb("blockTruvBudget", () => blockTruvBudget(db, key, until, now)))
})
