/**
 * The `TruvBudget` contract (core's truv-budget-contract.ts, through `@recert/core/testing`) on the
 * SQL store, once per dialect. Postgres: every holder is a store of its own, with its own pool, on
 * one schema (workers on one database). SQLite: the holders share one store, as the processes of
 * one machine share one file but a process keeps one store per file (README); two processes on
 * one file are truv-budget-processes.test.ts.
 */
import { truvBudgetContract } from "@recert/core/testing"
import { Effect } from "effect"
import { SqlStore } from "../src/index.js"
import { checkDialect, DIALECTS } from "./support/dialects.js"
import { KEY } from "./support/fixtures.js"

for (const dialect of DIALECTS) {
  truvBudgetContract(`SQL store on ${dialect.name}`, (holders) => Effect.gen(function*() {
    const t = yield* Effect.acquireRelease(Effect.promise(() => dialect.create()), (t) => Effect.promise(() => t.cleanup()))
    const options = { url: t.url, encryptionKey: KEY, ...(t.schema !== undefined ? { schema: t.schema, poolSize: 2 } : {}) }
    const first = yield* SqlStore.makeTruvBudget(options)
    if (dialect.name === "sqlite") return Array.from({ length: holders }, () => first)
    const rest = yield* Effect.all(Array.from({ length: holders - 1 }, () => SqlStore.makeTruvBudget(options)))
    return [first, ...rest]
  }), { available: () => checkDialect(dialect) })
}
