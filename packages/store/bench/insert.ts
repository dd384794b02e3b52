/**
 * Bulk insert: N cases (default 1,000,000), each with its lineage (one order, one connection
 * whose access token is encrypted), through `Store.insertBulk` in batches of 10,000 (one
 * transaction each). SQLite by default; `--url postgres://...` for Postgres.
 *
 *   node --import tsx --conditions=@recert/source packages/store/bench/insert.ts --cases 1000000
 */
import { Effect } from "effect"
import { rmSync } from "node:fs"
import { Store } from "../src/index.js"
import { arg, item, rate, seconds, sqliteFile, withStore } from "./common.js"

const cases = Number(arg("cases", "1000000"))
const batch = 10_000
const url = arg("url", sqliteFile("insert"))
const schema = url.startsWith("postgres") ? `recert_bench_${process.pid}` : undefined
const keep = process.argv.includes("--keep")

const started = performance.now()
// Time spent inside insertBulk (validation with core's zod schemas, token encryption, SQL), apart
// from generating the test data.
let storeMs = 0
await withStore(url, Effect.gen(function*() {
  const store = yield* Store
  for (let i = 0; i < cases; i += batch) {
    const items = Array.from({ length: Math.min(batch, cases - i) }, (_, k) => item(i + k))
    const t0 = performance.now()
    yield* store.insertBulk(items)
    storeMs += performance.now() - t0
  }
}), schema)
const elapsed = performance.now() - started
console.log(`insert: ${cases.toLocaleString("en-US")} cases with their lineages (1 order + 1 connection each) on ${url.startsWith("postgres") ? "postgres" : "sqlite"}: ` +
  `${seconds(storeMs)} in insertBulk (${rate(cases, storeMs)} cases), ${seconds(elapsed)} wall including data generation`)
if (schema !== undefined) {
  const { openDatabase } = await import("../src/index.js")
  const { sql } = await import("kysely")
  const { db } = openDatabase(url)
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
  await db.destroy()
} else if (!keep) for (const f of [url, `${url}-wal`, `${url}-shm`]) rmSync(f, { force: true })
else console.log(`kept ${url}`)
