/**
 * The same commands on Postgres (`--db postgres://...`), in a database of its own created for the
 * suite and dropped afterwards (other engineers share the server). Skipped when no Postgres
 * answers at `postgres://postgres@127.0.0.1:5432` (or `RECERT_TEST_POSTGRES`).
 */
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { NOW, seed } from "../scripts/seed.js"
import { redactUrl } from "../src/database.js"
import { run } from "./helpers.js"

const SERVER = process.env["RECERT_TEST_POSTGRES"] ?? "postgres://postgres@127.0.0.1:5432"
const NAME = `recert_cli_${randomBytes(4).toString("hex")}`
const URL = `${SERVER}/${NAME}`

const psql = (sql: string): boolean => {
  try {
    execFileSync("psql", [`${SERVER}/postgres`, "-Atc", sql], { stdio: "ignore", timeout: 10_000 })
    return true
  } catch {
    return false
  }
}

const available = psql("select 1")

describe.skipIf(!available)("on Postgres", () => {
  beforeAll(async () => {
    expect(psql(`create database ${NAME}`)).toBe(true)
    await Effect.runPromise(seed(URL))
  })
  afterAll(() => {
    psql(`drop database if exists ${NAME} with (force)`)
  })

  it("explain, ledger, due and stats read the same world as on SQLite", async () => {
    const explain = await run(["explain", "case-102", "--db", URL, "--at", NOW, "--json"])
    expect(explain.exitCode).toBe(0)
    expect((JSON.parse(explain.stdout) as { decision: { verdict: string; nextEligibleAt: string } }).decision)
      .toMatchObject({ verdict: "wait", nextEligibleAt: "2026-11-22T12:02:00.000Z" })
    expect((await run(["ledger", "link-102", "--db", URL])).stdout.split("\n")[0]).toBe("connection link-102: 3 attempt(s), 3 counted against the limits")
    expect((await run(["due", "--db", URL, "--at", NOW])).stdout.split("\n").at(-1)).toBe("3 case(s) due by 2026-12-22T10:00:00.000Z")
    const stats = JSON.parse((await run(["stats", "--db", URL, "--since", "2026-11-21T10:00:00Z", "--json"])).stdout) as Record<string, unknown>
    expect(stats).toMatchObject({ refreshesBilled: 1, refreshesFree: 3, limitRejections: 1, verificationQueueOpen: 1 })
  })

  it("errors name the database without its password", async () => {
    const withPassword = SERVER.replace("postgres://postgres@", "postgres://postgres:hunter2@")
    const r = await run(["explain", "case-101", "--json", "--db", `${withPassword}/${NAME}_missing`])
    // A database that does not exist on the server is configuration: exit 2, named without the password.
    expect(r.exitCode).toBe(2)
    expect(r.stderr).not.toContain("hunter2")
    expect((JSON.parse(r.stderr) as { error: { code: string; message: string } }).error).toMatchObject({ code: "database-unusable", message: expect.stringContaining(":***@") })
    expect(redactUrl(`${withPassword}/${NAME}`)).toBe(`${SERVER.replace("postgres://postgres@", "postgres://postgres:***@")}/${NAME}`)
  })
})
