/**
 * Reservations per second: N cases (default 2,000), each with its own lineage; every case is
 * reserved once (a full reserve: lock, re-read, decide, audit, insert). Sequential, then with 8
 * concurrent fibers on one store (on SQLite they queue on the write lock; on Postgres they use
 * 8 pooled connections). `--url postgres://...` for Postgres.
 *
 *   node --import tsx --conditions=@recert/source packages/store/bench/reserve.ts --cases 2000
 */
import { Effect } from "effect"
import { rmSync } from "node:fs"
import { sql } from "kysely"
import { openDatabase, Store } from "../src/index.js"
import { arg, item, rate, seconds, sqliteFile, withStore } from "./common.js"

const cases = Number(arg("cases", "2000"))
const url = arg("url", sqliteFile("reserve"))
const postgres = url.startsWith("postgres")
const schema = postgres ? `recert_bench_${process.pid}` : undefined
const ids = (from: number, n: number) => Array.from({ length: n }, (_, k) => `case-${String(from + k).padStart(8, "0")}`)

const result = await withStore(url, Effect.gen(function*() {
  const store = yield* Store
  yield* store.insertBulk(Array.from({ length: 2 * cases }, (_, i) => item(i, 2)))
  const measure = (caseIds: ReadonlyArray<string>, concurrency: number) => Effect.gen(function*() {
    const started = performance.now()
    const cpu0 = process.cpuUsage()
    let reserved = 0
    yield* Effect.forEach(caseIds, (caseId) => Effect.map(store.reserve({ caseId, product: null }), (r) => { if (r.attempt !== null) reserved++ }), { concurrency, discard: true })
    const cpu = process.cpuUsage(cpu0)
    return { ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, reserved }
  })
  const sequential = yield* measure(ids(0, cases), 1)
  const concurrent = yield* measure(ids(cases, cases), 8)
  return { sequential, concurrent }
}), schema)

const name = postgres ? "postgres" : "sqlite"
console.log(`reserve on ${name}: ${cases.toLocaleString("en-US")} reservations (2 connections each)`)
const cpuOf = (r: { cpuMs: number }) => `; CPU ${seconds(r.cpuMs)} = ${(r.cpuMs / cases).toFixed(2)} ms/reservation (${rate(cases, r.cpuMs)} of CPU)`
console.log(`  sequential:    ${seconds(result.sequential.ms)} -> ${rate(cases, result.sequential.ms)} (${result.sequential.reserved} attempts)${cpuOf(result.sequential)}`)
console.log(`  8 concurrent:  ${seconds(result.concurrent.ms)} -> ${rate(cases, result.concurrent.ms)} (${result.concurrent.reserved} attempts)${cpuOf(result.concurrent)}`)
const perS = (r: { ms: number }) => Math.round(cases / (r.ms / 1000))
console.log(`BENCH ${JSON.stringify({
  name: `reserve-8-concurrent-${name}`, value: perS(result.concurrent), unit: "reservations/s", alternative: "sequential", altValue: perS(result.sequential),
  higherIsBetter: true, method: `full reserve (lock, re-read, decide, audit, attempt), ${cases} cases with 2 connections, one store, 8 fibers vs 1; wall time`
})}`)

if (schema !== undefined) {
  const { db } = openDatabase(url)
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
  await db.destroy()
} else for (const f of [url, `${url}-wal`, `${url}-shm`]) rmSync(f, { force: true })
