/** Shared helpers for the store benchmarks: arguments, generated lineages, a store runtime. */
import type { CaseInput, LineageInput } from "@recert/core"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BulkItem, generateEncryptionKey, Store } from "../src/index.js"

export const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

export const NOW = Date.parse("2026-11-22T10:00:00.000Z")
export const KEY = generateEncryptionKey()
export const POSTGRES_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
export const sqliteFile = (name: string) => join(tmpdir(), `recert-bench-${name}-${process.pid}.sqlite`)

const DAY = 86_400_000
const TOKEN = Redacted.make("bench-access-token-0123456789abcdef")

/** Case `i` with its own lineage (one order, `connections` OAuth connections), due within 60 days. */
export const item = (i: number, connections = 1): BulkItem => {
  const root = `ord-${String(i).padStart(8, "0")}`
  const lineage: LineageInput = {
    rootOrderId: root, orderType: "income", gse: i % 10 === 0, orderNumber: null, userId: null,
    orders: [{ id: root, parentId: null, createdAt: "2026-10-01T00:00:00.000Z" }],
    connections: Array.from({ length: connections }, (_, c) => ({
      id: `${root}-l${c}`, suborderId: `${root}-e${c}`, provider: "adp", authKind: "oauth" as const,
      authenticatedAt: new Date(NOW - (i % 200) * DAY).toISOString()
    }))
  }
  const kase: CaseInput = { id: `case-${String(i).padStart(8, "0")}`, dueAt: new Date(NOW + (i % 60) * DAY).toISOString(), cycle: "annual", rootOrderId: root }
  return { lineage, accessTokens: Object.fromEntries(lineage.connections.map((c) => [c.id, TOKEN])), cases: [kase] }
}

export const withStore = <A, E>(url: string, program: Effect.Effect<A, E, Store>, schema?: string): Promise<A> =>
  Effect.runPromise(Effect.andThen(TestClock.setTime(NOW), program).pipe(
    Effect.provide(Layer.merge(Store.layer({ url, encryptionKey: KEY, ...(schema !== undefined ? { schema } : {}) }), TestClock.layer())),
    Effect.scoped
  ))

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
export const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")}/s`
