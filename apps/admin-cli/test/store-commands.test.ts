/**
 * The commands that read (or create) the store, run in-process against a temporary SQLite
 * database seeded with the walkthrough world (scripts/seed.ts), with exact expected output.
 */
import { Effect } from "effect"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { NOW, seed } from "../scripts/seed.js"
import { run } from "./helpers.js"

let dir: string
let db: string
const at = ["--at", NOW]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "recert-cli-"))
  db = join(dir, "seeded.sqlite")
  await Effect.runPromise(seed(db))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const recert = (args: ReadonlyArray<string>, options: Parameters<typeof run>[1] = {}) => run([...args, "--db", db], options)

describe("recert explain", () => {
  it("a case that may refresh: the request, the cost, no reasons", async () => {
    expect(await recert(["explain", "case-101", ...at])).toEqual({ exitCode: 0, stderr: "", stdout: `case case-101: refresh
  decision      refresh 1 of 1 connection(s) now
  case          due 2026-12-01T00:00:00.000Z, annual, product income, last verified -
  planned       refresh: refresh 1 of 1 connection(s)
  timing        refresh at 2026-11-22T10:00:00.000Z (window.open): refresh now: the window (lead time 30 days before the due date 2026-12-01) opens 2026-11-01T00:00Z; the connection is predicted to expire 2027-02-28T00:00Z; less the clock guard 120 s, a refresh must be sent before 2027-02-27T23:58Z; a failure still leaves the client a full link (72 weekday hours) before 2026-12-01T00:00Z if sent by 2026-11-26T00:00Z
  last decided  2026-11-22T09:30:00.000Z: refresh
  lineage       ord-101 (income), newest order ord-101-r1
  decided at    2026-11-22T10:00:00.000Z
  next eligible -
  cost          1 billed, 0 free verification(s)
  request       POST /v1/orders/ord-101-r1/ {"products":["income"],"employers":[{"id":"emp-101"}]}
  policy        f5b3d47cd57e

CONNECTION  SUBORDER  VERDICT  LEFT IN WINDOW  NEXT ELIGIBLE  BILLED
link-101    emp-101   refresh  2               -              yes

Reasons
  none: every rule passed` })
  })

  it("a case waiting for the limit window: when, and why", async () => {
    expect(await recert(["explain", "case-102", ...at])).toEqual({ exitCode: 0, stderr: "", stdout: `case case-102: wait
  decision      wait until 2026-11-22T12:02:00.000Z
  case          due 2026-11-30T00:00:00.000Z, monthly, product income, last verified -
  planned       wait: 3 refreshes of this connection in the last 24 h (limit 3); the next is allowed at 2026-11-22T12:02:00.000Z (the window plus the 120 s clock guard), in 2 h 2 min
  timing        refresh at 2026-11-22T10:00:00.000Z (window.open): refresh now: the window (lead time 30 days before the due date 2026-11-30) opens 2026-10-31T00:00Z; the connection is predicted to expire 2027-04-13T00:00Z; less the clock guard 120 s, a refresh must be sent before 2027-04-12T23:58Z; a failure still leaves the client a full link (72 weekday hours) before 2026-11-30T00:00Z if sent by 2026-11-25T00:00Z
  last decided  2026-11-22T09:30:00.000Z: wait, 3 refreshes of this connection in the last 24 h (limit 3); the next is allowed at 2026-11-22T12:02:00.000Z (the window plus the 120 s clock guard), in 2 h 32 min
  lineage       ord-102 (income, GSE), newest order ord-102-r3
  decided at    2026-11-22T10:00:00.000Z
  next eligible 2026-11-22T12:02:00.000Z
  cost          0 billed, 0 free verification(s); GSE free refreshes left: 2
  request       -
  policy        f5b3d47cd57e

CONNECTION  SUBORDER  VERDICT  LEFT IN WINDOW  NEXT ELIGIBLE             BILLED
link-102    emp-102   wait     0               2026-11-22T12:02:00.000Z  -

Reasons
  link-102   3 refreshes of this connection in the last 24 h (limit 3); the next is allowed at 2026-11-22T12:02:00.000Z (the window plus the 120 s clock guard), in 2 h 2 min [rate.window]` })
  })

  it("a case that needs the user: every reason, and the warnings", async () => {
    expect(await recert(["explain", "case-103", ...at])).toEqual({ exitCode: 0, stderr: "", stdout: `case case-103: reauthenticate
  decision      the user must re-authenticate 2 connection(s) (Bridge update mode) before any refresh
  case          due 2026-11-25T00:00:00.000Z, annual, product employment, last verified -
  planned       reauthenticate: OAuth connection last authenticated 2026-04-01, 235 days ago (valid 180)
  timing        client at 2026-11-22T10:00:00.000Z (expiry.before-window): straight to the client at 2026-11-22T10:00Z: the window (lead time 30 days before the due date 2026-11-25) opens 2026-10-26T00:00Z, but the connection is predicted to expire 2026-09-28T00:00Z; less the clock guard 120 s, a refresh must be sent before 2026-09-27T23:58Z, so it is dead for the whole window (a refresh would fail and be billed)
  last decided  2026-11-22T09:30:00.000Z: reauthenticate, OAuth connection last authenticated 2026-04-01, 235 days ago (valid 180)
  lineage       ord-103 (employment), newest order ord-103-r1
  decided at    2026-11-22T10:00:00.000Z
  next eligible -
  cost          0 billed, 0 free verification(s)
  request       -
  policy        f5b3d47cd57e

CONNECTION  SUBORDER  VERDICT         LEFT IN WINDOW  NEXT ELIGIBLE  BILLED
link-103a   emp-103a  reauthenticate  3               -              -
link-103b   emp-103b  reauthenticate  3               -              -

Reasons
  link-103a  OAuth connection last authenticated 2026-04-01, 235 days ago (valid 180) [connection.auth-expired]
  link-103b  The last workday task ended in login_error; the user must log in again (Bridge update mode) [connection.needs-user]

Warnings
  link-103b  Session-based connection (workday) authenticated 2026-04-01 has no fixed validity; the refresh may fail [connection.auth-unknown]` })
  })

  it("a case that is not due: the rules would allow a refresh, but a run would do nothing", async () => {
    const r = await recert(["explain", "case-104", ...at])
    expect(r.stdout.split("\n").slice(0, 6)).toEqual([
      "case case-104: refresh",
      "  decision      refresh 1 of 1 connection(s) now",
      "  case          due 2027-03-01T00:00:00.000Z, quarterly, product assets, last verified -",
      "  planned       nothing: not due until 2027-03-01 (lead time 30 days)",
      "  timing        refresh at 2027-01-30T00:00:00.000Z (window.opening): refresh at the window's opening 2027-01-30T00:00Z: the window (lead time 30 days before the due date 2027-03-01) opens 2027-01-30T00:00Z; the connection is predicted to expire 2027-04-30T00:00Z; less the clock guard 120 s, a refresh must be sent before 2027-04-29T23:58Z; a failure still leaves the client a full link (72 weekday hours) before 2027-03-01T00:00Z if sent by 2027-02-24T00:00Z",
      "  last decided  -"
    ])
  })

  it("--at is a what-if: at 12:02 (the window plus the 120 s clock guard) there is room again", async () => {
    const r = await recert(["explain", "case-102", "--at", "2026-11-22T12:02:00Z"])
    expect(r.stdout.split("\n").slice(0, 2)).toEqual(["case case-102: refresh", "  decision      refresh 1 of 1 connection(s) now"])
  })

  it("without --at it decides at the clock's now", async () => {
    const clock = await recert(["explain", "case-102", "--json"], { now: "2026-11-22T11:59:59Z" })
    expect((JSON.parse(clock.stdout) as { decision: { verdict: string; at: string } }).decision).toMatchObject({ verdict: "wait", at: "2026-11-22T11:59:59.000Z" })
  })

  it("--json: { caseId, case, plan, lastRecorded, decision } with core's decision", async () => {
    const r = await recert(["explain", "case-102", ...at, "--json"])
    const body = JSON.parse(r.stdout) as Record<string, unknown> & { decision: Record<string, unknown> }
    expect(Object.keys(body)).toEqual(["caseId", "case", "plan", "lastRecorded", "decision"])
    expect(body.lastRecorded).toEqual({ at: "2026-11-22T09:30:00.000Z", verdict: "wait", policyVersion: "f5b3d47cd57e0f5220d232b921070e19475b6298a21af7d571c1c82dcaab0b7f" })
    expect(body.plan).toEqual({ action: "wait", why: "3 refreshes of this connection in the last 24 h (limit 3); the next is allowed at 2026-11-22T12:02:00.000Z (the window plus the 120 s clock guard), in 2 h 2 min", timing: {
      basis: "lead-time", opensAt: "2026-10-31T00:00:00.000Z", closesAt: "2026-11-30T00:00:00.000Z", length: 30, clientDeadlineAt: "2026-11-25T00:00:00.000Z",
      expiresAt: "2027-04-13T00:00:00.000Z", refreshBy: "2027-04-12T23:58:00.000Z", marginHours: 0, chosenAt: "2026-11-22T10:00:00.000Z", choice: "refresh", code: "window.open",
      why: "refresh now: the window (lead time 30 days before the due date 2026-11-30) opens 2026-10-31T00:00Z; the connection is predicted to expire 2027-04-13T00:00Z; less the clock guard 120 s, a refresh must be sent before 2027-04-12T23:58Z; a failure still leaves the client a full link (72 weekday hours) before 2026-11-30T00:00Z if sent by 2026-11-25T00:00Z"
    } })
    expect(body.case).toEqual({ id: "case-102", dueAt: "2026-11-30T00:00:00.000Z", cycle: "monthly", rootOrderId: "ord-102", product: null, lastVerifiedAt: null })
    expect(Object.keys(body.decision)).toEqual(["verdict", "at", "policyVersion", "request", "connections", "reasons", "cost", "nextEligibleAt", "warnings"])
    expect(body.decision).toMatchObject({ verdict: "wait", nextEligibleAt: "2026-11-22T12:02:00.000Z", cost: { billedVerifications: 0, freeVerifications: 0, gseFreeRemaining: 2 } })
  })

  it("an unknown case: exit 1, as text and as JSON", async () => {
    expect(await recert(["explain", "case-999", ...at])).toEqual({ exitCode: 1, stdout: "", stderr: "recert: no case with id \"case-999\"" })
    expect(await recert(["explain", "case-999", "--json"])).toEqual({
      exitCode: 1, stdout: "", stderr: JSON.stringify({ error: { code: "unknown-case", message: "no case with id \"case-999\"" } }, null, 2)
    })
  })

  it("a malformed instant: exit 2 naming the flag and the value", async () => {
    expect(await recert(["explain", "case-101", "--at", "next tuesday"])).toEqual({
      exitCode: 2, stdout: "",
      stderr: "recert: Invalid value for flag --at: \"next tuesday\". Expected: an ISO-8601 instant with a zone (2026-12-01T00:00:00Z) or a date (2026-12-01)\nSee `recert explain --help`."
    })
  })

  it("a missing case argument: exit 2", async () => {
    const r = await recert(["explain"])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toBe("recert: Missing required argument: case\nSee `recert explain --help`.")
  })
})

describe("which database", () => {
  it("a missing --db file is an error, and is not created", async () => {
    const missing = join(dir, "nope.sqlite")
    expect(await run(["explain", "case-101", "--db", missing])).toEqual({
      exitCode: 1, stdout: "", stderr: `recert: no database at ${missing}: pass --db with an existing database, or create one with \`recert db init\``
    })
    expect(existsSync(missing)).toBe(false)
  })

  it("no --db and no DATABASE_URL: .recert/recert.sqlite in the working directory, or a pointer to the demo", async () => {
    const empty = mkdtempSync(join(dir, "cwd-"))
    expect(await run(["due", "--json"], { cwd: empty })).toEqual({
      exitCode: 1, stdout: "",
      stderr: JSON.stringify({ error: { code: "no-database", message: "no database at .recert/recert.sqlite: pass --db (the demo's is .recert/demo.sqlite), or create one with `recert db init`" } }, null, 2)
    })
    mkdirSync(join(empty, ".recert"))
    await Effect.runPromise(seed(join(empty, ".recert", "recert.sqlite")))
    expect((await run(["explain", "case-101", ...at], { cwd: empty })).exitCode).toBe(0)
  })

  it("DATABASE_URL is used when there is no --db", async () => {
    const r = await run(["explain", "case-101", ...at], { env: { DATABASE_URL: db } })
    expect(r.exitCode).toBe(0)
    expect(r.stdout.split("\n")[0]).toBe("case case-101: refresh")
  })

  it("a malformed RECERT_ENCRYPTION_KEY is reported, never echoed", async () => {
    const r = await recert(["explain", "case-101", "--json"], { env: { RECERT_ENCRYPTION_KEY: "not-a-key!" } })
    expect(r.exitCode).toBe(2)
    expect(r.stderr).not.toContain("not-a-key!")
    expect((JSON.parse(r.stderr) as { error: { code: string } }).error.code).toBe("encryption-key")
  })

  it("a file that is not a Recert database: exit 2, create one with db init", async () => {
    const other = join(dir, "other.sqlite")
    writeFileSync(other, "")
    expect(await run(["queue", "--db", other])).toEqual({
      exitCode: 2, stdout: "", stderr: `recert: ${other}: holds no Recert schema (nothing was created): create it first, or name the right database: create one with \`recert db init\`, or pass --db with an existing database`
    })
  })
})

describe("recert due", () => {
  it("the cases due within 30 days, soonest first", async () => {
    expect(await recert(["due", ...at])).toEqual({ exitCode: 0, stderr: "", stdout: `CASE      DUE                       WHEN       CYCLE    LINEAGE  PRODUCT     CONNECTIONS  LAST VERIFIED
case-103  2026-11-25T00:00:00.000Z  in 3 days  annual   ord-103  employment  2            -
case-102  2026-11-30T00:00:00.000Z  in 8 days  monthly  ord-102  income      1            -
case-101  2026-12-01T00:00:00.000Z  in 9 days  annual   ord-101  income      1            -

3 case(s) due by 2026-12-22T10:00:00.000Z` })
  })

  it("--within narrows it; --json gives { at, until, count, cases }", async () => {
    const r = await recert(["due", "--within", "5d", ...at, "--json"])
    expect(JSON.parse(r.stdout)).toEqual({
      at: "2026-11-22T10:00:00.000Z", until: "2026-11-27T10:00:00.000Z", count: 1,
      cases: [{ id: "case-103", dueAt: "2026-11-25T00:00:00.000Z", cycle: "annual", rootOrderId: "ord-103", product: "employment", lastVerifiedAt: null, orderType: "employment", connections: 2 }]
    })
    expect((await recert(["due", "--within", "1h", ...at])).stdout).toBe("no case due by 2026-11-22T11:00:00.000Z")
  })

  it("overdue cases are listed as such", async () => {
    const r = await recert(["due", "--at", "2026-11-27"])
    expect(r.stdout.split("\n")[1]).toBe("case-103  2026-11-25T00:00:00.000Z  2 days overdue  annual   ord-103  employment  2            -")
  })

  it("a malformed duration: exit 2", async () => {
    expect(await recert(["due", "--within", "30 days"])).toEqual({
      exitCode: 2, stdout: "", stderr: "recert: Invalid value for flag --within: \"30 days\". Expected: a duration such as 30d, 12h, 90m, 30s, 500ms or 1h30m (units w d h m s ms, largest first)\nSee `recert due --help`."
    })
  })
})

describe("recert plan", () => {
  it("one action per due case and the expected cost", async () => {
    expect(await recert(["plan", ...at])).toEqual({ exitCode: 0, stderr: "", stdout: `plan at 2026-11-22T10:00:00.000Z (cases due by 2026-12-22T10:00:00.000Z, lead time 30 days)

CASE      DUE                       ACTION          CONNECTIONS  BILLED  FREE  NEXT ELIGIBLE             CHOSEN                            WHY
case-103  2026-11-25T00:00:00.000Z  reauthenticate  2 re-auth    0       0     -                         client 2026-11-22T10:00:00.000Z   OAuth connection last authenticated 2026-04-01, 235 days ago (valid 180)
case-102  2026-11-30T00:00:00.000Z  wait            1 wait       0       0     2026-11-22T12:02:00.000Z  refresh 2026-11-22T10:00:00.000Z  3 refreshes of this connection in the last 24 h (limit 3); the next is allowed at 2026-11-22T12:02:00.000Z (the window plus the 120 s clock guard), in 2 h 2 min
case-101  2026-12-01T00:00:00.000Z  refresh         1 refresh    1       0     -                         refresh 2026-11-22T10:00:00.000Z  refresh 1 of 1 connection(s)

case-103: client at 2026-11-22T10:00:00.000Z (expiry.before-window): straight to the client at 2026-11-22T10:00Z: the window (lead time 30 days before the due date 2026-11-25) opens 2026-10-26T00:00Z, but the connection is predicted to expire 2026-09-28T00:00Z; less the clock guard 120 s, a refresh must be sent before 2026-09-27T23:58Z, so it is dead for the whole window (a refresh would fail and be billed)
case-102: refresh at 2026-11-22T10:00:00.000Z (window.open): refresh now: the window (lead time 30 days before the due date 2026-11-30) opens 2026-10-31T00:00Z; the connection is predicted to expire 2027-04-13T00:00Z; less the clock guard 120 s, a refresh must be sent before 2027-04-12T23:58Z; a failure still leaves the client a full link (72 weekday hours) before 2026-11-30T00:00Z if sent by 2026-11-25T00:00Z
case-101: refresh at 2026-11-22T10:00:00.000Z (window.open): refresh now: the window (lead time 30 days before the due date 2026-12-01) opens 2026-11-01T00:00Z; the connection is predicted to expire 2027-02-28T00:00Z; less the clock guard 120 s, a refresh must be sent before 2027-02-27T23:58Z; a failure still leaves the client a full link (72 weekday hours) before 2026-12-01T00:00Z if sent by 2026-11-26T00:00Z

3 case(s): 1 refresh, 1 reauthenticate, 1 wait
expected cost: 1 billed, 0 free verification(s)` })
  })

  it("--at a later instant brings more cases in; --json is core's Plan", async () => {
    const r = await recert(["plan", "--at", "2027-02-15", "--json"])
    const plan = JSON.parse(r.stdout) as { at: string; items: Array<{ caseId: string; action: string }>; totals: Record<string, unknown> }
    expect(plan.at).toBe("2027-02-15T00:00:00.000Z")
    expect(plan.items.map((i) => [i.caseId, i.action])).toEqual([["case-103", "reauthenticate"], ["case-102", "refresh"], ["case-101", "refresh"], ["case-104", "refresh"]])
    expect(plan.totals).toEqual({
      cases: 4, due: 4, actions: { refresh: 3, reauthenticate: 1, "new-order": 0, wait: 0, nothing: 0 }, invalid: 0, billedVerifications: 3, freeVerifications: 0
    })
  })

  it("changes nothing: the ledger and the decision log are the same after a plan", async () => {
    const before = await recert(["stats", "--since", "2026-01-01", "--json"])
    await recert(["plan", ...at])
    await recert(["explain", "case-101", ...at])
    expect((await recert(["stats", "--since", "2026-01-01", "--json"])).stdout).toBe(before.stdout)
  })
})

describe("recert ledger", () => {
  it("a case's ledger, with what counted and what was billed", async () => {
    expect(await recert(["ledger", "case-101"])).toEqual({ exitCode: 0, stderr: "", stdout: `case case-101: 2 attempt(s), 1 counted against the limits

ATTEMPT    AT                        PRODUCT  CONNECTIONS  STATUS                    ORDER       BILLING     OUTCOMES
att-101-1  2026-11-22T08:00:00.000Z  income   link-101     rejected (refresh-limit)  -           not billed  -
att-101-2  2026-11-22T09:00:00.000Z  income   link-101     succeeded                 ord-101-r1  billed      link-101=done` })
  })

  it("a connection's ledger", async () => {
    expect(await recert(["ledger", "link-102"])).toEqual({ exitCode: 0, stderr: "", stdout: `connection link-102: 3 attempt(s), 3 counted against the limits

ATTEMPT    AT                        PRODUCT  CONNECTIONS  STATUS     ORDER       BILLING     OUTCOMES
att-102-1  2026-11-21T12:00:00.000Z  income   link-102     succeeded  ord-102-r1  free (GSE)  link-102=done
att-102-2  2026-11-21T18:00:00.000Z  income   link-102     succeeded  ord-102-r2  free (GSE)  link-102=done
att-102-3  2026-11-22T08:00:00.000Z  income   link-102     succeeded  ord-102-r3  free (GSE)  link-102=done` })
  })

  it("a connection without refreshes is not an error; an unknown id is", async () => {
    expect((await recert(["ledger", "link-104"])).stdout).toBe("connection link-104: 0 attempt(s), 0 counted against the limits")
    expect(await recert(["ledger", "nope"])).toEqual({ exitCode: 1, stdout: "", stderr: "recert: no case or connection with id \"nope\"" })
  })

  it("--json: { kind, id, attempts } with core's attempts", async () => {
    const r = JSON.parse((await recert(["ledger", "case-103", "--json"])).stdout) as unknown
    expect(r).toEqual({
      kind: "case", id: "case-103", attempts: [{
        id: "att-103-1", at: "2026-11-20T10:00:00.000Z", product: "employment", connectionIds: ["link-103b"], status: "failed",
        orderId: "ord-103-r1", rejection: null, outcomes: { "link-103b": "login_error" }, resolvedAt: "2026-11-20T10:03:00.000Z", gseFree: false
      }]
    })
  })
})

describe("recert case", () => {
  it("prints the case's timeline in order: attempts, requests and their transitions, decisions; --json the same events", async () => {
    expect(await recert(["case", "case-103"])).toEqual({ exitCode: 0, stderr: "", stdout: `case case-103: 5 event(s)
AT                        WHAT      EVENT
2026-11-20T10:00:00.000Z  attempt   refresh att-103-1 (employment) of link-103b: failed, order ord-103-r1
2026-11-20T10:03:00.000Z  attempt   refresh att-103-1 resolved: link-103b=login_error
2026-11-20T10:05:00.000Z  request   request 1 (bridge-update for link-103a link-103b) created: queued
2026-11-22T09:30:00.000Z  decision  reauthenticate [connection.auth-expired] [connection.needs-user]
2026-11-22T09:30:00.000Z  request   request 1 (bridge-update for link-103a link-103b) created -> sent: queued with Truv's answer` })
    const json = JSON.parse((await recert(["case", "case-103", "--json"])).stdout) as { caseId: string; events: Array<Record<string, unknown>> }
    expect(json.caseId).toBe("case-103")
    expect(json.events.map((e) => [e["at"], e["kind"]])).toEqual([
      ["2026-11-20T10:00:00.000Z", "attempt"], ["2026-11-20T10:03:00.000Z", "attempt"], ["2026-11-20T10:05:00.000Z", "request"],
      ["2026-11-22T09:30:00.000Z", "decision"], ["2026-11-22T09:30:00.000Z", "request"]
    ])
    // No token, link or contact in the timeline.
    expect(JSON.stringify(json)).not.toContain("bridge-token-103")
  })

  it("an unknown case exits 2 naming it, as text and as JSON", async () => {
    expect(await recert(["case", "case-999"])).toEqual({ exitCode: 2, stdout: "", stderr: "recert: no case with id \"case-999\": `recert cases` lists them" })
    expect(await recert(["case", "case-999", "--json"])).toEqual({
      exitCode: 2, stdout: "", stderr: JSON.stringify({ error: { code: "unknown-case", message: "no case with id \"case-999\": `recert cases` lists them" } }, null, 2)
    })
  })
})

describe("recert queue and recert stats", () => {
  it("the verification-link queue", async () => {
    expect(await recert(["queue"], { now: "2026-11-22T10:05:00Z" })).toEqual({ exitCode: 0, stderr: "", stdout: `ID  CASE      KIND           STATE  AGE    REMINDERS  EXPIRES                   CONNECTIONS          REASON                   CREATED                   LINK                DETAIL
1   case-103  bridge-update  sent   2d 0h  0          2026-11-20T16:05:00.000Z  link-103a link-103b  connection.auth-expired  2026-11-20T10:05:00.000Z  bridge token ready  OAuth connection expired; session connection failed with login_error

1 open entry` })
    const json = JSON.parse((await recert(["queue", "--json"], { now: "2026-11-22T10:05:00Z" })).stdout) as { open: number; entries: Array<Record<string, unknown>> }
    expect(json.open).toBe(1)
    expect(json.entries[0]).toEqual({
      caseId: "case-103", kind: "bridge-update", connectionIds: ["link-103a", "link-103b"], reason: "connection.auth-expired",
      detail: "OAuth connection expired; session connection failed with login_error", bridgeToken: "bridge-token-103", shareUrl: null,
      orderId: null, createdAt: "2026-11-20T10:05:00.000Z", attemptId: null, id: 1, resolvedAt: null, resolution: null,
      lifecycle: { state: "sent", ageHours: 48, reminders: 0, lastRemindedAt: null, expiresAt: "2026-11-20T16:05:00.000Z", nextDueAt: "2026-11-20T12:05:00.000Z" }
    })
  })

  it("queue resolve: an open entry once (handled, or --as superseded); an unknown or resolved entry exits 1 naming it; a bad --as exits 2", async () => {
    // A copy: the other tests read the seeded queue's open entry.
    const copy = join(dir, "resolve.sqlite")
    for (const ext of ["", "-wal", "-shm"]) if (existsSync(`${db}${ext}`)) copyFileSync(`${db}${ext}`, `${copy}${ext}`)
    const r = (args: ReadonlyArray<string>) => run([...args, "--db", copy], { now: "2026-11-22T11:00:00Z" })
    expect(await r(["queue", "resolve", "1"])).toEqual({
      exitCode: 0, stderr: "", stdout: "resolved entry 1 (bridge-update for case-103) as handled at 2026-11-22T11:00:00.000Z: the case's next renewal may ask the user again"
    })
    expect(await r(["queue", "resolve", "1"])).toEqual({
      exitCode: 1, stdout: "", stderr: "recert: entry 1 was already resolved at 2026-11-22T11:00:00.000Z (handled): nothing changed"
    })
    expect(await r(["queue", "resolve", "7"])).toEqual({
      exitCode: 1, stdout: "", stderr: "recert: no verification queue entry 7: `recert queue --all` lists them"
    })
    expect(await r(["queue", "resolve", "7", "--json"])).toEqual({
      exitCode: 1, stdout: "", stderr: JSON.stringify({ error: { code: "unknown-entry", message: "no verification queue entry 7: `recert queue --all` lists them" } }, null, 2)
    })
    const bad = await r(["queue", "resolve", "1", "--as", "bogus"])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain(`Invalid value for flag --as: "bogus". Expected: "handled" | "superseded"`)
    const json = JSON.parse((await r(["queue", "--all", "--json"])).stdout) as { open: number; entries: Array<Record<string, unknown>> }
    expect({ open: json.open, entries: json.entries.map((e) => [e["id"], e["resolvedAt"], e["resolution"]]) }).toEqual({ open: 0, entries: [[1, "2026-11-22T11:00:00.000Z", "handled"]] })
    expect(await r(["queue"])).toEqual({ exitCode: 0, stderr: "", stdout: "the verification queue is empty" })
  })

  it("stats since an instant", async () => {
    expect(await recert(["stats", "--since", "2026-11-21T10:00:00Z"])).toEqual({ exitCode: 0, stderr: "", stdout: `stats since 2026-11-21T10:00:00.000Z
  cases by verdict                        1 reauthenticate, 1 refresh, 1 wait
  attempts by status                      1 rejected, 4 succeeded
  refreshes
    sent (refresh orders Truv created)    4
    billed verifications                  1
    free verifications (GSE quota)        3
    not billed (no_data)                  0
    awaiting outcome                      0
    unconfirmed (fate unknown)            0
  limit violations attempted              1
  verification queue                      1 open` })
  })

  it("stats default to the last 24 hours; --json is the store's figures", async () => {
    const r = await recert(["stats", "--json"], { now: "2026-11-22T10:00:00Z" })
    expect(JSON.parse(r.stdout)).toEqual({
      since: "2026-11-21T10:00:00.000Z", casesByVerdict: { reauthenticate: 1, refresh: 1, wait: 1 }, attemptsByStatus: { rejected: 1, succeeded: 4 },
      refreshes: { sent: 4, billed: 1, free: 3, notBilled: 0, awaitingOutcome: 0, unconfirmed: 0 }, limitViolationsAttempted: 1,
      refreshesBilled: 1, refreshesFree: 3, limitRejections: 1, verificationQueueOpen: 1
    })
    expect((await recert(["stats", "--since", "yesterday"])).exitCode).toBe(2)
  })
})

describe("recert cases import and recert db migrate", () => {
  /** Rows end with the client's contact (issue 16: the default reach mode, truv-sends, needs a name and an email or phone). */
  const csv = (name: string, lines: ReadonlyArray<string>, header = "id,dueAt,cycle,rootOrderId,product,lastVerifiedAt,firstName,lastName,email") => {
    const file = join(dir, name)
    writeFileSync(file, [header, ...lines].join("\n") + "\n")
    return file
  }
  const ANN = "Ann,Lee,ann@example.org"
  // The seeded database's key (scripts/seed.ts): contacts are stored encrypted under it.
  const keyed = { env: { RECERT_ENCRYPTION_KEY: "a".repeat(64) } }

  it("db init creates a database; db migrate then finds it up to date; db migrate never creates one", async () => {
    const fresh = join(dir, "fresh", "recert.sqlite")
    const typo = join(dir, "fresh", "recert.sqlit")
    expect((await run(["db", "migrate", "--db", typo])).exitCode).toBe(1)
    expect(existsSync(typo)).toBe(false)
    expect(await run(["db", "init", "--db", fresh])).toEqual({
      exitCode: 0, stderr: "", stdout: `${fresh}: applied 15 migration(s): 0001_initial, 0002_webhook_claims, 0003_follow_ups, 0004_verification_resolution, 0005_verification_results, 0006_store_meta, 0007_truv_budget, 0008_verification_intents, 0009_client_contact, 0010_request_lifecycle, 0011_outbox, 0012_timing, 0014_retention, 0016_link_deletion, 0018_attempt_writers\nschema version 0018_attempt_writers (latest known 0018_attempt_writers)`
    })
    expect(JSON.parse((await run(["db", "migrate", "--db", fresh, "--json"])).stdout)).toEqual({
      applied: [], version: { current: "0018_attempt_writers", latest: "0018_attempt_writers", pending: [], unknown: [] }
    })
  })

  it("an invalid file: exit 1, every problem with its line, nothing written", async () => {
    const bad = csv("bad.csv", [`case-201,2026-12-10T00:00:00Z,annual,ord-104,,,${ANN}`, `case-202,2026-12-11,monthly,ord-104,assets,,${ANN}`, `case-203,2026-12-12T00:00:00Z,weekly,ord-104,,,${ANN}`])
    expect(await recert(["cases", "import", bad])).toEqual({ exitCode: 1, stdout: "", stderr: `recert: import of ${bad} refused: 2 problem(s), nothing was written
  line 3, dueAt: Invalid ISO datetime
  line 4, cycle: Invalid option: expected one of "annual"|"semiannual"|"quarterly"|"monthly"|"ad-hoc"` })
    expect(JSON.parse((await recert(["cases", "import", bad, "--json"])).stderr)).toEqual({ error: {
      code: "import-refused", message: `import of ${bad} refused: 2 problem(s), nothing was written`,
      issues: [
        { line: 3, path: "dueAt", message: "Invalid ISO datetime" },
        { line: 4, path: "cycle", message: "Invalid option: expected one of \"annual\"|\"semiannual\"|\"quarterly\"|\"monthly\"|\"ad-hoc\"" }
      ]
    } })
    expect((await recert(["explain", "case-201"])).exitCode).toBe(1)
  })

  it("a valid file is imported whole; importing it again is refused whole", async () => {
    const good = csv("good.csv", [`case-201,2026-12-10T00:00:00Z,annual,ord-104,,,${ANN}`, "case-202,2026-12-11T00:00:00Z,monthly,ord-104,assets,,Bo,Li,bo@example.org"])
    expect(await recert(["cases", "import", good], keyed)).toEqual({ exitCode: 0, stderr: "", stdout: `imported 2 case(s) from ${good}` })
    expect((await recert(["due", ...at, "--json"])).stdout).toContain("\"case-202\"")
    expect(await recert(["cases", "import", good], keyed)).toEqual({ exitCode: 1, stdout: "", stderr: `recert: import of ${good} refused: 2 problem(s), nothing was written
  line 2, id: case "case-201" already exists
  line 3, id: case "case-202" already exists` })
  })

  it("JSON files too; the format comes from the extension or --format", async () => {
    const file = join(dir, "cases.json")
    writeFileSync(file, JSON.stringify([{ id: "case-301", dueAt: "2026-12-20T00:00:00Z", cycle: "quarterly", rootOrderId: "ord-104", firstName: "Zoë", lastName: "Ñúñez", phone: "(415) 555-0123" }]))
    expect(JSON.parse((await recert(["cases", "import", file, "--json"], keyed)).stdout)).toEqual({ imported: 1 })
    const txt = join(dir, "cases.txt")
    writeFileSync(txt, "[]")
    expect(await recert(["cases", "import", txt])).toEqual({
      exitCode: 2, stdout: "", stderr: `recert: cannot tell the format of ${txt}: name it .csv, .json or .jsonl, or pass --format csv|json`
    })
    expect(await recert(["cases", "import", txt, "--format", "json", "--json"])).toEqual({ exitCode: 0, stderr: "", stdout: JSON.stringify({ imported: 0 }, null, 2) })
  })

  it("the client's contact: malformed or missing for the reach mode is refused by line and field, never quoted; nothing written", async () => {
    const file = csv("contacts.csv", [
      "case-401,2026-12-10T00:00:00Z,annual,ord-104,,,Ann,Lee,ann.example.org",
      "case-402,2026-12-10T00:00:00Z,annual,ord-104,,,Bo,,",
      "case-403,2026-12-10T00:00:00Z,annual,ord-104,,,李,小龙,li@example.org"
    ])
    expect(await recert(["cases", "import", file], keyed)).toEqual({ exitCode: 1, stdout: "", stderr: `recert: import of ${file} refused: 3 problem(s), nothing was written
  line 2, email: expected an email address (name@example.org)
  line 3, lastName: required (reach mode truv-sends: a new Truv order carries the client's name)
  line 3, email: an email or a phone is required (reach mode truv-sends: Truv sends the link to it)` })
    // agency-sends needs the names only: line 3 still lacks its last name.
    expect((await recert(["cases", "import", file, "--client-reach", "agency-sends"], keyed)).stderr).toBe(`recert: import of ${file} refused: 2 problem(s), nothing was written
  line 2, email: expected an email address (name@example.org)
  line 3, lastName: required (reach mode agency-sends: a new Truv order carries the client's name)`)
    expect((await recert(["explain", "case-403"])).exitCode).toBe(1)
    // Under bridge no contact is required; the malformed email is still refused.
    const bridge = csv("bridge.csv", ["case-404,2026-12-10T00:00:00Z,annual,ord-104,,,,,"])
    expect(await recert(["cases", "import", bridge], { env: { RECERT_CLIENT_REACH: "bridge" } })).toEqual({ exitCode: 0, stderr: "", stdout: `imported 1 case(s) from ${bridge}` })
  })

  it("a bad reach mode is a usage error naming where it came from (exit 2); contacts need the encryption key", async () => {
    const file = csv("reach.csv", [`case-501,2026-12-10T00:00:00Z,annual,ord-104,,,${ANN}`])
    expect(await recert(["cases", "import", file, "--client-reach", "email"])).toEqual({
      exitCode: 2, stdout: "", stderr: "recert: --client-reach: expected one of truv-sends, agency-sends, bridge; got \"email\""
    })
    expect(await recert(["cases", "import", file], { env: { RECERT_CLIENT_REACH: "sms" } })).toEqual({
      exitCode: 2, stdout: "", stderr: "recert: RECERT_CLIENT_REACH: expected one of truv-sends, agency-sends, bridge; got \"sms\""
    })
    const keyless = await recert(["cases", "import", file])
    expect([keyless.exitCode, keyless.stderr]).toEqual([1, `recert: ${db}: importCases: case case-501: cannot store the client's contact: no encryption key configured (set RECERT_ENCRYPTION_KEY)`])
    expect((await recert(["explain", "case-501"])).exitCode).toBe(1)
  })
})

describe("colour", () => {
  it("on a terminal: verdicts and headers coloured; never in JSON or in errors", async () => {
    const table = await recert(["plan", ...at], { color: true })
    expect(table.stdout).toContain("\u001b[1mCASE")
    expect(table.stdout).toContain("\u001b[33mwait\u001b[0m")
    for (const args of [["plan", ...at, "--json"], ["explain", "case-102", ...at, "--json"], ["ledger", "case-101", "--json"]]) {
      expect((await recert(args, { color: true })).stdout).not.toContain("\u001b[")
    }
    expect((await recert(["explain", "nope"], { color: true })).stderr).toBe("recert: no case with id \"nope\"")
  })
})

describe("help and completions", () => {
  it("--help lists every command with examples", async () => {
    const r = await run(["--help"])
    expect(r.exitCode).toBe(0)
    for (const name of ["explain", "decide", "schema", "due", "plan", "ledger", "queue", "stats", "cases", "db"]) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, "m"))
    expect(r.stdout).toContain("recert explain case-17")
  })

  it("every command has --help with examples", async () => {
    for (const args of [["explain"], ["decide"], ["schema"], ["due"], ["plan"], ["ledger"], ["queue"], ["stats"], ["cases", "import"], ["db", "migrate"]]) {
      const r = await run([...args, "--help"])
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toContain("EXAMPLES")
      expect(r.stdout).toContain("--json")
    }
  })

  it("prints shell completions", async () => {
    const r = await run(["--completions", "bash"])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("recert")
    expect(r.stdout).toContain("explain")
  })
})
