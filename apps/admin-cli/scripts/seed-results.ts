/**
 * A small world of renewal results for `recert result` / `recert results` (README and tests),
 * written through `@recert/store` with verifications built by core's results functions (the
 * records the store contract uses): case-201 verified twice (imported baseline, then a new order
 * with less pay and fewer hours: review), case-202 verified twice (a first verification without
 * a baseline: review; then nothing changed: renew), case-203 not verified yet. Run from the repository root (refuses an existing file):
 *
 *   npx tsx --conditions=@recert/source apps/admin-cli/scripts/seed-results.ts [path]
 */
import type { CaseInput, LineageInput } from "@recert/core"
import { importedBaseline, verificationRecord } from "@recert/core/testing"
import { generateEncryptionKey, SqlStore } from "@recert/store"
import { Effect, Redacted } from "effect"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"

const lineage = (n: number): LineageInput => ({
  rootOrderId: `ord-${n}`, orderType: "income", orders: [{ id: `ord-${n}`, parentId: null, createdAt: "2025-11-20T00:00:00Z" }],
  connections: [{ id: `link-${n}`, suborderId: `emp-${n}`, provider: "adp", authKind: "oauth", authenticatedAt: "2026-10-01T00:00:00Z" }]
})
const kase = (n: number): CaseInput => ({ id: `case-${n}`, dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: `ord-${n}` })

export const first = verificationRecord({ caseId: "case-201", orderId: "ord-201-r1", fetchedAt: "2026-11-02T10:00:00.000Z", lastPayDate: "2026-10-30", importedBaseline: importedBaseline() })
export const second = verificationRecord({
  caseId: "case-201", orderId: "ord-201-n1", via: "new-order", attemptId: null, fetchedAt: "2026-11-22T09:00:00.000Z",
  grossCents: 150_000, hours: 64, previous: first.snapshot
})
export const unreviewed = verificationRecord({ caseId: "case-202", orderId: "ord-202-r0", fetchedAt: "2026-10-23T16:30:00.000Z", lastPayDate: "2026-10-23" })
export const renewed = verificationRecord({
  caseId: "case-202", orderId: "ord-202-r1", fetchedAt: "2026-11-21T16:30:00.000Z", lastPayDate: "2026-11-20", previous: unreviewed.snapshot
})

/** Seeds the results world into a new SQLite file at `path`. */
export const seedResults = (path: string) => Effect.scoped(Effect.gen(function*() {
  const store = yield* SqlStore.make({ url: path, encryptionKey: generateEncryptionKey() })
  for (const n of [201, 202, 203]) {
    const l = lineage(n)
    yield* store.insertLineage(l, { [`link-${n}`]: Redacted.make(`token-${n}`) })
  }
  yield* store.insertCases([kase(201), kase(202), kase(203)])
  for (const v of [first, second, unreviewed, renewed]) yield* store.saveVerification(v)
}))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = resolve(process.argv[2] ?? ".recert/results.sqlite")
  if (existsSync(path)) {
    console.error(`${path} exists already; remove it or pass another path`)
    process.exitCode = 1
  } else {
    await Effect.runPromise(seedResults(path))
    console.log(`seeded ${path}`)
  }
}
