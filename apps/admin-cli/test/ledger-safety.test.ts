/**
 * `recert cases remove` (in-process) and the reading commands as a support login without write
 * permission (processes run as `nobody` on a copy of the database whose file and directory only
 * its owner may write). CI runs as root, so the test drops privileges through the child process's
 * `uid`/`gid`; as a non-root user it runs the commands as that user (who cannot write the copy
 * either once it is chmod-ed read-only).
 */
import { execFile } from "node:child_process"
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { NOW, seed } from "../scripts/seed.js"
import { run } from "./helpers.js"
import { nodeArgsFor } from "../../../scripts/app-entry.mjs"

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "recert-ledger-safety-"))
const db = join(dir, "recert.sqlite")
// nobody's ids on Debian and most distributions.
const NOBODY = { uid: 65534, gid: 65534 }

beforeAll(async () => { await Effect.runPromise(seed(db)) }, 60_000)
afterAll(() => { chmodSync(dir, 0o755); rmSync(dir, { recursive: true, force: true }) })

describe("recert cases remove", () => {
  it("removes a case and what only it owns; an unknown case is exit 1", async () => {
    const removed = await run(["cases", "remove", "case-101", "--db", db, "--json"])
    expect(removed.exitCode).toBe(0)
    expect(JSON.parse(removed.stdout)).toEqual({
      caseId: "case-101", rootOrderId: "ord-101", lineageRemoved: true,
      removed: { attempts: 2, decisions: 1, results: 0, verifications: 0, jobs: 0, orders: 2, connections: 1 }
    })
    expect(await run(["explain", "case-101", "--db", db, "--at", NOW])).toMatchObject({ exitCode: 1, stderr: "recert: no case with id \"case-101\"" })
    expect(await run(["cases", "remove", "case-101", "--db", db])).toMatchObject({ exitCode: 1 })
  })
})

describe("read-only access", () => {
  const root = process.getuid?.() === 0
  const ro = mkdtempSync(join(dir, "ro-"))
  const copy = join(ro, "recert.sqlite")

  const spawn = (args: ReadonlyArray<string>) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [...nodeArgsFor(MAIN), ...args],
      { env: { PATH: process.env["PATH"] ?? "", HOME: "/tmp", NO_COLOR: "1" }, cwd: "/tmp", ...(root ? NOBODY : {}) },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
  })

  it(`every reading command works without write permission on the file or its directory${root ? " (as nobody)" : ""}`, async () => {
    copyFileSync(db, copy)
    chmodSync(copy, 0o444)
    chmodSync(ro, 0o555)
    chmodSync(dir, 0o755)
    const before = readFileSync(copy)
    const commands = [
      ["explain", "case-102", "--at", NOW], ["due", "--at", NOW, "--within", "365d"], ["ledger", "case-102"], ["plan", "--at", NOW],
      ["stats", "--since", "2026-11-01"], ["queue"], ["queue", "--all"], ["redact", "--dry-run"]
    ]
    const results = await Promise.all(commands.map((c) => spawn([...c, "--db", copy, "--json"])))
    for (const [i, r] of results.entries()) expect({ command: commands[i], code: r.code, stderr: r.stderr }).toEqual({ command: commands[i], code: 0, stderr: "" })
    expect((JSON.parse(results[0]!.stdout) as { caseId: string }).caseId).toBe("case-102")
    // Nothing was written: no WAL or shared-memory file, the database byte for byte.
    expect([existsSync(`${copy}-wal`), existsSync(`${copy}-shm`)]).toEqual([false, false])
    expect(readFileSync(copy).equals(before)).toBe(true)
    // A writing command is refused by the file system, in one line.
    const write = await spawn(["queue", "resolve", "1", "--db", copy])
    expect(write.code).toBe(1)
    expect(write.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1)
  }, 240_000)
})
