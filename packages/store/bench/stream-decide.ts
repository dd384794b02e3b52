/**
 * Streaming the due cases and deciding each with core, against a bare SELECT of the same rows
 * (the same keyset page queries, rows left as the driver returns them). The bar: under 2x.
 * Seeds N cases first (default 200,000); SQLite by default, `--url postgres://...` for Postgres.
 *
 *   node --import tsx --conditions=@recert/source packages/store/bench/stream-decide.ts --cases 200000
 */
import { DEFAULT_POLICY_CONFIG, decideAt } from "@recert/core"
import { Effect, Stream } from "effect"
import { rmSync } from "node:fs"
import { sql } from "kysely"
import { type CaseRow, duePage, openDatabase, Store } from "../src/index.js"
import { arg, item, NOW, rate, seconds, sqliteFile, withStore } from "./common.js"

const cases = Number(arg("cases", "200000"))
const pageSize = Number(arg("page", "1000"))
const url = arg("url", sqliteFile("stream"))
const postgres = url.startsWith("postgres")
const schema = postgres ? `recert_bench_${process.pid}` : undefined
const until = NOW + 90 * 86_400_000

await withStore(url, Effect.gen(function*() {
  const store = yield* Store
  for (let i = 0; i < cases; i += 10_000) yield* store.insertBulk(Array.from({ length: Math.min(10_000, cases - i) }, (_, k) => item(i + k)))
}), schema)

const { db } = openDatabase(url, schema !== undefined ? { schema } : {})
const bare = async (): Promise<number> => {
  let after: { dueAt: number; id: string } | null = null
  let n = 0
  for (;;) {
    const rows: Array<CaseRow> = await duePage(db, until, pageSize, after).execute()
    if (rows.length === 0) break
    const roots = rows.map((r) => r.root_order_id)
    await Promise.all([
      db.selectFrom("orders").selectAll().where("root_order_id", "in", roots).execute(),
      db.selectFrom("connections").selectAll().where("root_order_id", "in", roots).execute(),
      db.selectFrom("attempts").innerJoin("attempt_connections as ac", "ac.attempt_id", "attempts.id")
        .selectAll("attempts").select("ac.connection_id").where("attempts.root_order_id", "in", roots).execute()
    ])
    n += rows.length
    const last = rows.at(-1)!
    after = { dueAt: last.due_at, id: last.id }
    if (rows.length < pageSize) break
  }
  return n
}

const decided = () => withStore(url, Effect.gen(function*() {
  const store = yield* Store
  let n = 0
  let refresh = 0
  yield* Stream.runForEach(store.streamDueCases({ until: new Date(until).toISOString(), pageSize }), (s) => Effect.sync(() => {
    const decision = decideAt({ lineage: s.lineage, ledger: [...s.ledger], request: { products: [s.case.product ?? s.lineage.orderType] } }, NOW, DEFAULT_POLICY_CONFIG)
    n++
    if (decision.verdict === "refresh") refresh++
  }))
  return { n, refresh }
}), schema)

const time = async <A>(f: () => Promise<A>): Promise<[A, number]> => {
  const started = performance.now()
  const a = await f()
  return [a, performance.now() - started]
}

// Warm both paths once, then take the median of 3 runs of each, interleaved (the machine is shared).
await bare()
await decided()
const bareTimes: Array<number> = []
const fullTimes: Array<number> = []
let count = 0
let refreshes = 0
for (let i = 0; i < 3; i++) {
  const [n, tb] = await time(bare)
  const [r, tf] = await time(decided)
  bareTimes.push(tb)
  fullTimes.push(tf)
  count = n
  refreshes = r.refresh
  if (r.n !== n) throw new Error(`streamed ${r.n} cases but the bare select returned ${n}`)
}
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const tb = median(bareTimes)
const tf = median(fullTimes)
console.log(`stream+decide on ${postgres ? "postgres" : "sqlite"}: ${count.toLocaleString("en-US")} due cases (${refreshes.toLocaleString("en-US")} refresh), page ${pageSize}`)
console.log(`  bare SELECT of the same rows: ${seconds(tb)} (${rate(count, tb)})`)
console.log(`  streamDueCases + decideAt:    ${seconds(tf)} (${rate(count, tf)})`)
console.log(`  ratio: ${(tf / tb).toFixed(2)}x (bar: < 2x)`)
console.log(`BENCH ${JSON.stringify({
  name: `stream-decide-vs-select-${postgres ? "postgres" : "sqlite"}`, value: Math.round(count / (tf / 1000)), unit: "cases/s",
  alternative: "bare SELECT", altValue: Math.round(count / (tb / 1000)), higherIsBetter: true,
  method: `streamDueCases + decideAt vs the same keyset page queries, ${count} due cases, page ${pageSize}, median of 3 after a warm-up`
})}`)

if (schema !== undefined) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
await db.destroy()
if (!postgres) for (const f of [url, `${url}-wal`, `${url}-shm`]) rmSync(f, { force: true })
