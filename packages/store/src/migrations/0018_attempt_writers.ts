/**
 * Who wrote an attempt's `sent` and each of its outcomes (issue 15). Several processes share one
 * database; two of them may apply the same outcome (a webhook on one, a poll on the other) and
 * both calls return the attempt, so each process's counts (the run report, `serve`'s final report,
 * `/metrics`) must know which writes were its own. `attempts.sent_by`: the writer (a store
 * instance's id, one per opened store) of the write that gave the attempt its refresh order;
 * `attempts.outcome_writers`: a JSON object, connection id -> the writer of its outcome. Null and
 * `{}` for rows written before: nobody running now wrote them. Nullable and defaulted: no rewrite.
 * `attempts_updated`: a process reads back the attempts it wrote since an instant (`updated_at`).
 */
import type { Kysely, Migration } from "kysely"

type Db = Kysely<unknown>

export const attemptWriters = (): Migration => ({
  up: async (db: Db) => {
    await db.schema.alterTable("attempts").addColumn("sent_by", "text").execute()
    await db.schema.alterTable("attempts").addColumn("outcome_writers", "text", (c) => c.notNull().defaultTo("{}")).execute()
    await db.schema.createIndex("attempts_updated").on("attempts").column("updated_at").execute()
  },
  down: async (db: Db) => {
    await db.schema.dropIndex("attempts_updated").execute()
    await db.schema.alterTable("attempts").dropColumn("outcome_writers").execute()
    await db.schema.alterTable("attempts").dropColumn("sent_by").execute()
  }
})
