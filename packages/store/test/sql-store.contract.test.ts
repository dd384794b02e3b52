/**
 * The `RenewalStore` contract (core's renewal-store-contract.ts, imported as `@recert/core/testing`)
 * on the SQL store, once per dialect: SQLite, and Postgres (skipped when unreachable, except in CI
 * where `checkDialect` fails it). Each contract test gets a fresh database (SQLite file or Postgres
 * schema), seeded through `insertLineage`/`insertCases`.
 */
import { renewalStoreContract, tokenOf } from "@recert/core/testing"
import { Effect, Redacted } from "effect"
import { SqlStore } from "../src/index.js"
import { checkDialect, DIALECTS } from "./support/dialects.js"
import { KEY } from "./support/fixtures.js"

for (const dialect of DIALECTS) {
  renewalStoreContract(`SQL store on ${dialect.name}`, (seed) => Effect.gen(function*() {
    const t = yield* Effect.acquireRelease(Effect.promise(() => dialect.create()), (t) => Effect.promise(() => t.cleanup()))
    const store = yield* SqlStore.make({ url: t.url, encryptionKey: KEY, ...(t.schema !== undefined ? { schema: t.schema } : {}) })
    for (const l of seed.lineages) {
      yield* store.insertLineage(l, Object.fromEntries(l.connections.map((c) => [c.id, Redacted.make(tokenOf(c.id))])))
    }
    yield* store.insertCases(seed.cases.map((c) => ({ ...c, baseline: seed.baselines?.[c.id] ?? null })))
    return {
      store,
      results: (caseId: string) => store.listResults(caseId),
      decisionCount: (caseId: string) => Effect.map(store.decisionsForCase(caseId, 1_000), (d) => d.length)
    }
  }), { available: () => checkDialect(dialect) })
}
