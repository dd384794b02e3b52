/**
 * Secrets stay secret: the demo runs as a process, in a temporary directory, with known secret
 * values (the encryption key, a Truv secret in the environment), every log level switched on,
 * and none of them may appear in a line of stdout or stderr (logs, the report, any error), nor
 * in the bytes of the SQLite database or its WAL.
 *
 * The demo generates the sandbox's Truv secret itself (`sandbox-` + 32 hex digits) and the
 * sandbox generates the access tokens. The tokens are read back afterwards by decrypting them
 * with the known key through the store; the generated secret cannot be known, so its shape is
 * searched for instead. The clients' contacts the demo seeded (issue 16) are read back the same
 * way, and their emails and names may not appear on any output line either.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlStore, Store } from "@recert/store"
import Database from "better-sqlite3"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ProcessResult, runApp } from "./support/apps.js"

const KEY_BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256))
const ENCRYPTION_KEY = KEY_BYTES.toString("base64")
const TRUV_SECRET = "prod-proof-secret-5f1c0a9e7d3b4c2a"
const SANDBOX_SECRET_SHAPE = /sandbox-[0-9a-f]{32}/

const dir = mkdtempSync(join(tmpdir(), "recert-proof-secrets-"))
const dbPath = join(dir, ".recert", "demo.sqlite")
let run: ProcessResult
const files: Record<string, Buffer> = {}
let tokens: Array<string> = []
/** The clients' emails and full names the demo seeded (issue 16: personal data, never on any output line). */
let personal: Array<[string, string]> = []

beforeAll(async () => {
  run = await runApp("scheduler", ["demo", "--json", "--scale", "0.05", "--log-level", "all"], {
    cwd: dir, env: { RECERT_ENCRYPTION_KEY: ENCRYPTION_KEY, TRUV_SECRET, TRUV_CLIENT_ID: "proof-client" }, timeoutMs: 300_000
  })
  // The bytes first, before anything else opens the file (a checkpoint would move the WAL).
  for (const suffix of ["", "-wal", "-journal"]) if (existsSync(dbPath + suffix)) files[`demo.sqlite${suffix}`] = readFileSync(dbPath + suffix)
  const reader = new Database(dbPath, { readonly: true })
  const ids = (reader.prepare("SELECT id FROM connections ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id)
  const caseIds = (reader.prepare("SELECT case_id FROM case_contacts ORDER BY case_id").all() as Array<{ case_id: string }>).map((r) => r.case_id)
  reader.close()
  const read = await Effect.runPromise(Effect.gen(function*() {
    const store = yield* Store
    return {
      tokens: yield* Effect.forEach(ids, (id) => Effect.map(store.accessToken(id), Redacted.value)),
      contacts: yield* Effect.forEach(caseIds, (id) => Effect.map(store.caseContact(id), (c) => c === null ? null : Redacted.value(c)))
    }
  }).pipe(Effect.provide(SqlStore.layer({ url: dbPath, encryptionKey: Redacted.make(ENCRYPTION_KEY), migrate: false }))))
  tokens = read.tokens
  personal = read.contacts.flatMap((c, i): Array<[string, string]> => c === null ? [] : [
    ...(c.email === null ? [] : [[`client email #${i}`, c.email] as [string, string]]),
    [`client name #${i}`, `${c.firstName} ${c.lastName}`],
    [`client name, JSON #${i}`, `"lastName":"${c.lastName}"`]
  ])
}, 330_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const secrets = (): Array<[string, string]> => [
  ["RECERT_ENCRYPTION_KEY (base64)", ENCRYPTION_KEY],
  ["RECERT_ENCRYPTION_KEY (hex)", KEY_BYTES.toString("hex")],
  ["TRUV_SECRET", TRUV_SECRET],
  ...tokens.map((t, i): [string, string] => [`access token #${i}`, t])
]

describe("the demo with known secrets", () => {
  it("ran to the end and wrote a database with encrypted access tokens", () => {
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null })
    expect(Object.keys(files)).toContain("demo.sqlite")
    expect(tokens.length).toBeGreaterThan(0)
    expect(tokens.every((t) => t.length >= 8)).toBe(true)
  })

  it("prints no secret on stdout (the report) or stderr (every log line, any error)", () => {
    const lines = `${run.stdout}\n${run.stderr}`.split("\n")
    expect(lines.length).toBeGreaterThan(10)
    const leaks = lines.flatMap((line, n) => secrets().filter(([, value]) => line.includes(value)).map(([name]) => `${name} on output line ${n + 1}`))
    expect(leaks).toEqual([])
    expect(lines.filter((l) => SANDBOX_SECRET_SHAPE.test(l))).toEqual([])
  })

  it("prints no client's email or name on stdout or stderr (issue 16: personal data)", () => {
    expect(personal.length).toBeGreaterThan(10)
    const lines = `${run.stdout}\n${run.stderr}`.split("\n")
    const leaks = lines.flatMap((line, n) => personal.filter(([, value]) => line.includes(value)).map(([name]) => `${name} on output line ${n + 1}`))
    expect(leaks).toEqual([])
  })

  it("stores no secret in the bytes of the database file or its WAL", () => {
    const leaks = Object.entries(files).flatMap(([file, bytes]) => [
      ...secrets().filter(([, value]) => bytes.includes(Buffer.from(value, "utf8"))).map(([name]) => `${name} in ${file}`),
      ...(bytes.includes(KEY_BYTES) ? [`raw key bytes in ${file}`] : []),
      ...(SANDBOX_SECRET_SHAPE.test(bytes.toString("latin1")) ? [`a sandbox secret in ${file}`] : [])
    ])
    expect(leaks).toEqual([])
  })
})
