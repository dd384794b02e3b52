/**
 * Runs every store benchmark on SQLite, and on Postgres when it is reachable, printing figures.
 * Sizes: `--cases` for the insert bench (default 1,000,000), `--stream-cases` for planning (default
 * 1,000,000), `--reserve-cases` (default 2,000). Postgres runs at most 100,000 of the insert and
 * stream sizes. `--only stream` (or `insert`, `reserve`, comma-separated) runs only those benches.
 */
import { spawnSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { arg, POSTGRES_URL } from "./common.js"

const here = dirname(fileURLToPath(import.meta.url))
const reserves = new Map<string, { value: number; altValue: number }>()
const bench = (file: string, args: ReadonlyArray<string>) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--conditions=@recert/source", join(here, file), ...args],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 64 * 2 ** 20 })
  process.stdout.write(r.stdout ?? "")
  if (r.status !== 0) throw new Error(`${file} failed (${r.status})`)
  for (const line of (r.stdout ?? "").split("\n")) {
    const m = /^BENCH (\{.*"name":"reserve-8-concurrent-(\w+)".*\})$/.exec(line)
    if (m !== null) reserves.set(m[2]!, JSON.parse(m[1]!) as { value: number; altValue: number })
  }
}
const postgresUp = async (): Promise<boolean> => {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 })
  try { await client.connect(); return true } catch { return false } finally { await client.end().catch(() => undefined) }
}

const insertCases = arg("cases", "1000000")
const streamCases = arg("stream-cases", "1000000")
const reserveCases = arg("reserve-cases", "2000")
const only = arg("only", "insert,stream,reserve").split(",")
/** Postgres runs at most this many cases in the insert and stream benches (a local server on a shared machine). */
const POSTGRES_CAP = 100_000
const started = performance.now()
if (only.includes("insert")) bench("insert.ts", ["--cases", insertCases])
if (only.includes("stream")) bench("stream-decide.ts", ["--cases", streamCases])
if (only.includes("reserve")) bench("reserve.ts", ["--cases", reserveCases])
if (await postgresUp()) {
  const capped = (n: string) => String(Math.min(Number(n), POSTGRES_CAP))
  if (only.includes("insert")) bench("insert.ts", ["--cases", capped(insertCases), "--url", POSTGRES_URL])
  if (only.includes("stream")) {
    if (Number(streamCases) > POSTGRES_CAP) {
      console.log(`(Postgres is capped at ${POSTGRES_CAP.toLocaleString("en-US")} cases: its stream bench plans ${Number(capped(streamCases)).toLocaleString("en-US")}, SQLite's ${Number(streamCases).toLocaleString("en-US")})`)
    }
    bench("stream-decide.ts", ["--cases", capped(streamCases), "--url", POSTGRES_URL])
  }
  if (only.includes("reserve")) bench("reserve.ts", ["--cases", reserveCases, "--url", POSTGRES_URL])
} else console.warn(`Postgres at ${POSTGRES_URL} unreachable: Postgres benchmarks skipped`)

// The headline comparison needs both dialects: SQLite's reservations/s with Postgres' as the alternative.
const lite = reserves.get("sqlite")
const pgr = reserves.get("postgres")
if (lite !== undefined && pgr !== undefined) {
  const method = `full reserve, ${reserveCases} cases with 2 connections, one store; wall time; the same bench on each dialect`
  console.log(`BENCH ${JSON.stringify({ name: "reservations-per-s-8-concurrent-sqlite", value: lite.value, unit: "reservations/s", alternative: "postgres", altValue: pgr.value, higherIsBetter: true, method: `${method}, 8 fibers` })}`)
  console.log(`BENCH ${JSON.stringify({ name: "reservations-per-s-sequential-sqlite", value: lite.altValue, unit: "reservations/s", alternative: "postgres", altValue: pgr.altValue, higherIsBetter: true, method: `${method}, one at a time` })}`)
}
console.log(`store benchmarks: ${((performance.now() - started) / 1000).toFixed(1)} s wall`)
