/** Shared helpers for the store benchmarks: arguments, generated lineages, a store runtime. */
import { type CaseInput, DEFAULT_POLICY_CONFIG, type LineageInput } from "@recert/core"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BulkItem, generateEncryptionKey, SqlStore, type Store } from "../src/index.js"

export const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

export const NOW = Date.parse("2026-11-22T10:00:00.000Z")
export const KEY = generateEncryptionKey()
export const POSTGRES_URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
export const sqliteFile = (name: string) => join(tmpdir(), `recert-bench-${name}-${process.pid}.sqlite`)

export const MINUTE = 60_000
export const HOUR = 3_600_000
export const DAY = 86_400_000
export const TOKEN = Redacted.make("bench-access-token-0123456789abcdef")
/** How long before NOW case `i`'s connections were authenticated (OAuth expires at 180 days). */
export const authAgeDays = (i: number): number => i % 200
/** How long after NOW case `i` is due. */
export const dueInDays = (i: number): number => i % 60

/** Case `i` with its own lineage (one order, `connections` OAuth connections), due within 60 days. */
export const item = (i: number, connections = 1): BulkItem => {
  const root = `ord-${String(i).padStart(8, "0")}`
  const lineage: LineageInput = {
    rootOrderId: root, orderType: "income", gse: i % 10 === 0, orderNumber: null, userId: null,
    orders: [{ id: root, parentId: null, createdAt: "2026-10-01T00:00:00.000Z" }],
    connections: Array.from({ length: connections }, (_, c) => ({
      id: `${root}-l${c}`, suborderId: `${root}-e${c}`, provider: "adp", authKind: "oauth" as const,
      authenticatedAt: new Date(NOW - authAgeDays(i) * DAY).toISOString()
    }))
  }
  const kase: CaseInput = { id: `case-${String(i).padStart(8, "0")}`, dueAt: new Date(NOW + dueInDays(i) * DAY).toISOString(), cycle: "annual", rootOrderId: root }
  return { lineage, accessTokens: Object.fromEntries(lineage.connections.map((c) => [c.id, TOKEN])), cases: [kase] }
}

export const withStore = <A, E>(url: string, program: Effect.Effect<A, E, Store>, schema?: string): Promise<A> =>
  Effect.runPromise(Effect.andThen(TestClock.setTime(NOW), program).pipe(
    Effect.provide(Layer.merge(SqlStore.layer({ url, encryptionKey: KEY, ...(schema !== undefined ? { schema } : {}) }), TestClock.layer())),
    Effect.scoped
  ))

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
export const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")}/s`

/** The stream bench's lineages: `item(i)` with a second connection on every fourth case. */
export const streamConnections = (i: number): number => i % 4 === 3 ? 2 : 1
export const streamItem = (i: number): BulkItem => item(i, streamConnections(i))

/** One refresh in a generated ledger: reserved `ago` ms before NOW, sent, and its outcome a minute later (none: still in flight). */
export interface LedgerEntry {
  readonly ago: number
  readonly outcome: "done" | "unavailable" | null
}

/**
 * The stream bench's ledgers, by `i % 8`: half the lineages have none; the others refreshed 2 days
 * ago (the rate window is clear again), three times in the last 24 h (window full: wait), once 5
 * minutes ago with no outcome yet (in flight: wait), or once 10 minutes ago with the provider down
 * (backoff: wait). Each refresh covers every connection of the lineage. `ledgerOf` keeps only the
 * refreshes the real `reserve` would have made at `NOW - ago`: the case was within the policy's
 * lead time of its due date, and its connections were not yet expired.
 */
export const LEDGER_MIX: ReadonlyArray<ReadonlyArray<LedgerEntry>> = [
  [], [], [], [],
  [{ ago: 2 * DAY, outcome: "done" }],
  [{ ago: 20 * HOUR, outcome: "done" }, { ago: 12 * HOUR, outcome: "done" }, { ago: 4 * HOUR, outcome: "done" }],
  [{ ago: 5 * MINUTE, outcome: null }],
  [{ ago: 10 * MINUTE, outcome: "unavailable" }]
]
export const LEAD_MS = DEFAULT_POLICY_CONFIG.leadTimeDays * DAY
export const OAUTH_MS = DEFAULT_POLICY_CONFIG.oauthValidityDays * DAY
export const ledgerOf = (i: number): ReadonlyArray<LedgerEntry> =>
  LEDGER_MIX[i % LEDGER_MIX.length]!.filter((e) => dueInDays(i) * DAY + e.ago <= LEAD_MS && authAgeDays(i) * DAY - e.ago < OAUTH_MS)
