/**
 * Two worker processes on one SQLite file, one Truv secret: together they get exactly Truv's 300
 * permits at one instant, however they interleave (each asks for 200 in batches of 20), and the
 * one that came back short is told when to ask again. Each process runs its own TestClock at NOW.
 */
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { SqlStore } from "../src/index.js"
import { sqlite, useTestDatabase } from "./support/dialects.js"
import { KEY, NOW } from "./support/fixtures.js"
import { spawnWorker, workerPath } from "./support/spawn.js"

// SQLite only: on Postgres the contract already runs its holders on separate pools, which is what
// separate processes are to the server; on SQLite one process keeps one connection per file.
for (const dialect of [sqlite]) {
  describe(`the Truv budget across processes on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    suite.test("2 processes asking for 200 each at one instant get 300 together", async () => {
      const t = suite.t
      // Migrated once here, so the workers start on a ready schema.
      await Effect.runPromise(Effect.scoped(SqlStore.makeTruvBudget({ url: t.url, encryptionKey: KEY, ...(t.schema !== undefined ? { schema: t.schema } : {}) })))
      const workers = [0, 1].map(() => spawnWorker(t, { NOW: String(NOW), WANT: "200", BATCH: "20" }, workerPath("budget-worker.ts")))
      await Promise.all(workers.map((w) => w.waitFor(/^READY$/)))
      for (const w of workers) w.child.stdin!.end("go\n")
      const results = (await Promise.all(workers.map((w) => w.done())))
        .map((out) => JSON.parse(out.trim().split("\n").at(-1)!) as { granted: number; retryAt: number | null })
      expect(results.reduce((n, r) => n + r.granted, 0)).toBe(300)
      // Whoever came back short is told to ask again when the first grant leaves the window (+ 1 s slack).
      for (const r of results) expect(r.retryAt).toBe(r.granted < 200 ? NOW + 61_000 : null)
    }, 120_000)
  })
}
