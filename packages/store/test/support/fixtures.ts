/** Named fixtures: a two-employer income lineage, its case, tokens, and a store layer per test database. */
import type { CaseInput, LineageInput } from "@recert/core"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { SqlStore, Store, type StoreOptions } from "../../src/index.js"
import type { TestDatabase } from "./dialects.js"

export const KEY = Redacted.make("qJ4L0yTbIuJ5rT7oJmM1c9mZ6y3QeCq2Xk1p0vW8s4Y=")
export const NOW = Date.parse("2026-11-22T10:00:00.000Z")
export const HOUR = 3_600_000

export const lineage = (root: string, connections: ReadonlyArray<string> = [`${root}-l1`, `${root}-l2`], gse = false): LineageInput => ({
  rootOrderId: root,
  orderType: "income",
  gse,
  orderNumber: `N-${root}`,
  userId: `user-${root}`,
  orders: [{ id: root, parentId: null, createdAt: "2026-10-01T00:00:00.000Z" }],
  connections: connections.map((id, i) => ({
    id, suborderId: `${id}-emp`, provider: "adp", authKind: "oauth" as const, authenticatedAt: "2026-10-01T00:00:00.000Z",
    kind: "employer" as const, suborderNumber: String(i + 1)
  }))
})

export const tokensFor = (l: LineageInput): Record<string, Redacted.Redacted<string>> =>
  Object.fromEntries(l.connections.map((c) => [c.id, Redacted.make(`secret-token-${c.id}-PLAINTEXT`)]))

export const aCase = (id: string, root: string, dueAt = "2026-12-01T00:00:00.000Z"): CaseInput => ({ id, dueAt, cycle: "annual", rootOrderId: root })

export const storeLayer = (t: TestDatabase, extra: Partial<StoreOptions> = {}) =>
  SqlStore.layer({ url: t.url, encryptionKey: KEY, ...(t.schema !== undefined ? { schema: t.schema } : {}), ...extra })

/** Runs `program` against a fresh store on `t`, with the TestClock at `at`. */
export const run = <A, E>(t: TestDatabase, program: Effect.Effect<A, E, Store>, at: number = NOW, extra: Partial<StoreOptions> = {}): Promise<A> =>
  Effect.runPromise(Effect.andThen(TestClock.setTime(at), program).pipe(
    Effect.provide(Layer.merge(storeLayer(t, extra), TestClock.layer())),
    Effect.scoped
  ))

/** Seeds one lineage and its case. */
export const seed = (root: string, caseId = `case-${root}`, connections?: ReadonlyArray<string>) => Effect.gen(function*() {
  const store = yield* Store
  const l = lineage(root, connections)
  yield* store.insertLineage(l, tokensFor(l))
  yield* store.insertCases([aCase(caseId, root)])
})
