/**
 * `recert redact` and `recert cases close`, in-process against the results world: a dry run
 * writes nothing, a redaction by case records what it removed and a second one removes nothing,
 * the latest verification of an open case keeps its statements (the next renewal's baseline),
 * `--before` reaches every case, closing needs no Truv when there is nothing to cancel, closing
 * with `--delete-link` erases the deleted link's access token (a Truv answering DELETE
 * /v1/links on a local port), and bad flags or a bad policy file exit 2 naming them.
 */
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { openDatabase } from "@recert/store"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { seedResults } from "../scripts/seed-results.js"
import { run } from "./helpers.js"

let dir: string
let db: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "recert-retention-"))
  db = join(dir, "results.sqlite")
  await Effect.runPromise(seedResults(db))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Piece { readonly caseId: string; readonly target: string; readonly ref: string; readonly rows: number | null }
const parsed = (stdout: string) => JSON.parse(stdout) as { redacted: Array<Piece>; held: Array<Piece & { holds: Array<string> }>; reason: string; dryRun: boolean; at: string }
const NOW = "2027-01-10T00:00:00.000Z"

describe("recert redact", () => {
  it("--case --dry-run lists what would go and writes nothing; then --case removes it, records why, and a second run removes nothing", async () => {
    const dry = parsed((await run(["redact", "--case", "case-201", "--dry-run", "--json", "--db", db], { now: NOW })).stdout)
    expect([dry.dryRun, dry.redacted.map((p) => [p.target, p.ref, p.rows]).slice(0, 3)]).toEqual([true, [
      ["verification.raw", "ord-201-r1", null], ["verification.raw", "ord-201-n1", null], ["verification.statements", "ord-201-r1", null]
    ]])
    const done = await run(["redact", "--case", "case-201", "--reason", "client asked", "--json", "--db", db], { now: NOW })
    const report = parsed(done.stdout)
    expect([done.exitCode, report.reason, report.at, report.redacted.length]).toEqual([0, "client asked", NOW, dry.redacted.length])
    expect(report.held.map((h) => [h.target, h.ref, h.holds])).toEqual([["verification.statements", "ord-201-n1", ["baseline-of-open-case"]]])
    const again = await run(["redact", "--case", "case-201", "--db", db], { now: NOW })
    expect(again.stdout.split("\n")[0]).toBe(`redacted 0 piece(s) of personal data in 1 case(s) at ${NOW} (by hand: recert redact --case case-201)`)
  })

  it("--before reaches every case whose data was delivered before the instant", async () => {
    const r = parsed((await run(["redact", "--before", "2100-01-01", "--json", "--db", db], { now: NOW })).stdout)
    expect([...new Set(r.redacted.map((p) => p.caseId))]).toEqual(["case-202"])
    expect(r.reason).toBe("by hand: recert redact --before 2100-01-01T00:00:00.000Z")
  })

  it("refuses --case with --before, --retention with a scope, a bad policy file (exit 2); an unknown case is exit 1", async () => {
    expect(await run(["redact", "--case", "case-201", "--before", "2026-01-01", "--db", db])).toEqual({
      exitCode: 2, stdout: "", stderr: "recert: --case and --before are exclusive: give one, or neither for the retention policy"
    })
    const file = join(dir, "retention.json")
    writeFileSync(file, JSON.stringify({ rawReport: "7d", payStatements: "a week" }))
    expect((await run(["redact", "--retention", file, "--case", "case-201", "--db", db])).exitCode).toBe(2)
    expect(await run(["redact", "--retention", file, "--db", db])).toEqual({
      exitCode: 2, stdout: "", stderr: `recert: invalid retention policy in ${file}: retention.payStatements: expected a duration such as 30d, 12h, 90m, 30s, 500ms or 1h30m (units w d h m s ms, largest first); retention.rawReport: unknown key`
    })
    expect((await run(["redact", "--case", "case-nope", "--db", db])).exitCode).toBe(1)
  })
})

describe("recert cases close", () => {
  it("closes a case with nothing to cancel without asking Truv; closing again says so", async () => {
    const r = await run(["cases", "close", "case-203", "--reason", "moved out of state", "--json", "--db", db], { now: NOW })
    expect([r.exitCode, JSON.parse(r.stdout)]).toEqual([0, {
      caseId: "case-203", closedAt: NOW, reason: "moved out of state", alreadyClosed: false, canceledRequests: [], removedJobs: 0,
      truv: { canceledOrders: [], deletedLinks: [] }
    }])
    const again = await run(["cases", "close", "case-203", "--db", db], { now: "2027-01-11T00:00:00.000Z" })
    expect(again.stdout.split("\n")[0]).toBe(`case case-203 was already closed at ${NOW} (moved out of state)`)
  })

  it("--delete-link deletes the link at Truv and erases its access token from the store (issue 19)", async () => {
    const calls: Array<string> = []
    // Truv's DELETE /v1/links/{link_id}/: 204, no body (docs.truv.com/api-reference/links/delete_link_by_link_id).
    const truv = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`)
      // Truv's clock agrees with the command's (else the client warns of a skew on stdout).
      res.setHeader("date", new Date(NOW).toUTCString())
      if (req.method === "DELETE" && req.url === "/v1/links/link-201/") res.writeHead(204).end()
      else res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ detail: "Not found." }))
    })
    await new Promise<void>((resolve) => truv.listen(0, "127.0.0.1", resolve))
    const env = { TRUV_CLIENT_ID: "client", TRUV_SECRET: "secret", TRUV_BASE_URL: `http://127.0.0.1:${(truv.address() as AddressInfo).port}` }
    const token = async () => {
      const { db: raw } = openDatabase(db)
      try {
        const r = await raw.selectFrom("connections").select(["access_token", "deleted_at"]).where("id", "=", "link-201").executeTakeFirstOrThrow()
        return [r.access_token, r.deleted_at === null ? null : new Date(Number(r.deleted_at)).toISOString()]
      } finally {
        await raw.destroy()
      }
    }
    try {
      expect((await token())[0]).not.toBe("")
      const r = await run(["cases", "close", "case-201", "--delete-link", "--json", "--db", db], { now: NOW, env })
      expect([r.exitCode, r.stderr, (JSON.parse(r.stdout) as { truv: unknown }).truv]).toEqual([0, "", { canceledOrders: [], deletedLinks: [{ linkId: "link-201", result: "deleted" }] }])
      expect(calls).toEqual(["DELETE /v1/links/link-201/"])
      expect(await token()).toEqual(["", NOW])
    } finally {
      await new Promise((resolve) => truv.close(resolve))
    }
  })

  it("--delete-link needs Truv credentials (exit 2, nothing written)", async () => {
    expect(await run(["cases", "close", "case-202", "--delete-link", "--db", db])).toEqual({
      exitCode: 2, stdout: "", stderr: "recert: cases close needs Truv credentials: set TRUV_CLIENT_ID and TRUV_SECRET (and TRUV_BASE_URL for a Truv other than production)"
    })
  })
})
