/**
 * The Postgres store across a restart (issue 15: "a Postgres restart kills every worker"). A
 * restart, like `pg_terminate_backend`, ends every pooled connection; pg reports an idle one's end
 * as an `error` event on the pool, which, unheard, was thrown and exited the process. Here the
 * store's connections (found by their `application_name`: the server is shared, other suites'
 * connections are left alone) are terminated from a separate client while the store is open and
 * idle: the process lives, one warning is logged (the code, never the URL), and the next
 * operation succeeds after at most one `StoreError` (reason `unavailable`, retryable). While
 * Postgres cannot be reached at all, operations fail the same typed way.
 */
import { Effect } from "effect"
import pg from "pg"
import { afterEach, describe, expect, vi } from "vitest"
import { SqlStore, Store } from "../src/index.js"
import { applicationName } from "../src/dialect/postgres.js"
import { postgres, POSTGRES_URL, type TestDatabase, useTestDatabase } from "./support/dialects.js"
import { KEY, run, seed } from "./support/fixtures.js"
import { spawnWorker, workerPath } from "./support/spawn.js"

const UNTIL = "2030-01-01T00:00:00.000Z"

/** Terminates the backends of `t`'s stores, waits until Postgres has ended them, returns how many. */
const terminateStoreConnections = async (t: TestDatabase): Promise<number> => {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    const name = applicationName(t.schema!)
    const ended = await client.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and application_name = $1`, [name])
    // Each backend says goodbye on its socket before it leaves pg_stat_activity; once all are
    // gone, the store's process has their messages waiting (bounded: no sleep, a few queries).
    for (let i = 0; i < 500; i++) {
      const left = await client.query(`select count(*)::int as n from pg_stat_activity where application_name = $1`, [name])
      if ((left.rows[0] as { n: number }).n === 0) break
    }
    return ended.rowCount ?? 0
  } finally {
    await client.end()
  }
}

describe("Postgres store: connections terminated while idle", () => {
  const suite = useTestDatabase(postgres)
  const { test } = suite
  const uncaught: Array<unknown> = []
  const onUncaught = (e: unknown) => { uncaught.push(e) }
  afterEach(() => { process.off("uncaughtException", onUncaught) })

  test("the process survives, warns once without secrets, and the next operation succeeds after at most one retryable failure", async () => {
    process.on("uncaughtException", onUncaught)
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
    try {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("pg")
        // Three pooled connections, all idle afterwards.
        yield* Effect.all([store.countDue(UNTIL), store.getCase("case-pg"), store.ledgerForCase("case-pg")], { concurrency: 3 })
        const terminated = yield* Effect.promise(() => terminateStoreConnections(suite.t))
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
        const failures: Array<unknown> = []
        let due: number | null = null
        for (let i = 0; i < 3 && due === null; i++) {
          const outcome = yield* Effect.result(store.countDue(UNTIL))
          if (outcome._tag === "Success") due = outcome.success
          else failures.push(outcome.failure)
        }
        const reserved = yield* store.reserve({ caseId: "case-pg", product: null })
        return { terminated, failures, due, reserved: reserved.attempt?.status }
      }), undefined, { poolSize: 3 })
      expect(r.terminated).toBeGreaterThanOrEqual(1)
      expect(r.failures.length).toBeLessThanOrEqual(1)
      for (const f of r.failures) expect(f).toMatchObject({ _tag: "StoreError", reason: "unavailable", retryable: true })
      expect([r.due, r.reserved]).toEqual([1, "reserved"])
      expect(uncaught).toEqual([])
      const lines = warn.mock.calls.map((c) => String(c[0]))
      expect(lines).toEqual(["recert store: a Postgres connection was lost (57P01); reconnecting on next use"])
    } finally {
      warn.mockRestore()
    }
  }, 30_000)

  // Mid-run outages are the test above (a typed, retryable StoreError, then recovery); at
  // startup an unreachable server is named once, before anything is read (open-store.ts).
  test("a server that cannot be reached at startup is DatabaseUnavailable (unreachable), naming the database", async () => {
    const layer = SqlStore.layer({ url: "postgres://recert@127.0.0.1:1/test", encryptionKey: KEY, schema: suite.t.schema!, migrate: false })
    const error = await Effect.runPromise(Effect.flip(Effect.provide(Effect.gen(function*() {
      return yield* (yield* Store).countDue(UNTIL)
    }), layer)))
    expect(error).toMatchObject({ _tag: "DatabaseUnavailable", database: "postgres://recert@127.0.0.1:1/test", reason: "unreachable" })
  })
})

describe("Postgres store: a worker process whose connections are terminated", () => {
  const suite = useTestDatabase(postgres)
  const { test } = suite

  test("keeps running and reads again (after at most one failure)", async () => {
    await run(suite.t, seed("proc"))
    const worker = spawnWorker(suite.t, {}, workerPath("idle-store-worker.ts"))
    expect(await worker.waitFor(/^READY/)).toBe("READY 1")
    expect(await terminateStoreConnections(suite.t)).toBeGreaterThanOrEqual(1)
    worker.child.stdin?.end("go\n")
    const out = await worker.done()
    expect(out.trim().split("\n").at(-1)).toMatch(/^OK 1 after \[(unavailable)?\]$/)
  }, 60_000)
})
