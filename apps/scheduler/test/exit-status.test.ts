/**
 * `run`'s exit code and report cannot lie (issues 14 and 15), as processes against the in-process
 * sandbox: a pass whose every Truv call is refused (wrong secret, 401), whose Truv is unreachable
 * (a closed port), whose store fails (a read-only Postgres database; a SQLite database whose writes
 * fail) exits 1 with one line saying why and a report with `status: "failed"`; a pass with a case
 * that cannot be loaded (a bad imported row) and a case whose stored access token does not decrypt
 * exits 3, `degraded`, both listed with their reason. Every report accounts for every due case:
 * `due.total = processed + unloadable + notReached`. Before this, each of them exited 0 (the
 * read-only database exited 1 with no report), and the undecryptable case was missing from the report.
 */
import { createServer } from "node:net"
import { openDatabase } from "@recert/store"
import { Effect, Redacted } from "effect"
import { sql } from "kysely"
import { afterAll, describe, expect, it } from "vitest"
import { exitOf, postgresOwnDatabase, type Proc, startScheduler } from "./support/processes.js"
import { seededProcessWorld } from "./support/seeded-world.js"
import { getStore, postgresUnavailable, sqliteDatabase, type TestDatabase } from "./support/world.js"

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.warn("cleanup failed", e))
})

interface Report {
  readonly status: string
  readonly reasons: ReadonlyArray<{ readonly code: string; readonly message: string }>
  readonly due: { readonly total: number; readonly processed: number; readonly unloadable: number; readonly notReached: number }
  readonly unloadable: ReadonlyArray<{ readonly caseId: string; readonly reason: string }>
  readonly failed: ReadonlyArray<{ readonly caseId: string; readonly reason: string }>
  readonly cases: { readonly total: number; readonly byOutcome: Record<string, number> }
  readonly refreshes: Record<string, number>
  readonly stopped: boolean
}

const seeded = (db: TestDatabase, counts: Readonly<Record<string, number>>) => seededProcessWorld(db, counts, cleanups)

const track = (p: Proc): Proc => {
  cleanups.push(async () => { if (p.running()) p.child.kill("SIGKILL") })
  return p
}

/** Lines of stderr that are not the structured (JSON) logs: what the operator reads. */
const plainLines = (stderr: string): Array<string> => stderr.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("{"))

const runJson = async (env: Record<string, string>, ms = 60_000) => {
  const p = track(startScheduler(["run", "--json", "--worker-id", "w-exit", "--concurrency", "4"], env))
  const started = Date.now()
  const { code } = await exitOf(p, ms)
  return {
    code, lines: plainLines(p.stderr), out: `${p.stdout}\n${p.stderr}`, ms: Date.now() - started,
    /** The --json report; every due case in it once: processed, could not be loaded, or not reached. */
    get report(): Report {
      const report = JSON.parse(p.stdout) as Report
      expect(report.due.total).toBe(report.due.processed + report.due.unloadable + report.due.notReached)
      return report
    }
  }
}

const closedPort = async (): Promise<number> => {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

describe("run: a failed pass exits 1 with one line and a report that says so", () => {
  it("Truv refuses the secret (401): exit 1, status failed (truv.unauthorized), the pass stops at the first refusal", async () => {
    const { env } = await seeded(sqliteDatabase(), { healthy: 2, "oauth-expired": 1 })
    const wrong = "sandbox-wrong-secret-5e1f0c"
    const r = await runJson({ ...env, TRUV_SECRET: wrong })
    expect(r.code, r.out).toBe(1)
    expect(r.lines).toHaveLength(1)
    expect(r.lines[0]).toMatch(new RegExp("^recert-scheduler: pass failed: Truv refused our credentials \\(401\\) on POST /v1/(orders|users)/\\{id\\}/(tokens/)?: " +
      "Invalid client id or secret\\. \\(check TRUV_CLIENT_ID and TRUV_SECRET\\); no due case could be processed: 3 cases failed, 0 could not be loaded$"))
    expect(r.report.status).toBe("failed")
    expect(r.report.reasons[0]!.code).toBe("truv.unauthorized")
    expect(r.report.reasons.map((x) => x.code)).toContain("cases.none-processed")
    expect(r.report.due).toEqual({ total: 3, processed: 3, unloadable: 0, notReached: 0 })
    expect(r.report.cases.byOutcome).toEqual({ failed: 3 })
    expect(r.report.failed.map((f) => f.caseId)).toEqual(["case-healthy-0001", "case-healthy-0002", "case-oauth-expired-0001"])
    expect(r.report.refreshes).toMatchObject({ sent: 0, billed: 0 })
    expect(r.out).not.toContain(wrong)
  }, 120_000)

  it("Truv unreachable (a closed port): exit 1, status failed (truv.unreachable)", async () => {
    const { env } = await seeded(sqliteDatabase(), { healthy: 2, "oauth-expired": 1 })
    const r = await runJson({ ...env, TRUV_BASE_URL: `http://127.0.0.1:${await closedPort()}` })
    expect(r.code, r.out).toBe(1)
    expect(r.lines).toHaveLength(1)
    expect(r.lines[0]).toMatch(/^recert-scheduler: pass failed: Truv unreachable: none of \d+ calls got an answer \(last: .*ECONNREFUSED.*\)$/)
    expect(r.report.status).toBe("failed")
    expect(r.report.reasons[0]!.code).toBe("truv.unreachable")
    expect(r.report.due).toEqual({ total: 3, processed: 3, unloadable: 0, notReached: 0 })
    expect(r.report.refreshes).toMatchObject({ sent: 0, billed: 0 })
  }, 120_000)

  it("a read-only store (Postgres, default_transaction_read_only): exit 1, status failed (store.failing), the report printed, the run ends", async (ctx) => {
    const why = await postgresUnavailable()
    if (why !== null) {
      if (process.env["CI"] === "true") throw new Error(why)
      return ctx.skip(why)
    }
    const db = await postgresOwnDatabase()
    const { world, env } = await seeded(db, { healthy: 2, "oauth-expired": 1 })
    await world.store.close()
    const raw = openDatabase(db.url)
    try {
      await sql.raw(`alter database ${new URL(db.url).pathname.slice(1)} set default_transaction_read_only = on`).execute(raw.db)
    } finally {
      await raw.db.destroy()
    }
    const r = await runJson(env)
    expect(r.code, r.out).toBe(1)
    expect(r.lines).toHaveLength(1)
    expect(r.lines[0]).toMatch(/^recert-scheduler: pass failed: the store failed \(read-only\): \w+: cannot execute (INSERT|UPDATE) in a read-only transaction$/)
    expect(r.report.status).toBe("failed")
    expect(r.report.reasons[0]!.code).toBe("store.failing")
    // Nothing could be enqueued or claimed: the three due cases were not reached, and the pass stopped.
    expect(r.report.due).toEqual({ total: 3, processed: 0, unloadable: 0, notReached: 3 })
    expect(r.report.stopped).toBe(true)
  }, 120_000)

  it("a store whose writes fail (SQLite: every decision write refused): exit 1, every case failed with the store's message, the run ends", async () => {
    const db = sqliteDatabase()
    const { world, env } = await seeded(db, { healthy: 2, "oauth-expired": 1 })
    await world.store.close()
    const raw = openDatabase(db.url)
    try {
      await sql.raw("create trigger failing_disk before insert on decisions begin select raise(fail, 'disk I/O error'); end").execute(raw.db)
    } finally {
      await raw.db.destroy()
    }
    const r = await runJson(env)
    expect(r.code, r.out).toBe(1)
    expect(r.lines).toEqual(["recert-scheduler: pass failed: no due case could be processed: 3 cases failed, 0 could not be loaded"])
    expect(r.report.status).toBe("failed")
    expect(r.report.reasons.map((x) => x.code)).toEqual(["cases.none-processed", "cases.failed", "store.errors"])
    expect(r.report.due).toEqual({ total: 3, processed: 3, unloadable: 0, notReached: 0 })
    expect(r.report.failed).toEqual(["case-healthy-0001", "case-healthy-0002", "case-oauth-expired-0001"].map((caseId) => ({ caseId, reason: "renew job failed: StoreError: disk I/O error" })))
  }, 120_000)
})

describe("run: a degraded pass exits 3 and lists what it could not do", () => {
  it("a case that cannot be loaded and a case whose access token does not decrypt: exit 3, both listed, the others renewed", async () => {
    const db = sqliteDatabase()
    const { world, env, cases } = await seeded(db, { healthy: 2, "oauth-expired": 1 })
    // A bad imported row: a case whose root is a refresh order of another lineage.
    await world.store.run(Effect.gen(function*() {
      const store = yield* getStore
      const at = new Date(Date.now() - 300 * 86_400_000).toISOString()
      yield* store.insertLineage({
        rootOrderId: "ord-orphan-root", orderType: "income", orderNumber: null, userId: null,
        orders: [{ id: "ord-orphan-root", parentId: null, createdAt: at }, { id: "ord-orphan-refresh", parentId: "ord-orphan-root", createdAt: at }],
        connections: [{ id: "link-orphan", suborderId: "emp-orphan", provider: "adp", authKind: "oauth", authenticatedAt: at }]
      }, { "link-orphan": Redacted.make("token-orphan") })
      yield* store.insertCases([{ id: "case-bad-row", dueAt: new Date(Date.now() + 86_400_000).toISOString(), cycle: "annual", rootOrderId: "ord-orphan-refresh" }])
    }))
    await world.store.close()
    // The expired case's token (its Bridge update-mode link needs it), replaced by another
    // connection's (encrypted for that one): it no longer decrypts.
    const expired = cases.find((c) => c.scenario.name === "oauth-expired")!
    const healthy = cases.find((c) => c.scenario.name === "healthy")!
    const raw = openDatabase(db.url)
    try {
      const other = await raw.db.selectFrom("connections").select("access_token").where("id", "=", healthy.linkIds[0]!).executeTakeFirstOrThrow()
      await raw.db.updateTable("connections").set({ access_token: other.access_token }).where("id", "=", expired.linkIds[0]!).execute()
    } finally {
      await raw.db.destroy()
    }
    // Reached through Bridge: the expired connection's update-mode token needs its access token.
    const r = await runJson({ ...env, RECERT_CLIENT_REACH: "bridge" })
    expect(r.code, r.out).toBe(3)
    // The job ran four times (three in-pass retries), each failing on the token.
    expect(r.lines).toEqual([
      "recert-scheduler: pass degraded: 1 due case could not be loaded (listed under unloadable); 1 case failed (listed under failed); " +
      `4 store operations failed (last: accessToken: connection ${expired.linkIds[0]}: access token does not decrypt under the configured key)`
    ])
    expect(r.report.status).toBe("degraded")
    expect(r.report.reasons.map((x) => x.code)).toEqual(["cases.unloadable", "cases.failed", "store.errors"])
    expect(r.report.due).toEqual({ total: 4, processed: 3, unloadable: 1, notReached: 0 })
    expect(r.report.unloadable).toEqual([{
      caseId: "case-bad-row",
      reason: "its root order ord-orphan-refresh is a refresh order (position 1) of the lineage rooted at ord-orphan-root, not a lineage's root: fix the row, or remove the case (`recert cases remove`)"
    }])
    expect(r.report.failed).toEqual([{
      caseId: expired.caseId,
      reason: `renew job failed: StoreError: connection ${expired.linkIds[0]}: access token does not decrypt under the configured key`
    }])
    expect(r.report.cases.byOutcome).toEqual({ refreshed: 2, failed: 1 })
    expect(r.report.refreshes).toMatchObject({ sent: 2, billed: 2, notBilled: 0, awaitingOutcome: 0 })
    expect(r.out).not.toContain(env.RECERT_ENCRYPTION_KEY)
    expect(r.out).not.toContain("token-orphan")
  }, 120_000)
})
