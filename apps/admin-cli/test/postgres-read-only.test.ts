/**
 * Issue 14: a reading command can never write, and works for a role with only SELECT grants (a
 * support login). A database of its own on the Postgres server (seeded as the other Postgres
 * tests), a role `recert_ro_<hex>` that can log in (trust auth here) and only SELECT; `due`,
 * `explain` and `stats` run in-process with `--db` as that role and read what the owner wrote,
 * while a command that writes is refused by the server. Skipped when no Postgres answers.
 */
import { Effect, Option } from "effect"
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { NOW, seed } from "../scripts/seed.js"
import { withStore } from "../src/database.js"
import { CliEnvironment } from "../src/environment.js"
import { run } from "./helpers.js"

const SERVER = process.env["RECERT_TEST_POSTGRES"] ?? "postgres://postgres@127.0.0.1:5432"
const NAME = `recert_ro_${randomBytes(4).toString("hex")}`
const ROLE = NAME
const OWNER_URL = `${SERVER}/${NAME}`
const READER_URL = `${SERVER.replace(/\/\/[^@/]+@/, `//${ROLE}@`)}/${NAME}`

const psql = (database: string, sql: string): boolean => {
  try {
    execFileSync("psql", [`${SERVER}/${database}`, "-v", "ON_ERROR_STOP=1", "-Atc", sql], { stdio: "ignore", timeout: 10_000 })
    return true
  } catch {
    return false
  }
}

/** The first column of the query's rows, one per line. */
const psqlRows = (database: string, sql: string): string =>
  execFileSync("psql", [`${SERVER}/${database}`, "-v", "ON_ERROR_STOP=1", "-Atc", sql], { encoding: "utf8", timeout: 10_000 }).trim()

const available = psql("postgres", "select 1")

describe.skipIf(!available)("reading commands on Postgres as a role with only SELECT", () => {
  beforeAll(async () => {
    expect(psql("postgres", `create database ${NAME}`)).toBe(true)
    await Effect.runPromise(seed(OWNER_URL))
    expect(psql("postgres", `create role ${ROLE} login`)).toBe(true)
    expect(psql(NAME, `grant select on all tables in schema public to ${ROLE}`)).toBe(true)
  })
  afterAll(() => {
    psql("postgres", `drop database if exists ${NAME} with (force)`)
    psql("postgres", `drop role if exists ${ROLE}`)
  })

  it("due, explain and stats read what the owner wrote", async () => {
    const due = await run(["due", "--db", READER_URL, "--at", NOW])
    expect([due.exitCode, due.stdout.split("\n").at(-1)]).toEqual([0, "3 case(s) due by 2026-12-22T10:00:00.000Z"])
    const explain = await run(["explain", "case-102", "--db", READER_URL, "--at", NOW, "--json"])
    expect(explain.exitCode).toBe(0)
    expect((JSON.parse(explain.stdout) as { decision: { verdict: string } }).decision.verdict).toBe("wait")
    const stats = await run(["stats", "--db", READER_URL, "--since", "2026-11-21T10:00:00Z", "--json"])
    expect(stats.exitCode).toBe(0)
    expect(JSON.parse(stats.stdout)).toMatchObject({ refreshesBilled: 1, refreshesFree: 3, limitRejections: 1, verificationQueueOpen: 1 })
  })

  it("redact --dry-run reads as that role (issue 19: it opened the database for writing)", async () => {
    const dry = await run(["redact", "--dry-run", "--db", READER_URL, "--json"])
    expect([dry.exitCode, dry.stderr]).toEqual([0, ""])
    expect((JSON.parse(dry.stdout) as { dryRun: boolean }).dryRun).toBe(true)
  })

  it("a reading command's store cannot write, even as the owner: the server refuses it in the session", async () => {
    const attempt = withStore(Option.some(OWNER_URL), "read", (store) => store.insertCases([{ id: "case-new", dueAt: NOW, cycle: "annual", rootOrderId: "ord-101" }]))
    const error = await Effect.runPromise(Effect.flip(attempt).pipe(Effect.provideService(CliEnvironment, { cwd: process.cwd(), env: {} })))
    expect(error).toMatchObject({ _tag: "CommandFailed", code: "database", message: `${OWNER_URL}: insertCases: cannot execute INSERT in a read-only transaction` })
    expect(psqlRows(NAME, "select count(*) from cases where id = 'case-new'")).toBe("0")
  })
})
