/**
 * Nothing destroys or hides the ledger, and operator mistakes are one line, as processes: the
 * demo never touches `.recert/recert.sqlite`; `run --db <typo>` creates nothing (exit 2); a key
 * of another database, a key file that is a directory, a directory or a non-database as `--db`, a
 * webhook host that does not resolve are configuration (exit 2); a Postgres server that does not
 * answer and a port in use are runtime (exit 1). Every message is one line naming the culprit,
 * never a stack trace.
 */
import { createServer, type Server } from "node:net"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateEncryptionKey, SqlStore } from "@recert/store"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type App, freePort, inPool, type ProcessResult, runApp } from "../support/apps.js"
import { digestSqlite, type TableDigest } from "../support/digest.js"

const dir = mkdtempSync(join(tmpdir(), "recert-proof-ledger-"))
const db = join(dir, "recert.sqlite")
const key = Redacted.value(generateEncryptionKey())
const otherKey = Redacted.value(generateEncryptionKey())
const truv = { TRUV_CLIENT_ID: "c", TRUV_SECRET: "s", TRUV_BASE_URL: "http://127.0.0.1:9" }
const demoCwd = join(dir, "demo-cwd")
const keyDir = join(dir, "keydir")
let busy: Server
let busyPort = 0

interface Invocation { readonly app: App; readonly args: ReadonlyArray<string>; readonly env?: Record<string, string>; readonly cwd?: string }
const invocations = (): Record<string, Invocation> => ({
  runTypo: { app: "scheduler", args: ["run", "--db", join(dir, "recert.sqlit")], env: { ...truv, RECERT_ENCRYPTION_KEY: key } },
  runOtherKey: { app: "scheduler", args: ["run", "--db", db], env: { ...truv, RECERT_ENCRYPTION_KEY: otherKey } },
  runKeyFileDirectory: { app: "scheduler", args: ["run", "--db", join(keyDir, "recert.sqlite")], env: truv },
  runDbDirectory: { app: "scheduler", args: ["run", "--db", dir], env: { ...truv, RECERT_ENCRYPTION_KEY: key } },
  runNotDatabase: { app: "scheduler", args: ["run", "--db", join(dir, "notes.txt")], env: { ...truv, RECERT_ENCRYPTION_KEY: key } },
  runPostgresDown: { app: "scheduler", args: ["run", "--db", "postgres://recert:hunter2@127.0.0.1:9/recert"], env: { ...truv, RECERT_ENCRYPTION_KEY: key } },
  servePortInUse: { app: "scheduler", args: ["serve", "--db", db, "--port", String(busyPort), "--host", "127.0.0.1", "--interval", "1h"], env: { ...truv, RECERT_ENCRYPTION_KEY: key } },
  serveBadHost: { app: "scheduler", args: ["serve", "--db", db, "--port", "0", "--host", "no-such-host.invalid", "--interval", "1h"], env: { ...truv, RECERT_ENCRYPTION_KEY: key } },
  cliDbDirectory: { app: "admin-cli", args: ["due", "--db", dir] },
  cliNotDatabase: { app: "admin-cli", args: ["due", "--db", join(dir, "notes.txt")] },
  cliOtherKey: { app: "admin-cli", args: ["due", "--db", db], env: { RECERT_ENCRYPTION_KEY: otherKey } },
  demo: { app: "scheduler", args: ["demo", "--scale", "0.02", "--json"], cwd: demoCwd }
})

const results = new Map<string, ProcessResult>()
let before: TableDigest = {}
let demoBefore: TableDigest = {}

beforeAll(async () => {
  await Effect.runPromise(Effect.scoped(Layer.build(SqlStore.layer({ url: db, encryptionKey: Redacted.make(key) }))))
  mkdirSync(join(keyDir, "encryption.key"), { recursive: true })
  await Effect.runPromise(Effect.scoped(Layer.build(SqlStore.layer({ url: join(keyDir, "recert.sqlite"), encryptionKey: Redacted.make(key) }))))
  writeFileSync(join(dir, "notes.txt"), "not a database\n".repeat(100))
  mkdirSync(join(demoCwd, ".recert"), { recursive: true })
  await Effect.runPromise(Effect.scoped(Layer.build(SqlStore.layer({ url: join(demoCwd, ".recert", "recert.sqlite"), encryptionKey: Redacted.make(key) }))))
  writeFileSync(join(demoCwd, ".recert", "encryption.key"), `${key}\n`)
  busyPort = await freePort()
  busy = createServer()
  await new Promise<void>((resolve) => busy.listen(busyPort, "127.0.0.1", resolve))
  before = digestSqlite(db)
  demoBefore = digestSqlite(join(demoCwd, ".recert", "recert.sqlite"))
  await inPool(3, Object.entries(invocations()).map(([name, inv]) => async () => {
    const r = await runApp(inv.app, inv.args, { cwd: inv.cwd ?? dir, env: inv.env ?? {}, timeoutMs: 240_000 })
    if (r.signal !== null) throw new Error(`${name}: killed by ${r.signal}; stderr: ${r.stderr}`)
    results.set(name, r)
  }))
}, 480_000)
afterAll(() => { busy.close(); rmSync(dir, { recursive: true, force: true }) })

const oneLine = (name: string, code: number, says: ReadonlyArray<string>) => {
  const r = results.get(name)!
  expect({ name, code: r.code }).toEqual({ name, code })
  expect(r.stderr).not.toMatch(/\n\s+at /)
  expect(r.stderr).not.toContain("hunter2")
  expect(r.stderr.trim().split("\n").filter((l) => !l.startsWith("invalid configuration:")).length).toBe(1)
  for (const s of says) expect(r.stderr).toContain(s)
}

describe("nothing destroys or hides the ledger", () => {
  it("the demo writes .recert/demo.sqlite and leaves .recert/recert.sqlite byte for byte", () => {
    expect(results.get("demo")!.code).toBe(0)
    expect(existsSync(join(demoCwd, ".recert", "demo.sqlite"))).toBe(true)
    expect(digestSqlite(join(demoCwd, ".recert", "recert.sqlite"))).toEqual(demoBefore)
  })

  it("run --db <typo>: exit 2, nothing created", () => {
    oneLine("runTypo", 2, [`database ${join(dir, "recert.sqlit")}: no such database file`, "--create"])
    expect(existsSync(join(dir, "recert.sqlit"))).toBe(false)
  })

  it("a key of another database: exit 2 naming the key source and the database, nothing written", () => {
    oneLine("runOtherKey", 2, ["encryption key (RECERT_ENCRYPTION_KEY) is not the key of the database", db])
    oneLine("cliOtherKey", 2, ["RECERT_ENCRYPTION_KEY", db])
    expect(digestSqlite(db)).toEqual(before)
  })
})

describe("operator mistakes: one line, exit 2 for configuration, 1 for runtime", () => {
  it("a key file that is a directory (looked up beside the database)", () => oneLine("runKeyFileDirectory", 2, [`${join(keyDir, "encryption.key")}: is a directory`]))
  it("a directory as --db", () => { oneLine("runDbDirectory", 2, [`${dir}: is a directory`]); oneLine("cliDbDirectory", 2, ["is a directory"]) })
  it("a non-database as --db", () => { oneLine("runNotDatabase", 2, ["not a SQLite database"]); oneLine("cliNotDatabase", 2, ["not a SQLite database"]) })
  it("a Postgres server that does not answer", () => oneLine("runPostgresDown", 1, ["postgres://recert:***@127.0.0.1:9/recert", "refused the connection"]))
  it("a webhook port in use", () => oneLine("servePortInUse", 1, [`webhook port ${busyPort} on 127.0.0.1 is in use`]))
  it("a webhook host that does not resolve", () => oneLine("serveBadHost", 2, ["webhook host no-such-host.invalid", "does not resolve"]))
})
