/**
 * A small, fixed world for the README walkthrough and the CLI's tests, written through
 * `@recert/store`: four lineages and their cases, decided at NOW = 2026-11-22T10:00:00Z.
 *
 * - case-101: refreshed an hour ago (one attempt before that was rejected by Truv's limit);
 *   one refresh used of three: it may refresh again.
 * - case-102: a GSE lineage refreshed three times in 22 hours: waiting for the limit window.
 * - case-103: one OAuth connection expired, one session connection with a login error: needs
 *   the user to re-authenticate (and sits in the verification queue).
 * - case-104: an assets lineage not due until March: nothing to do.
 *
 * Attempts are written with fixed ids (the store's `reserve` would give random ones) through
 * the store's kysely helper, so outputs are reproducible byte for byte.
 */
import { type AttemptInput, type CaseInput, decideAt, DEFAULT_POLICY_CONFIG, digestInput, type LineageInput } from "@recert/core"
import { openDatabase, SqlStore, Store } from "@recert/store"
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"

export const NOW = "2026-11-22T10:00:00Z"

interface World {
  readonly lineage: LineageInput
  readonly cases: ReadonlyArray<CaseInput>
  readonly attempts: ReadonlyArray<AttemptInput & { readonly caseId: string }>
}

const conn = (id: string, suborderId: string, provider: string, authKind: "oauth" | "session", authenticatedAt: string, extra: object = {}) =>
  ({ id, suborderId, provider, authKind, authenticatedAt, lastTaskStatus: "done" as const, lastStatusAt: authenticatedAt, ...extra })

export const WORLD: ReadonlyArray<World> = [
  {
    lineage: {
      rootOrderId: "ord-101", orderType: "income", userId: "user-101",
      orders: [{ id: "ord-101", parentId: null, createdAt: "2026-09-01T00:00:00Z" }, { id: "ord-101-r1", parentId: "ord-101", createdAt: "2026-11-22T09:00:00Z" }],
      connections: [conn("link-101", "emp-101", "adp", "oauth", "2026-09-01T00:00:00Z", { lastStatusAt: "2026-11-22T09:05:00Z" })]
    },
    cases: [{ id: "case-101", dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: "ord-101" }],
    attempts: [
      { caseId: "case-101", id: "att-101-1", at: "2026-11-22T08:00:00Z", product: "income", connectionIds: ["link-101"], status: "rejected", rejection: "refresh-limit" },
      { caseId: "case-101", id: "att-101-2", at: "2026-11-22T09:00:00Z", product: "income", connectionIds: ["link-101"], status: "succeeded", orderId: "ord-101-r1", outcomes: { "link-101": "done" }, resolvedAt: "2026-11-22T09:05:00Z" }
    ]
  },
  {
    lineage: {
      rootOrderId: "ord-102", orderType: "income", gse: true, userId: "user-102",
      orders: [
        { id: "ord-102", parentId: null, createdAt: "2026-10-15T00:00:00Z" },
        { id: "ord-102-r1", parentId: "ord-102", createdAt: "2026-11-21T12:00:00Z" },
        { id: "ord-102-r2", parentId: "ord-102-r1", createdAt: "2026-11-21T18:00:00Z" },
        { id: "ord-102-r3", parentId: "ord-102-r2", createdAt: "2026-11-22T08:00:00Z" }
      ],
      connections: [conn("link-102", "emp-102", "gusto", "oauth", "2026-10-15T00:00:00Z", { lastStatusAt: "2026-11-22T08:04:00Z" })]
    },
    cases: [{ id: "case-102", dueAt: "2026-11-30T00:00:00Z", cycle: "monthly", rootOrderId: "ord-102" }],
    attempts: ["2026-11-21T12:00:00Z", "2026-11-21T18:00:00Z", "2026-11-22T08:00:00Z"].map((at, i) => ({
      caseId: "case-102", id: `att-102-${i + 1}`, at, product: "income" as const, connectionIds: ["link-102"], status: "succeeded" as const,
      orderId: `ord-102-r${i + 1}`, outcomes: { "link-102": "done" as const }, resolvedAt: at.replace(":00:00Z", ":04:00Z"), gseFree: true
    }))
  },
  {
    lineage: {
      rootOrderId: "ord-103", orderType: "employment", userId: "user-103",
      orders: [{ id: "ord-103", parentId: null, createdAt: "2026-04-01T00:00:00Z" }, { id: "ord-103-r1", parentId: "ord-103", createdAt: "2026-11-20T10:00:00Z" }],
      connections: [
        conn("link-103a", "emp-103a", "paychex", "oauth", "2026-04-01T00:00:00Z"),
        conn("link-103b", "emp-103b", "workday", "session", "2026-04-01T00:00:00Z", { lastTaskStatus: "login_error", lastStatusAt: "2026-11-20T10:03:00Z" })
      ]
    },
    cases: [{ id: "case-103", dueAt: "2026-11-25T00:00:00Z", cycle: "annual", rootOrderId: "ord-103", product: "employment" }],
    attempts: [
      { caseId: "case-103", id: "att-103-1", at: "2026-11-20T10:00:00Z", product: "employment", connectionIds: ["link-103b"], status: "failed", orderId: "ord-103-r1", outcomes: { "link-103b": "login_error" }, resolvedAt: "2026-11-20T10:03:00Z" }
    ]
  },
  {
    lineage: {
      rootOrderId: "ord-104", orderType: "assets", userId: "user-104",
      orders: [{ id: "ord-104", parentId: null, createdAt: "2026-11-01T00:00:00Z" }],
      connections: [conn("link-104", "acct-104", "chase", "oauth", "2026-11-01T00:00:00Z", { kind: "financial_account" })]
    },
    cases: [{ id: "case-104", dueAt: "2027-03-01T00:00:00Z", cycle: "quarterly", rootOrderId: "ord-104" }],
    attempts: []
  }
]

const insertAttempts = (url: string) => Effect.acquireUseRelease(
  Effect.sync(() => openDatabase(url)),
  ({ db }) => Effect.promise(() => db.transaction().execute(async (trx) => {
    for (const w of WORLD) {
      for (const a of w.attempts) {
        const at = Date.parse(a.at)
        await trx.insertInto("attempts").values({
          id: a.id, case_id: a.caseId, root_order_id: w.lineage.rootOrderId, at, product: a.product, status: a.status,
          order_id: a.orderId ?? null, rejection: a.rejection ?? null, outcomes: JSON.stringify(a.outcomes ?? {}),
          resolved_at: a.resolvedAt == null ? null : Date.parse(a.resolvedAt), gse_free: a.gseFree === true ? 1 : 0, updated_at: at
        }).execute()
        await trx.insertInto("attempt_connections").values(a.connectionIds.map((connection_id) => ({ attempt_id: a.id, connection_id, at }))).execute()
      }
    }
  })),
  ({ db }) => Effect.promise(() => db.destroy())
)

/**
 * Creates the world in the database at `url` (migrating it first). The store's clock is set to
 * the instants the scheduler would have written at; the decision log holds one decision per due
 * case, made at 09:30.
 */
export const seed = (url: string) => Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-11-22T09:30:00Z"))
  yield* Effect.gen(function*() {
    const store = yield* Store
    yield* store.insertBulk(WORLD.map((w) => ({
      lineage: w.lineage,
      accessTokens: Object.fromEntries(w.lineage.connections.map((c) => [c.id, Redacted.make(`token-${c.id}`)])),
      cases: w.cases
    })))
  }).pipe(Effect.provide(SqlStore.layer({ url, encryptionKey: Redacted.make("a".repeat(64)) })))
  yield* insertAttempts(url)
  yield* Effect.gen(function*() {
    const store = yield* Store
    for (const caseId of ["case-101", "case-102", "case-103"]) {
      const s = yield* store.loadSnapshot(caseId)
      const input = { lineage: s.lineage, ledger: [...s.ledger], request: { products: [s.case.product ?? s.lineage.orderType] } }
      yield* store.recordDecision(caseId, decideAt(input, Date.parse("2026-11-22T09:30:00Z"), DEFAULT_POLICY_CONFIG), digestInput(input))
    }
    yield* store.enqueueVerification({
      caseId: "case-103", kind: "bridge-update", connectionIds: ["link-103a", "link-103b"], reason: "connection.auth-expired",
      detail: "OAuth connection expired; session connection failed with login_error", bridgeToken: "bridge-token-103", shareUrl: null,
      orderId: null, createdAt: "2026-11-20T10:05:00Z"
    })
  }).pipe(Effect.provide(SqlStore.layer({ url, encryptionKey: Redacted.make("a".repeat(64)), migrate: false })))
}).pipe(Effect.provide(TestClock.layer()))
