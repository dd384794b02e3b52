/**
 * Bad command lines, bad configuration and malformed imports, fed to both apps as processes.
 * The requirement: a clear message naming the culprit, exit code 2 for a wrong command line or
 * configuration, the documented exit code (1, "the command ran and could not do it") for a
 * refused import, and the database byte-for-byte unchanged.
 *
 * The processes run three at a time in `beforeAll` (each one pays a Node + tsx start-up), and
 * each test reads its own result.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type App, inPool, type ProcessResult, runApp } from "../support/apps.js"
import { DEFECTS, SEED_CASES, SEED_LINEAGE, toCsv, toJson, validRows } from "../support/case-files.js"
import { digestSqlite, type TableDigest } from "../support/digest.js"

/**
 * These files' defects are the case's own (dates, cycles, products, columns); their rows carry no
 * client contact, which the default reach mode (truv-sends, issue 16) would also refuse on every
 * row. Under `bridge` no contact is required, so each run reports exactly its file's defects; the
 * contact's own bad input is apps/admin-cli/test/store-commands.test.ts's.
 */
const CASE_DEFECTS_ONLY = { RECERT_CLIENT_REACH: "bridge" }

const dir = mkdtempSync(join(tmpdir(), "recert-proof-cli-"))
const db = join(dir, "recert.sqlite")
const key = Redacted.value(generateEncryptionKey())

interface Invocation { readonly app: App; readonly args: ReadonlyArray<string>; readonly env?: Record<string, string> }

const INVOCATIONS = {
  importCsv: { app: "admin-cli", args: ["cases", "import", join(dir, "bad.csv"), "--db", db], env: { RECERT_ENCRYPTION_KEY: key, ...CASE_DEFECTS_ONLY } },
  importJson: { app: "admin-cli", args: ["cases", "import", join(dir, "bad.json"), "--db", db, "--json"], env: { RECERT_ENCRYPTION_KEY: key, ...CASE_DEFECTS_ONLY } },
  importUnknownFormat: { app: "admin-cli", args: ["cases", "import", join(dir, "cases.txt"), "--db", db] },
  cliBadDuration: { app: "admin-cli", args: ["due", "--within", "3 fortnights", "--db", db] },
  cliBadInstant: { app: "admin-cli", args: ["explain", SEED_CASES[0]!, "--at", "2026-13-45", "--db", db] },
  cliUnknownCommand: { app: "admin-cli", args: ["refresh-everything"] },
  cliBadKey: { app: "admin-cli", args: ["due", "--db", db], env: { RECERT_ENCRYPTION_KEY: "not-a-key" } },
  schedulerBadScale: { app: "scheduler", args: ["demo", "--scale", "lots"] },
  schedulerUnknownCommand: { app: "scheduler", args: ["refresh-everything"] },
  schedulerBadKey: { app: "scheduler", args: ["demo", "--json"], env: { RECERT_ENCRYPTION_KEY: "not-a-key" } },
  schedulerBadConfigFile: { app: "scheduler", args: ["run", "--config", join(dir, "scheduler.json"), "--db", db], env: { TRUV_CLIENT_ID: "c", TRUV_SECRET: "s", RECERT_ENCRYPTION_KEY: key } },
  schedulerBadEnv: { app: "scheduler", args: ["run", "--db", db], env: { RECERT_CONCURRENCY: "lots", TRUV_CLIENT_ID: "c", TRUV_SECRET: "s", RECERT_ENCRYPTION_KEY: key } },
  schedulerNoTruv: { app: "scheduler", args: ["run", "--db", db], env: { RECERT_ENCRYPTION_KEY: key } },
  decideMisspeltPolicy: { app: "admin-cli", args: ["decide", "--input", join(dir, "input.json"), "--at", "2026-11-22T10:00:00Z", "--policy", join(dir, "policy.json")] },
  planMisspeltPolicy: { app: "admin-cli", args: ["plan", "--at", "2026-11-22T10:00:00Z", "--policy", join(dir, "policy.json"), "--db", db] },
  decideHugePolicy: { app: "admin-cli", args: ["decide", "--input", join(dir, "input.json"), "--at", "2026-11-22T10:00:00Z", "--policy", join(dir, "huge.json")] },
  importJsonl: { app: "admin-cli", args: ["cases", "import", join(dir, "bad.jsonl"), "--db", db], env: { RECERT_ENCRYPTION_KEY: key, ...CASE_DEFECTS_ONLY } },
  importProduct: { app: "admin-cli", args: ["cases", "import", join(dir, "product.jsonl"), "--db", db], env: { RECERT_ENCRYPTION_KEY: key, ...CASE_DEFECTS_ONLY } },
  importMany: { app: "admin-cli", args: ["cases", "import", join(dir, "many.csv"), "--db", db], env: { RECERT_ENCRYPTION_KEY: key, ...CASE_DEFECTS_ONLY } },
  explainEscape: { app: "admin-cli", args: ["explain", "case\u001b[2J", "--db", db] }
} satisfies Record<string, Invocation>

const results = new Map<keyof typeof INVOCATIONS, ProcessResult>()
let before: TableDigest = {}
// Defects planted in the import files: a bad instant on CSV line 4, an unknown lineage on JSON line 3.
const csvDefect = DEFECTS.find((d) => d.name === "bad instant")!
const jsonDefect = DEFECTS.find((d) => d.name === "unknown lineage")!

beforeAll(async () => {
  await Effect.runPromise(Effect.gen(function*() {
    const store = yield* Store
    yield* store.insertLineage({
      rootOrderId: SEED_LINEAGE, orderType: "income",
      orders: [{ id: SEED_LINEAGE, parentId: null, createdAt: "2026-09-01T00:00:00Z" }],
      connections: [{ id: "link-seed", suborderId: "emp-seed", provider: "adp", authKind: "oauth", authenticatedAt: "2026-09-01T00:00:00Z" }]
    }, { "link-seed": Redacted.make("tok-seed") })
    yield* store.insertCases(SEED_CASES.map((id) => ({ id, dueAt: "2026-12-01T00:00:00Z", cycle: "annual" as const, rootOrderId: SEED_LINEAGE })))
  }).pipe(Effect.provide(SqlStore.layer({ url: db, encryptionKey: Redacted.make(key) }))))
  writeFileSync(join(dir, "bad.csv"), toCsv(validRows(5, "cli"), 2, csvDefect))
  writeFileSync(join(dir, "bad.json"), toJson(validRows(5, "cli"), 1, jsonDefect))
  writeFileSync(join(dir, "cases.txt"), "id,dueAt\n")
  writeFileSync(join(dir, "scheduler.json"), JSON.stringify({ concurrency: 4, colour: "blue" }))
  writeFileSync(join(dir, "input.json"), JSON.stringify({
    lineage: { rootOrderId: "o1", orderType: "income", orders: [{ id: "o1", parentId: null, createdAt: "2026-09-01T00:00:00Z" }],
      connections: [{ id: "l1", suborderId: "s1", provider: "adp", authKind: "oauth", authenticatedAt: "2026-09-01T00:00:00Z" }] },
    request: { products: ["income"] }
  }))
  writeFileSync(join(dir, "policy.json"), JSON.stringify({ rateWindow: { limt: 1 } }))
  writeFileSync(join(dir, "huge.json"), JSON.stringify({ oauthValidityDays: 1e9 }))
  // JSON Lines behind a byte-order mark: a future lastVerifiedAt (line 2), an escape in an id
  // (line 3), a key in the wrong case (line 4); and a product the income lineage cannot refresh.
  const jsonl = (patch: Record<string, unknown>) => JSON.stringify({ id: "j-ok", dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: SEED_LINEAGE, ...patch })
  writeFileSync(join(dir, "bad.jsonl"), "\uFEFF" + [
    jsonl({ id: "j-1" }), jsonl({ id: "j-2", lastVerifiedAt: "2999-01-01T00:00:00Z" }), jsonl({ id: "j-\u001b[31m" }),
    jsonl({ id: "j-4", DueAt: "2026-12-01T00:00:00Z" })
  ].join("\n") + "\n")
  writeFileSync(join(dir, "product.jsonl"), [jsonl({ id: "p-1" }), jsonl({ id: "p-2", product: "assets" })].join("\n"))
  writeFileSync(join(dir, "many.csv"), ["id,dueAt,cycle,rootOrderId", ...Array.from({ length: 70 }, (_, i) => `m-${i},never,annual,${SEED_LINEAGE}`)].join("\n") + "\n")
  before = digestSqlite(db)
  const demoDir = mkdtempSync(join(dir, "demo-"))
  await inPool(3, Object.entries(INVOCATIONS).map(([name, inv]: [string, Invocation]) => async () => {
    const r = await runApp(inv.app, inv.args, { cwd: inv.app === "scheduler" ? demoDir : dir, env: { ...(inv.env ?? {}) }, timeoutMs: 240_000 })
    if (r.signal !== null) throw new Error(`${name}: killed by ${r.signal} (timed out); stderr: ${r.stderr}`)
    results.set(name as keyof typeof INVOCATIONS, r)
  }))
}, 480_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const result = (name: keyof typeof INVOCATIONS): ProcessResult => results.get(name)!

describe("recert cases import: malformed files", () => {
  it("CSV: exit 1, the line and field of the defect, database unchanged", () => {
    const r = result("importCsv")
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("nothing was written")
    expect(r.stderr).toContain("line 4, dueAt:")
    expect(digestSqlite(db)).toEqual(before)
  })

  it("JSON with --json: exit 1, the documented error shape naming line 3 and rootOrderId, database unchanged", () => {
    const r = result("importJson")
    expect(r.code).toBe(1)
    const error = (JSON.parse(r.stderr) as { error: { code: string; issues: Array<{ line: number; path: string }> } }).error
    expect(error.code).toBe("import-refused")
    expect(error.issues).toEqual([expect.objectContaining({ line: 3, path: "rootOrderId" })])
    expect(digestSqlite(db)).toEqual(before)
  })

  it("a file whose format cannot be told: exit 2 naming the file", () => {
    const r = result("importUnknownFormat")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("cases.txt")
    expect(digestSqlite(db)).toEqual(before)
  })
})

describe("recert cases import: format rules", () => {
  it("JSON Lines with a BOM: every problem in line order, the escape named not printed, exit 1, database unchanged", () => {
    const r = result("importJsonl")
    expect(r.code).toBe(1)
    const lines = r.stderr.trim().split("\n")
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}line 2, lastVerifiedAt: in the future \(2999-01-01T00:00:00Z is after the import at /),
      "  line 3, id: control character \\x1b in an id (terminal escapes and line breaks are refused)",
      "  line 4, DueAt: unknown key (did you mean dueAt?)"
    ])
    expect(r.stderr).not.toContain("\u001b")
    expect(digestSqlite(db)).toEqual(before)
  })

  it("a product the lineage's order type cannot refresh: exit 1 naming it", () => {
    const r = result("importProduct")
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split("\n").slice(1)).toEqual(["  line 2, product: the lineage's order type income cannot refresh assets (it can refresh only income, employment)"])
    expect(digestSqlite(db)).toEqual(before)
  })

  it("70 problems: the first 50 in line order, then how many more", () => {
    const r = result("importMany")
    expect(r.code).toBe(1)
    const lines = r.stderr.trim().split("\n")
    expect(lines[0]).toBe(`recert: import of ${join(dir, "many.csv")} refused: 70 problem(s), nothing was written`)
    expect(lines.length).toBe(52)
    expect(lines[1]).toBe("  line 2, dueAt: Invalid ISO datetime")
    expect(lines[50]).toBe("  line 51, dueAt: Invalid ISO datetime")
    expect(lines[51]).toBe("  (file): ... and 20 more problem(s)")
  })

  it("an id with a terminal escape is printed escaped", () => {
    const r = result("explainEscape")
    expect(r.stderr).toContain("case\\x1b[2J")
    expect(r.stderr).not.toContain("\u001b")
  })
})

describe("recert decide/plan --policy: a misspelt nested key or a huge duration", () => {
  it.each(["decideMisspeltPolicy", "planMisspeltPolicy"] as const)("%s: exit 2, one line naming the path, no stack trace", (name) => {
    const r = result(name)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`recert: invalid policy configuration in ${join(dir, "policy.json")}: rateWindow.limt: unknown key (did you mean limit?)\n`)
    expect(r.stdout).toBe("")
  })

  it("a validity of a billion days: exit 2 naming the field and its bound, no RangeError", () => {
    const r = result("decideHugePolicy")
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`recert: invalid policy configuration in ${join(dir, "huge.json")}: oauthValidityDays: at most 3650 days\n`)
  })
})

describe("recert: invalid arguments and configuration", () => {
  it("a malformed duration: exit 2 naming the flag and the value", () => {
    expect(result("cliBadDuration").code).toBe(2)
    expect(result("cliBadDuration").stderr).toContain("--within")
    expect(result("cliBadDuration").stderr).toContain("3 fortnights")
  })

  it("a malformed instant: exit 2 naming the flag and the value", () => {
    expect(result("cliBadInstant").code).toBe(2)
    expect(result("cliBadInstant").stderr).toContain("--at")
    expect(result("cliBadInstant").stderr).toContain("2026-13-45")
  })

  it("an unknown command: exit 2 naming it", () => {
    expect(result("cliUnknownCommand").code).toBe(2)
    expect(result("cliUnknownCommand").stderr).toContain("refresh-everything")
  })

  it("a malformed RECERT_ENCRYPTION_KEY names the variable", () => {
    expect(result("cliBadKey").stderr).toContain("RECERT_ENCRYPTION_KEY")
    expect(result("cliBadKey").stderr).not.toContain("not-a-key")
  })

  it("a malformed RECERT_ENCRYPTION_KEY: exit 2", () => {
    expect(result("cliBadKey").code).toBe(2)
  })
})

describe("recert-scheduler: invalid arguments and configuration", () => {
  it("a malformed --scale names the flag and the value", () => {
    expect(result("schedulerBadScale").stderr).toContain("--scale")
    expect(result("schedulerBadScale").stderr).toContain("lots")
  })

  // Was exit 1 (found by this suite); fixed by the scheduler's own exit-code mapping (6a981b6).
  it("a malformed --scale: exit 2", () => {
    expect(result("schedulerBadScale").code).toBe(2)
  })

  it("an unknown command names it", () => {
    expect(result("schedulerUnknownCommand").stderr).toContain("refresh-everything")
  })

  it("an unknown command: exit 2", () => {
    expect(result("schedulerUnknownCommand").code).toBe(2)
  })

  it("a malformed RECERT_ENCRYPTION_KEY names the variable and not its value", () => {
    const r = result("schedulerBadKey")
    expect(r.stderr + r.stdout).toContain("RECERT_ENCRYPTION_KEY")
    expect(r.stderr + r.stdout).not.toContain("not-a-key")
  })

  // Was on stdout (runMain's default report); fixed in 6a981b6.
  it("a malformed RECERT_ENCRYPTION_KEY is reported on stderr, stdout stays empty", () => {
    const r = result("schedulerBadKey")
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain("RECERT_ENCRYPTION_KEY")
  })

  it("a malformed RECERT_ENCRYPTION_KEY: exit 2", () => {
    expect(result("schedulerBadKey").code).toBe(2)
  })

  it("a config file with an unknown key: exit 2 naming the file and the key, database unchanged", () => {
    const r = result("schedulerBadConfigFile")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("scheduler.json")
    expect(r.stderr).toContain("colour")
    expect(digestSqlite(db)).toEqual(before)
  })

  it("a malformed environment variable: exit 2 naming the variable and the value", () => {
    const r = result("schedulerBadEnv")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("RECERT_CONCURRENCY")
    expect(r.stderr).toContain("lots")
  })

  it("missing Truv credentials: exit 2 naming the variables", () => {
    const r = result("schedulerNoTruv")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("TRUV_CLIENT_ID")
    expect(r.stderr).toContain("TRUV_SECRET")
  })
})
