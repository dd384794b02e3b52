/**
 * The executable itself (src/main.ts through tsx, as a child process): the exit code reaches the
 * shell, stdout and stderr are separate. Everything else is tested in-process.
 */
import { execFile, spawn as spawnChild } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { SqlStore, Store } from "@recert/store"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { seed } from "../scripts/seed.js"
import { nodeArgsFor } from "../../../scripts/app-entry.mjs"

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const FIXTURE = fileURLToPath(new URL("./fixtures/lineage.json", import.meta.url))

const spawn = (args: ReadonlyArray<string>) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, [...nodeArgsFor(MAIN), ...args], { env: { ...process.env, NO_COLOR: "1" } },
    (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
})

describe("the recert process", () => {
  it("exits 0, 1 and 2", async () => {
    const [ok, failed, usage] = await Promise.all([
      spawn(["decide", "--input", FIXTURE, "--at", "2026-11-22T10:00:00Z", "--json"]),
      spawn(["decide", "--input", "/no/such/file.json"]),
      spawn(["decide", "--input", FIXTURE, "--at", "soon"])
    ])
    expect(ok.code).toBe(0)
    expect((JSON.parse(ok.stdout) as { verdict: string }).verdict).toBe("refresh")
    expect(failed).toEqual({ code: 1, stdout: "", stderr: "recert: cannot read /no/such/file.json: no such file\n" })
    expect(usage.code).toBe(2)
    expect(usage.stdout).toBe("")
    expect(usage.stderr).toContain("Invalid value for flag --at: \"soon\"")
  }, 120_000)

  it("output piped into a reader that stops early (`| head -1`): exit 0, no EPIPE trace", async () => {
    // A queue of 3,000 entries (about 600 kB of table, far more than a pipe holds); the reader
    // closes the pipe after its first chunk, while the command is still writing.
    const dir = mkdtempSync(join(tmpdir(), "recert-epipe-"))
    const db = join(dir, "big.sqlite")
    await Effect.runPromise(seed(db))
    await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      for (let i = 0; i < 3000; i++) {
        yield* store.enqueueVerification({
          caseId: "case-103", kind: "new-order", connectionIds: [`link-${i}`], reason: "connection.no-data", detail: "x".repeat(80),
          bridgeToken: null, shareUrl: `https://example.test/share/${i}`, orderId: `order-${i}`, createdAt: "2026-11-20T10:05:00Z"
        })
      }
    }).pipe(Effect.provide(SqlStore.layer({ url: db, encryptionKey: Redacted.make("a".repeat(64)), migrate: false }))))
    const child = spawnChild(process.execPath, [...nodeArgsFor(MAIN), "queue", "--db", db], { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString("utf8") })
    child.stdout.once("data", () => child.stdout.destroy())
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)))
    rmSync(dir, { recursive: true, force: true })
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
  }, 120_000)
})
