/**
 * Personal data past its retention is gone, everywhere (issue 19). The demo runs as a process
 * with a known key; the client's identifying values are read from the verifications' raw Truv
 * JSON (the profile's names, email, phone, SSN, and every bank account number); `recert redact
 * --before 2100-01-01` then removes what nothing still needs. Afterwards no value of a redacted
 * case is in the bytes of the SQLite file or its WAL, in any line the demo or the CLI printed
 * (logs included), or in the `--json` output of every reading command; values of cases an open
 * request or an undelivered event still holds are allowed only there. No access token is in clear
 * anywhere, before or after. SSNs and account numbers never appear beyond their last four.
 * Postgres: the same demo on a database of its own (`demo --db postgres://…`: the scheduler's
 * real run, webhooks and following days), the same redaction pass (`recert redact --db`), then
 * every table read back as text holds no value of a redacted case and no access token, and no
 * output printed one. Skipped with a printed reason when no Postgres answers, except under
 * `CI=true` (support/postgres.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlStore, Store } from "@recert/store"
import Database from "better-sqlite3"
import { Effect, Redacted } from "effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ProcessResult, runApp } from "./support/apps.js"
import { freshSchema, POSTGRES_URL, postgresReachable } from "./support/postgres.js"

const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 53 + 7) % 256)).toString("base64")
const env = { RECERT_ENCRYPTION_KEY: KEY, TRUV_SECRET: "prod-proof-secret-retention-41c2", TRUV_CLIENT_ID: "proof-client" }
const PROFILE_KEYS = new Set(["first_name", "last_name", "full_name", "email", "phone", "ssn"])

const dir = mkdtempSync(join(tmpdir(), "recert-proof-retention-"))
const dbPath = join(dir, ".recert", "demo.sqlite")
let demo: ProcessResult
let redact: ProcessResult
const outputs: Array<[string, string]> = []
const piiByCase = new Map<string, Set<string>>()
/** Verifications (`<case> <order>`) whose raw report was kept, and those whose raw report was redacted. */
let held = new Set<string>()
let redactedCases: Array<string> = []
let tokens: Array<string> = []
let files: Record<string, Buffer> = {}

/** The client's identifying values in a raw report: the profile's fields and every account number. */
const collect = (json: unknown, into: Set<string>, inProfile = false): void => {
  if (Array.isArray(json)) return json.forEach((x) => collect(x, into, inProfile))
  if (typeof json !== "object" || json === null) return
  for (const [k, v] of Object.entries(json)) {
    if (typeof v === "string" && v.length >= 3 && ((inProfile && PROFILE_KEYS.has(k)) || k === "account_number")) into.add(v)
    else collect(v, into, inProfile || k === "profile")
  }
}

const cli = async (name: string, args: ReadonlyArray<string>) => {
  const r = await runApp("admin-cli", [...args, "--db", dbPath], { cwd: dir, env, timeoutMs: 120_000 })
  outputs.push([`recert ${name}`, `${r.stdout}\n${r.stderr}`])
  return r
}

beforeAll(async () => {
  demo = await runApp("scheduler", ["demo", "--json", "--scale", "0.05", "--log-level", "all"], { cwd: dir, env, timeoutMs: 300_000 })
  outputs.push(["demo", `${demo.stdout}\n${demo.stderr}`])
  const reader = new Database(dbPath, { readonly: true })
  for (const row of reader.prepare("SELECT case_id, order_id, raw FROM verifications").all() as Array<{ case_id: string; order_id: string; raw: string }>) {
    const set = new Set<string>()
    collect(JSON.parse(row.raw), set)
    piiByCase.set(`${row.case_id} ${row.order_id}`, set)
  }
  const ids = (reader.prepare("SELECT id FROM connections ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id)
  reader.close()
  tokens = await Effect.runPromise(Effect.gen(function*() {
    const store = yield* Store
    return yield* Effect.forEach(ids, (id) => Effect.map(store.accessToken(id), Redacted.value))
  }).pipe(Effect.provide(SqlStore.layer({ url: dbPath, encryptionKey: Redacted.make(KEY), migrate: false }))))
  redact = await cli("redact", ["redact", "--before", "2100-01-01", "--json"])
  const report = JSON.parse(redact.stdout) as { redacted: Array<{ caseId: string; target: string; ref: string }> }
  // Per verification: a raw report redacted, or kept (held by an open request or an undelivered event).
  const rawGone = new Set(report.redacted.filter((p) => p.target === "verification.raw").map((p) => `${p.caseId} ${p.ref}`))
  held = new Set([...piiByCase.keys()].filter((k) => !rawGone.has(k)))
  redactedCases = [...rawGone]
  for (const suffix of ["", "-wal", "-journal"]) if (existsSync(dbPath + suffix)) files[`demo.sqlite${suffix}`] = readFileSync(dbPath + suffix)
  await cli("results", ["results", "--json"])
  await cli("queue", ["queue", "--json"])
  for (const c of [...new Set(redactedCases.map((k) => k.split(" ")[0]!))].slice(0, 3)) {
    for (const command of [["result", c], ["events", "--case", c], ["explain", c], ["ledger", c]]) await cli(command.join(" "), [...command, "--json"])
  }
  // The file as the last reader left it.
  files = Object.fromEntries(Object.entries(files).map(([name]) => [name, existsSync(join(dir, ".recert", name)) ? readFileSync(join(dir, ".recert", name)) : Buffer.alloc(0)]))
}, 600_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Values of redacted raw reports that no kept report shares (a kept report of the same client may hold the same name). */
const gone = (pii = piiByCase, kept = held, redactedOnes = redactedCases): Array<[string, string]> => {
  const allowed = new Set([...kept].flatMap((c) => [...pii.get(c) ?? []]))
  return redactedOnes.flatMap((c) => [...pii.get(c) ?? []].filter((v) => !allowed.has(v)).map((v): [string, string] => [c, v]))
}

describe("after the demo and a redaction pass (SQLite)", () => {
  it("the demo ran, the raw reports held client data, and the pass redacted cases", () => {
    expect({ demo: demo.code, redact: redact.code }).toEqual({ demo: 0, redact: 0 })
    expect(redactedCases.length).toBeGreaterThan(0)
    expect(gone().length).toBeGreaterThan(redactedCases.length)
    expect(tokens.length).toBeGreaterThan(0)
  })

  it("no value of a redacted case is left in the database file or its WAL", () => {
    const leaks = Object.entries(files).flatMap(([file, bytes]) => gone().filter(([, v]) => bytes.includes(Buffer.from(v, "utf8"))).map(([c, v]) => `${c}: ${v} in ${file}`))
    expect(leaks).toEqual([])
  })

  it("no client value of any case in the logs; none of a redacted case in any --json output", () => {
    const everyValue = [...piiByCase.values()].flatMap((s) => [...s])
    const inLogs = everyValue.filter((v) => `${demo.stdout}\n${demo.stderr}`.includes(v))
    expect(inLogs).toEqual([])
    const leaks = outputs.flatMap(([name, text]) => gone().filter(([, v]) => text.includes(v)).map(([c, v]) => `${c}: ${v} in ${name}`))
    expect(leaks).toEqual([])
    expect(outputs.filter(([, text]) => text.includes('"error"')).map(([name]) => name)).toEqual([])
  })

  it("no access token in clear anywhere; SSNs and account numbers only as their last four", () => {
    const places: Array<[string, string]> = [...outputs, ...Object.entries(files).map(([n, b]): [string, string] => [n, b.toString("latin1")])]
    expect(places.flatMap(([name, text]) => tokens.filter((t) => text.includes(t)).map(() => `an access token in ${name}`))).toEqual([])
    const identifiers = [...piiByCase.values()].flatMap((s) => [...s]).filter((v) => /\d{4}$/.test(v) && /^X{5}/.test(v) === false && /\d{5,}/.test(v))
    expect(identifiers).toEqual([])
  })
})

describe("Postgres: the demo on a database of its own, a redaction pass, then every table read back", () => {
  // A database of its own on the Postgres server, dropped after (as the admin CLI's Postgres tests).
  const name = freshSchema("proof_retention")
  const url = POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`)
  const pgDir = mkdtempSync(join(tmpdir(), "recert-proof-retention-pg-"))
  const pgOutputs: Array<[string, string]> = []
  const pgPii = new Map<string, Set<string>>()
  let skip: string | null = null
  let pgDemo: ProcessResult | null = null
  let pgRedact: ProcessResult | null = null
  let pgHeld = new Set<string>()
  let pgRedacted: Array<string> = []
  let pgTokens: Array<string> = []
  let dump = ""

  const admin = async <T>(f: (c: pg.Client) => Promise<T>, database = POSTGRES_URL): Promise<T> => {
    const client = new pg.Client({ connectionString: database })
    await client.connect()
    try {
      return await f(client)
    } finally {
      await client.end()
    }
  }

  beforeAll(async () => {
    skip = await postgresReachable()
    if (skip !== null) return
    await admin((c) => c.query(`CREATE DATABASE "${name}"`))
    pgDemo = await runApp("scheduler", ["demo", "--json", "--scale", "0.05", "--log-level", "all", "--db", url], { cwd: pgDir, env, timeoutMs: 300_000 })
    pgOutputs.push(["demo --db postgres", `${pgDemo.stdout}\n${pgDemo.stderr}`])
    const ids = await admin(async (c) => {
      for (const row of (await c.query<{ case_id: string; order_id: string; raw: string }>("SELECT case_id, order_id, raw FROM verifications")).rows) {
        const set = new Set<string>()
        collect(JSON.parse(row.raw), set)
        pgPii.set(`${row.case_id} ${row.order_id}`, set)
      }
      return (await c.query<{ id: string }>("SELECT id FROM connections ORDER BY id")).rows.map((r) => r.id)
    }, url)
    pgTokens = await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      return yield* Effect.forEach(ids, (id) => Effect.map(store.accessToken(id), Redacted.value))
    }).pipe(Effect.provide(SqlStore.layer({ url, encryptionKey: Redacted.make(KEY), migrate: false }))))
    pgRedact = await runApp("admin-cli", ["redact", "--before", "2100-01-01", "--json", "--db", url], { cwd: pgDir, env, timeoutMs: 120_000 })
    pgOutputs.push(["recert redact --db postgres", `${pgRedact.stdout}\n${pgRedact.stderr}`])
    const report = JSON.parse(pgRedact.stdout) as { redacted: Array<{ caseId: string; target: string; ref: string }> }
    const rawGone = new Set(report.redacted.filter((p) => p.target === "verification.raw").map((p) => `${p.caseId} ${p.ref}`))
    pgHeld = new Set([...pgPii.keys()].filter((k) => !rawGone.has(k)))
    pgRedacted = [...rawGone]
    for (const c of [...new Set(pgRedacted.map((k) => k.split(" ")[0]!))].slice(0, 2)) {
      for (const command of [["result", c], ["events", "--case", c]]) {
        const r = await runApp("admin-cli", [...command, "--json", "--db", url], { cwd: pgDir, env, timeoutMs: 120_000 })
        pgOutputs.push([`recert ${command.join(" ")} --db postgres`, `${r.stdout}\n${r.stderr}`])
      }
    }
    // Every table of the database, every row, as JSON text.
    dump = await admin(async (c) => {
      const tables = (await c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).rows.map((r) => r.table_name)
      return (await Promise.all(tables.map(async (t) => `${t}: ${JSON.stringify((await c.query(`SELECT * FROM "${t}"`)).rows)}`))).join("\n")
    }, url)
  }, 600_000)
  afterAll(async () => {
    rmSync(pgDir, { recursive: true, force: true })
    if (skip === null) await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
  })

  it("the demo ran on Postgres, its raw reports held client data, and the pass redacted cases", ({ skip: skipTest }) => {
    // Unreachable: support/postgres.ts printed why (and threw under CI=true).
    if (skip !== null) return skipTest()
    expect({ demo: pgDemo?.code, redact: pgRedact?.code }).toEqual({ demo: 0, redact: 0 })
    expect(pgRedacted.length).toBeGreaterThan(0)
    expect(gone(pgPii, pgHeld, pgRedacted).length).toBeGreaterThan(pgRedacted.length)
    expect(pgTokens.length).toBeGreaterThan(0)
    expect(dump).toContain("redactions: [{")
  })

  it("no value of a redacted case in any table; no access token in clear; SSNs and account numbers only as their last four", ({ skip: skipTest }) => {
    if (skip !== null) return skipTest()
    expect(gone(pgPii, pgHeld, pgRedacted).filter(([, v]) => dump.includes(v)).map(([c, v]) => `${c}: ${v} in the tables`)).toEqual([])
    expect(pgTokens.filter((t) => dump.includes(t)).map(() => "an access token in the tables")).toEqual([])
    expect([...pgPii.values()].flatMap((s) => [...s]).filter((v) => /\d{4}$/.test(v) && /^X{5}/.test(v) === false && /\d{5,}/.test(v))).toEqual([])
  })

  it("no client value in the logs; none of a redacted case in any --json output; no access token in any", ({ skip: skipTest }) => {
    if (skip !== null) return skipTest()
    const everyValue = [...pgPii.values()].flatMap((s) => [...s])
    expect(everyValue.filter((v) => pgOutputs[0]![1].includes(v))).toEqual([])
    expect(pgOutputs.flatMap(([n, text]) => gone(pgPii, pgHeld, pgRedacted).filter(([, v]) => text.includes(v)).map(([c, v]) => `${c}: ${v} in ${n}`))).toEqual([])
    expect(pgOutputs.flatMap(([n, text]) => pgTokens.filter((t) => text.includes(t)).map(() => `an access token in ${n}`))).toEqual([])
    expect(pgOutputs.filter(([, text]) => text.includes('"error"')).map(([n]) => n)).toEqual([])
  })
})
