/**
 * Core decisions against the straightforward alternative: for every connection, ask the database
 * (`SELECT count(*) FROM attempts ... WHERE connection = ? AND at > now - 24h`, plus the
 * connection row, the lineage's status and its refreshes in flight) and apply the rules by hand.
 * Recert loads each case's snapshot (case, lineage, ledger) a page at a time and decides in
 * memory with `decideAt`. Both run on the same database, and every connection's verdict must be
 * the same in both, or the benchmark fails.
 *
 * Figures: decisions/s of `decideAt` over snapshots already in memory, and of the whole path
 * (streamDueCases + decideAt), each against the per-connection SQL implementation; SQLite and,
 * when reachable, Postgres. Median of RUNS timed runs after a warm-up.
 *
 *   node --import tsx --conditions=@recert/source suites/proof/bench/decide-vs-sql.ts [--lineages 20000] [--pg-lineages 1000] [--runs 5]
 *   env: PROOF_BENCH_LINEAGES, PROOF_BENCH_PG_LINEAGES, PROOF_BENCH_RUNS
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CaseSnapshot, DEFAULT_POLICY_CONFIG, decideAt } from "@recert/core"
import { type BulkItem, generateEncryptionKey, openDatabase, SqlStore, Store } from "@recert/store"
import Database from "better-sqlite3"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { TestClock } from "effect/testing"
import { sql } from "kysely"
import pg from "pg"
import { POSTGRES_URL, postgresUp, report, size, timed } from "./common.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const iso = (ms: number) => new Date(ms).toISOString()
const RUNS = size("runs", "PROOF_BENCH_RUNS", 5)
const STATUSES = ["done", "done", "done", "done", "login_error", "account_locked", "no_data", null] as const

/** A deterministic generator (mulberry32), so both dialects get the same data. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Seeded { readonly items: Array<BulkItem>; readonly attempts: Array<{ id: string; caseId: string; root: string; at: number; status: string; links: Array<string> }> }

const generate = (lineages: number): Seeded => {
  const rnd = prng(42)
  const items: Array<BulkItem> = []
  const attempts: Seeded["attempts"] = []
  for (let i = 0; i < lineages; i++) {
    const root = `ord-${String(i).padStart(7, "0")}`
    const links = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, c) => `${root}-l${c}`)
    const connections = links.map((id, c) => {
      const auth = NOW - Math.floor(rnd() * 240) * DAY - HOUR
      const status = STATUSES[Math.floor(rnd() * STATUSES.length)]!
      return {
        id, suborderId: `${root}-e${c}`, provider: "adp", authKind: "oauth" as const, authenticatedAt: iso(auth),
        lastTaskStatus: status, lastStatusAt: status === null ? null : iso(Math.min(NOW - HOUR, auth + (rnd() < 0.8 ? DAY : -DAY)))
      }
    })
    const caseId = `case-${String(i).padStart(7, "0")}`
    items.push({
      lineage: { rootOrderId: root, orderType: "income", gse: false, orders: [{ id: root, parentId: null, createdAt: iso(NOW - 300 * DAY) }], connections },
      accessTokens: Object.fromEntries(links.map((l) => [l, Redacted.make(`tok-${l}`)])),
      cases: [{ id: caseId, dueAt: iso(NOW + (i % 30) * DAY), cycle: "annual", rootOrderId: root }]
    })
    // 0-5 past refreshes of every connection within the last 48 h; a few still in flight.
    const k = Math.floor(rnd() * 6)
    for (let a = 0; a < k; a++) {
      const status = rnd() < 0.03 ? "sent" : rnd() < 0.15 ? "rejected" : "succeeded"
      attempts.push({ id: `att-${i}-${a}`, caseId, root, at: NOW - Math.floor(rnd() * 48 * HOUR), status, links })
    }
  }
  return { items, attempts }
}

const seed = async (url: string, schema: string | undefined, data: Seeded): Promise<void> => {
  const layer = Layer.merge(SqlStore.layer({ url, encryptionKey: generateEncryptionKey(), ...(schema !== undefined ? { schema } : {}) }), TestClock.layer())
  await Effect.runPromise(Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    const store = yield* Store
    for (let i = 0; i < data.items.length; i += 2000) yield* store.insertBulk(data.items.slice(i, i + 2000))
  }).pipe(Effect.provide(layer)))
  const { db } = openDatabase(url, schema !== undefined ? { schema } : {})
  for (let i = 0; i < data.attempts.length; i += 500) {
    const chunk = data.attempts.slice(i, i + 500)
    await db.insertInto("attempts").values(chunk.map((a) => ({
      id: a.id, case_id: a.caseId, root_order_id: a.root, at: a.at, product: "income", status: a.status,
      order_id: a.status === "rejected" ? null : `ref-${a.id}`, rejection: a.status === "rejected" ? "refresh limit" : null,
      outcomes: JSON.stringify(a.status === "succeeded" ? Object.fromEntries(a.links.map((l) => [l, "done"])) : {}),
      resolved_at: a.status === "sent" ? null : a.at + 60_000, gse_free: 0, updated_at: a.at
    }))).execute()
    await db.insertInto("attempt_connections").values(chunk.flatMap((a) => a.links.map((l) => ({ attempt_id: a.id, connection_id: l, at: a.at })))).execute()
  }
  await db.destroy()
}

/** The straightforward implementation: the rules by hand, each input from its own query. */
interface Lookups {
  cases(): Promise<Array<{ id: string; root: string }>>
  connections(root: string): Promise<Array<string>>
  lineageStatus(root: string): Promise<string>
  inFlight(root: string): Promise<number>
  connection(id: string): Promise<{ auth_kind: string; authenticated_at: number; last_task_status: string | null; last_status_at: number | null }>
  countInWindow(id: string): Promise<number>
}

const NEEDS_USER = new Set(["login_error", "mfa_error", "unable_to_reset", "account_locked"])
const NO_DATA = new Set(["no_data", "not_supported", "config_error"])

const sqlVerdicts = async (q: Lookups): Promise<Map<string, string>> => {
  const out = new Map<string, string>()
  for (const c of await q.cases()) {
    const closed = (await q.lineageStatus(c.root)) !== "open"
    const inFlight = (await q.inFlight(c.root)) > 0
    for (const id of await q.connections(c.root)) {
      const conn = await q.connection(id)
      const used = await q.countInWindow(id)
      const status = conn.last_status_at !== null && conn.authenticated_at > conn.last_status_at ? null : conn.last_task_status
      const expired = conn.auth_kind === "oauth" && NOW >= conn.authenticated_at + 180 * DAY
      const verdict = closed ? "deny"
        : expired || (status !== null && NEEDS_USER.has(status)) ? "reauthenticate"
        : status !== null && NO_DATA.has(status) ? "new-order"
        : inFlight || used >= 3 ? "wait"
        : "refresh"
      out.set(`${c.id}/${id}`, verdict)
    }
  }
  return out
}

const sqliteLookups = (file: string): Lookups & { close(): void } => {
  const db = new Database(file, { readonly: true })
  const s = {
    cases: db.prepare("SELECT id, root_order_id AS root FROM cases WHERE due_at <= ? ORDER BY due_at, id"),
    connections: db.prepare("SELECT id FROM connections WHERE root_order_id = ? ORDER BY position"),
    lineage: db.prepare("SELECT status FROM orders WHERE id = ?"),
    inFlight: db.prepare("SELECT count(*) AS n FROM attempts WHERE root_order_id = ? AND product = 'income' AND status IN ('reserved','sent','unknown') AND at <= ?"),
    connection: db.prepare("SELECT auth_kind, authenticated_at, last_task_status, last_status_at FROM connections WHERE id = ?"),
    window: db.prepare("SELECT count(*) AS n FROM attempt_connections ac JOIN attempts a ON a.id = ac.attempt_id WHERE ac.connection_id = ? AND a.at > ? AND a.at <= ? AND a.status <> 'rejected'")
  }
  return {
    cases: () => Promise.resolve(s.cases.all(NOW + 90 * DAY) as Array<{ id: string; root: string }>),
    connections: (root) => Promise.resolve((s.connections.all(root) as Array<{ id: string }>).map((r) => r.id)),
    lineageStatus: (root) => Promise.resolve((s.lineage.get(root) as { status: string }).status),
    inFlight: (root) => Promise.resolve((s.inFlight.get(root, NOW) as { n: number }).n),
    connection: (id) => Promise.resolve(s.connection.get(id) as Awaited<ReturnType<Lookups["connection"]>>),
    countInWindow: (id) => Promise.resolve((s.window.get(id, NOW - DAY, NOW) as { n: number }).n),
    close: () => db.close()
  }
}

const postgresLookups = async (schema: string): Promise<Lookups & { close(): Promise<void> }> => {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  await client.query(`SET search_path TO "${schema}"`)
  const one = async <T>(text: string, values: Array<unknown>): Promise<T> => (await client.query({ text, values })).rows[0] as T
  return {
    cases: async () => (await client.query({ text: "SELECT id, root_order_id AS root FROM cases WHERE due_at <= $1 ORDER BY due_at, id", values: [NOW + 90 * DAY] })).rows as Array<{ id: string; root: string }>,
    connections: async (root) => (await client.query({ name: "conns", text: "SELECT id FROM connections WHERE root_order_id = $1 ORDER BY position", values: [root] })).rows.map((r: { id: string }) => r.id),
    lineageStatus: async (root) => (await one<{ status: string }>("SELECT status FROM orders WHERE id = $1", [root])).status,
    inFlight: async (root) => Number((await one<{ n: string }>("SELECT count(*) AS n FROM attempts WHERE root_order_id = $1 AND product = 'income' AND status IN ('reserved','sent','unknown') AND at <= $2", [root, NOW])).n),
    connection: async (id) => {
      const r = await one<{ auth_kind: string; authenticated_at: string; last_task_status: string | null; last_status_at: string | null }>(
        "SELECT auth_kind, authenticated_at, last_task_status, last_status_at FROM connections WHERE id = $1", [id])
      return { ...r, authenticated_at: Number(r.authenticated_at), last_status_at: r.last_status_at === null ? null : Number(r.last_status_at) }
    },
    countInWindow: async (id) => Number((await one<{ n: string }>(
      "SELECT count(*) AS n FROM attempt_connections ac JOIN attempts a ON a.id = ac.attempt_id WHERE ac.connection_id = $1 AND a.at > $2 AND a.at <= $3 AND a.status <> 'rejected'", [id, NOW - DAY, NOW])).n),
    close: () => client.end()
  }
}

const coreVerdicts = (snapshots: ReadonlyArray<CaseSnapshot>): Map<string, string> => {
  const out = new Map<string, string>()
  for (const s of snapshots) {
    const d = decideAt({ lineage: s.lineage, ledger: [...s.ledger], request: { products: ["income"] } }, NOW, DEFAULT_POLICY_CONFIG)
    for (const c of d.connections) out.set(`${s.case.id}/${c.connectionId}`, c.verdict)
  }
  return out
}

const bench = async (dialect: "SQLite" | "Postgres", lineages: number): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), "recert-proof-bench-"))
  const postgres = dialect === "Postgres"
  const url = postgres ? POSTGRES_URL : join(dir, "bench.sqlite")
  const schema = postgres ? `recert_proof_bench_${process.pid}` : undefined
  const data = generate(lineages)
  await seed(url, schema, data)
  const layer = Layer.merge(SqlStore.layer({ url, encryptionKey: generateEncryptionKey(), migrate: false, ...(schema !== undefined ? { schema } : {}) }), TestClock.layer())
  // One store for every run: the timed part is the stream, not opening the database.
  const runtime = ManagedRuntime.make(layer)
  await runtime.runPromise(TestClock.setTime(NOW))
  const streamAll = () => runtime.runPromise(Effect.gen(function*() {
    const store = yield* Store
    return yield* Stream.runCollect(store.streamDueCases({ until: iso(NOW + 90 * DAY), pageSize: 1000 }))
  }))
  const snapshots = [...await streamAll()]
  const memory = await timed(RUNS, () => coreVerdicts(snapshots))
  const whole = await timed(RUNS, async () => coreVerdicts([...await streamAll()]))
  await runtime.dispose()
  const lookups = postgres ? await postgresLookups(schema!) : sqliteLookups(url)
  const bySql = await timed(RUNS, () => sqlVerdicts(lookups))
  await Promise.resolve(lookups.close())

  const mismatches = [...memory.result].filter(([k, v]) => bySql.result.get(k) !== v)
  if (mismatches.length > 0 || memory.result.size !== bySql.result.size) {
    throw new Error(`verdicts differ on ${mismatches.length} of ${memory.result.size} connections (SQL saw ${bySql.result.size}), e.g. ${JSON.stringify(mismatches.slice(0, 5).map(([k, v]) => [k, v, bySql.result.get(k)]))}`)
  }
  const connections = memory.result.size
  const counts: Record<string, number> = {}
  for (const v of memory.result.values()) counts[v] = (counts[v] ?? 0) + 1
  console.log(`${dialect}: ${lineages.toLocaleString("en-US")} lineages, ${connections.toLocaleString("en-US")} connections, ${data.attempts.length.toLocaleString("en-US")} attempts; same verdicts both ways ${JSON.stringify(counts)}`)
  const perSec = (ms: number) => (snapshots.length / ms) * 1000
  const method = `median of ${RUNS} runs after a warm-up; ${lineages.toLocaleString("en-US")} cases with 1-3 connections and 0-5 refreshes in 48 h; per-connection verdicts checked equal`
  report({ name: `decisions/s, ${dialect}, snapshots in memory (decideAt)`, value: perSec(memory.ms), unit: "cases/s", alternative: "SQL per connection", altValue: perSec(bySql.ms), higherIsBetter: true, method })
  report({ name: `decisions/s, ${dialect}, streamDueCases + decideAt`, value: perSec(whole.ms), unit: "cases/s", alternative: "SQL per connection", altValue: perSec(bySql.ms), higherIsBetter: true, method })

  if (schema !== undefined) {
    const { db } = openDatabase(url)
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
    await db.destroy()
  }
  rmSync(dir, { recursive: true, force: true })
}

await bench("SQLite", size("lineages", "PROOF_BENCH_LINEAGES", 20_000))
if (await postgresUp()) await bench("Postgres", size("pg-lineages", "PROOF_BENCH_PG_LINEAGES", 1_000))
else console.warn(`Postgres at ${POSTGRES_URL} unreachable: the Postgres comparison is skipped`)
