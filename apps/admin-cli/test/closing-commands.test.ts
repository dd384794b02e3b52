/**
 * The lender pre-closing mode on the command line (issue 18): a case imported with a closing date
 * (dueAt and cycle left empty), `recert plan --closing` in its business-day window, and
 * `recert cases move-closing` re-planning it; bad input exits 2, a review case exits 1.
 */
import { Effect } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { NOW, seed } from "../scripts/seed.js"
import { run } from "./helpers.js"

let dir: string
let db: string
const at = ["--at", NOW]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "recert-closing-"))
  db = join(dir, "seeded.sqlite")
  await Effect.runPromise(seed(db))
  writeFileSync(join(dir, "loans.csv"), "id,dueAt,cycle,rootOrderId,closingDate\nloan-1,,,ord-101,2026-12-11\n")
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const recert = (args: ReadonlyArray<string>) => run([...args, "--db", db], { cwd: dir, now: NOW })

describe("lender pre-closing cases", () => {
  it("imported with a closing date, planned in its window, moved earlier into an open window", async () => {
    // A lender that embeds Bridge in its own portal: no client contact needed at import (issue 16's reach modes).
    expect(await recert(["cases", "import", "loans.csv", "--client-reach", "bridge"])).toEqual({ exitCode: 0, stderr: "", stdout: "imported 1 case(s) from loans.csv" })
    // Closing Friday 2026-12-11: ten business days before, across Thanksgiving (2026-11-26) and two weekends, is 2026-11-27.
    const before = JSON.parse((await recert(["plan", "--closing", ...at, "--json"])).stdout) as { items: Array<{ caseId: string; action: string; why: string; timing: { opensAt: string; closesAt: string; code: string } }> }
    expect(before.items.map((i) => [i.caseId, i.action, i.why, i.timing.opensAt, i.timing.closesAt, i.timing.code])).toEqual([
      ["loan-1", "nothing", "not due until 2026-11-27 (10 business days before the closing date 2026-12-11)", "2026-11-27T00:00:00.000Z", "2026-12-11T00:00:00.000Z", "window.opening"]
    ])
    expect(await recert(["cases", "move-closing", "loan-1", "2026-12-04"])).toEqual({
      exitCode: 0, stderr: "", stdout: "case loan-1: closing date moved from 2026-12-11 to 2026-12-04 (due 2026-12-04T00:00:00.000Z); the next plan re-plans it in its new window"
    })
    const after = JSON.parse((await recert(["plan", "--closing", ...at, "--json"])).stdout) as { items: Array<{ caseId: string; action: string; timing: { opensAt: string; code: string }; decision: { request: { products: Array<string> } } }> }
    expect(after.items.map((i) => [i.caseId, i.action, i.timing.opensAt, i.timing.code, i.decision.request.products])).toEqual([
      ["loan-1", "refresh", "2026-11-19T00:00:00.000Z", "window.open", ["employment"]]
    ])
    const explain = (await recert(["explain", "loan-1", ...at])).stdout.split("\n")
    expect(explain.slice(2, 5)).toEqual([
      "  case          due 2026-12-04T00:00:00.000Z, closing 2026-12-04, product employment, last verified -",
      "  planned       refresh: refresh 1 of 1 connection(s)",
      "  timing        refresh at 2026-11-22T10:00:00.000Z (window.open): refresh now: the 10-business-day window before the closing date 2026-12-04 opens 2026-11-19; the connection is predicted to expire 2027-02-28T00:00Z; less the clock guard 120 s, a refresh must be sent before 2027-02-27T23:58Z; a failure still leaves the client a full link (72 weekday hours) before 2026-12-04T00:00Z if sent by 2026-12-01T00:00Z"
    ])
  })

  it("move-closing: a malformed date exits 2, a review case or an unknown one exits 1; nothing is changed", async () => {
    expect(await recert(["cases", "move-closing", "loan-1", "2026-02-30"])).toEqual({ exitCode: 2, stdout: "", stderr: "recert: closing date \"2026-02-30\" is not a date YYYY-MM-DD (e.g. 2027-07-09)" })
    expect(await recert(["cases", "move-closing", "case-101", "2026-12-04"])).toEqual({ exitCode: 1, stdout: "", stderr: "recert: case \"case-101\" has no closing date (a review case: its due date follows its cycle)" })
    expect(await recert(["cases", "move-closing", "nope", "2026-12-04"])).toEqual({ exitCode: 1, stdout: "", stderr: "recert: no case with id \"nope\"" })
  })
})
