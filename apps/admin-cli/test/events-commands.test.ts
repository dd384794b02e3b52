/**
 * `recert events`, `recert events redeliver`, `recert destinations` and `destinations test`,
 * in-process against the results world (its verifications appended their events) and the
 * reference receiver: listings as text and JSON, usage errors exit 2, a bad destination exit 2
 * naming it, a signed ping answered 204 (verified by the standardwebhooks package).
 */
import { startReferenceReceiver } from "@recert/delivery"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { seedResults } from "../scripts/seed-results.js"
import { run } from "./helpers.js"

let dir: string
let db: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "recert-events-"))
  db = join(dir, "results.sqlite")
  await Effect.runPromise(seedResults(db))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const SECRET = `whsec_${Buffer.alloc(32, 4).toString("base64")}`

describe("recert events", () => {
  it("lists a case's events newest first, as JSON with the documented shape", async () => {
    const r = await run(["events", "--case", "case-201", "--json", "--db", db])
    expect(r.exitCode).toBe(0)
    const events = (JSON.parse(r.stdout) as { events: Array<{ type: string; caseId: string; deliveries: Array<unknown> }> }).events
    expect(events.map((e) => [e.type, e.caseId, e.deliveries])).toEqual([
      ["case.review-needed", "case-201", []], ["case.review-needed", "case-201", []]
    ])
    const text = await run(["events", "--case", "case-201", "--db", db])
    expect(text.stdout.split("\n")[0]).toMatch(/^ID\s+TYPE\s+CASE\s+ORDER NUMBER\s+AT\s+DELIVERIES$/)
    expect(text.stdout).toContain("not fanned out yet")
  })

  it("--failed with no dead letter; redeliver needs an id or --failed (exit 2)", async () => {
    expect(await run(["events", "--failed", "--db", db])).toEqual({ exitCode: 0, stdout: "no dead-lettered event", stderr: "" })
    expect(await run(["events", "redeliver", "--db", db])).toEqual({ exitCode: 2, stdout: "", stderr: "recert: give an event id or --failed (one of them)" })
    expect(await run(["events", "redeliver", "--failed", "--json", "--db", db])).toEqual({ exitCode: 0, stdout: JSON.stringify({ redelivered: 0 }, null, 2), stderr: "" })
  })
})

describe("recert destinations", () => {
  it("lists without secrets; refuses a bad URL, secret or event type with exit 2 naming it", async () => {
    const env = { AGENCY_WHSEC: SECRET, RECERT_DESTINATIONS: JSON.stringify([{ name: "agency", url: "https://agency.example/h", secretEnv: "AGENCY_WHSEC", events: ["case.renewed"] }]) }
    const ok = await run(["destinations", "--json"], { env })
    expect([ok.exitCode, JSON.parse(ok.stdout)]).toEqual([0, { destinations: [{ name: "agency", url: "https://agency.example/h", events: ["case.renewed"], timeoutMs: 10_000, concurrency: 4, pdf: "none" }] }])
    expect(ok.stdout).not.toContain(SECRET)
    const bad = await run(["destinations"], { env: { AGENCY_WHSEC: "nope", RECERT_DESTINATIONS: JSON.stringify([{ name: "agency", url: "file:///etc/passwd", secretEnv: "AGENCY_WHSEC" }]) } })
    expect(bad).toEqual({ exitCode: 2, stdout: "", stderr: 'recert: RECERT_DESTINATIONS[0].url: expected an http:// or https:// URL; got "file:///etc/passwd"' })
  })

  it("test <name> sends a signed ping the reference receiver verifies, and shows the answer", async () => {
    const receiver = await startReferenceReceiver(SECRET)
    try {
      const env = { AGENCY_WHSEC: SECRET, RECERT_DESTINATIONS: JSON.stringify([{ name: "agency", url: receiver.url, secretEnv: "AGENCY_WHSEC" }]) }
      // The receiver refuses timestamps more than 5 minutes from its own clock: the CLI's clock reads now.
      const now = new Date().toISOString()
      const r = await run(["destinations", "test", "agency"], { env, now })
      expect([r.exitCode, r.stdout.replace(/in \d+ ms/, "in N ms"), r.stderr]).toEqual([0, `agency (${receiver.url}): HTTP 204 in N ms`, ""])
      expect(receiver.received.map((x) => (x.event as unknown as { type: string }).type)).toEqual(["recert.ping"])
      const wrong = await run(["destinations", "test", "agency"], { env: { ...env, AGENCY_WHSEC: `whsec_${Buffer.alloc(32, 1).toString("base64")}` }, now })
      expect([wrong.exitCode, wrong.stderr]).toEqual([1, "recert: agency: HTTP 401: bad signature"])
      expect((await run(["destinations", "test", "nobody"], { env })).exitCode).toBe(2)
    } finally {
      await receiver.close()
    }
  })
})

describe("recert result --pdf", () => {
  it("writes the caseworker PDF whose text holds the case's figures; an unwritable path fails naming it", async () => {
    const file = join(dir, "case-201.pdf")
    const r = await run(["result", "case-201", "--pdf", file, "--json", "--db", db])
    expect(r.exitCode).toBe(0)
    const { execFileSync } = await import("node:child_process")
    const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString()
    for (const expected of ["Renewal result: case case-201", "order ord-201-n1 via new-order", "review (2 reasons)", "monthly income $4,305.71", "gross $13,180.00"]) {
      expect(text, expected).toContain(expected)
    }
    const bad = await run(["result", "case-201", "--pdf", join(dir, "no-such-dir", "x.pdf"), "--db", db])
    expect([bad.exitCode, bad.stderr]).toEqual([1, `recert: cannot write ${join(dir, "no-such-dir", "x.pdf")}: ENOENT`])
  })
})
