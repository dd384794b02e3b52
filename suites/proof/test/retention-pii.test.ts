/**
 * Personal data past its retention is gone, everywhere (issue 19). The demo runs as a process
 * with a known key; the client's identifying values are read from the verifications' raw Truv
 * JSON (the profile's names, email, phone, SSN, and every bank account number); `recert redact
 * --before 2100-01-01` then removes what nothing still needs. Afterwards no value of a redacted
 * case is in the bytes of the SQLite file or its WAL, in any line the demo or the CLI printed
 * (logs included), or in the `--json` output of every reading command; values of cases an open
 * request or an undelivered event still holds are allowed only there. No access token is in clear
 * anywhere, before or after. SSNs and account numbers never appear beyond their last four.
 * Postgres: the same redaction on a store of its own (the demo is SQLite only), then every table
 * read back as text holds none of the planted values.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { verificationRecord } from "@recert/core/testing"
import { SqlStore, Store } from "@recert/store"
import Database from "better-sqlite3"
import { Effect, Redacted } from "effect"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ProcessResult, runApp } from "./support/apps.js"
import { dropSchema, freshSchema, POSTGRES_URL, postgresReachable } from "./support/postgres.js"

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
const gone = (): Array<[string, string]> => {
  const allowed = new Set([...held].flatMap((c) => [...piiByCase.get(c) ?? []]))
  return redactedCases.flatMap((c) => [...piiByCase.get(c) ?? []].filter((v) => !allowed.has(v)).map((v): [string, string] => [c, v]))
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

describe("Postgres: the same redaction, then every table read back", () => {
  const PLANTED = { first_name: "Zelda", last_name: "Quintanilla-Proof", full_name: "Zelda Quintanilla-Proof", email: "zelda.proof@example.org", phone: "5035550199", ssn: "XXXXX4417" }
  const ACCOUNT = "XXXXX8321"
  let schema = ""
  let skip: string | null = null
  beforeAll(async () => {
    skip = await postgresReachable()
    schema = freshSchema("proof_retention")
  })
  afterAll(async () => {
    if (skip === null) await dropSchema(schema)
  })

  it("finds none of the planted values after `redact --case`", async () => {
    if (skip !== null) return
    const record = verificationRecord({ caseId: "case-pg", orderId: "ord-pg-1", fetchedAt: "2026-11-20T10:00:00.000Z" })
    await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      yield* store.insertLineage({
        rootOrderId: "root-pg", orderType: "income", gse: false, orderNumber: "N-pg", userId: "u-pg", orders: [{ id: "root-pg", parentId: null, createdAt: "2026-10-01T00:00:00.000Z" }],
        connections: [{ id: "link-pg", suborderId: "sub-pg", provider: "adp", authKind: "oauth", authenticatedAt: "2026-10-01T00:00:00.000Z", kind: "employer", suborderNumber: "1" }]
      }, { "link-pg": Redacted.make("access-token-pg-PLAINTEXT") })
      yield* store.insertCases([{ id: "case-pg", dueAt: "2026-12-01T00:00:00.000Z", cycle: "annual", rootOrderId: "root-pg" }])
      yield* store.saveVerification({ ...record, raw: { order: { id: "ord-pg-1", employers: [{ profile: PLANTED, bank_accounts: [{ account_number: ACCOUNT }] }] } } })
      const r = yield* store.redact({ scope: { caseId: "case-pg" }, reason: "proof", dryRun: false })
      expect(r.redacted.map((p) => p.target)).toEqual(["verification.raw", "outbox_events.payload"])
    }).pipe(Effect.provide(SqlStore.layer({ url: POSTGRES_URL, schema, encryptionKey: Redacted.make(KEY), create: true }))))
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    try {
      const tables = (await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema])).rows.map((r) => r.table_name)
      expect(tables).toContain("redactions")
      const dump = (await Promise.all(tables.map(async (t) => JSON.stringify((await client.query(`SELECT * FROM "${schema}"."${t}"`)).rows)))).join("\n")
      expect([...Object.values(PLANTED), ACCOUNT, "access-token-pg-PLAINTEXT"].filter((v) => dump.includes(v))).toEqual([])
      expect(dump).toContain('"reason":"proof"')
    } finally {
      await client.end()
    }
  })
})
