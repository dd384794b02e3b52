/**
 * Issue 19: Truv's `link-deleted` webhook (we deleted the link with `recert cases close
 * --delete-link`, or the client or the agency did at Truv). The receiver keeps it for processing;
 * processing records the connection deleted and erases its access token; from then on no refresh
 * is ever sent to it: the case's next renewal asks the client for a new order instead
 * (`connection.deleted`), even when it is due now; an open Bridge update request for the link is
 * canceled (it cannot re-authenticate a deleted link). A second `link-deleted` for the link, or
 * one for a link not ours, changes nothing.
 *
 * Real store (SQLite temp file: the inbox's and the connection's rows are what is checked),
 * in-memory Truv, every instant from `TestClock`.
 */
import { ClientReach, InMemoryTruvGateway, RenewalStore } from "@recert/core"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import { parseWebhookEvent } from "@recert/truv-adapter"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, describe, expect, it } from "vitest"
import { drive, readDatabase } from "./support/drive.js"
import { drainInbox } from "../src/runner/drain-inbox.js"
import { runPass } from "../src/runner/pass.js"
import { RunStats } from "../src/runner/run-stats.js"
import { resultWithoutProcessing } from "../src/workflow/process-webhook.js"
import { iso, kase, lineage, NOW } from "./support/one-case.js"
import { sqliteDatabase, type TestDatabase } from "./support/world.js"

/** As the sandbox sends it (truv-sandbox/src/link-deletion.ts). */
const deletedEvent = (webhookId: string, linkId: string, at: number) => JSON.stringify({
  webhook_id: webhookId, event_type: "link-deleted", event_created_at: iso(at), updated_at: iso(at),
  user_id: "user-1", template_id: null, link_id: linkId, data_source: "payroll", tracking_info: null
})


/** Rows read from the file: the inbox [webhook id, result], the connection [deleted_at, access_token]. */
const rows = (db: TestDatabase) => readDatabase(db.url, async (raw) => ({
  inbox: (await raw.selectFrom("webhook_events").select(["webhook_id", "result"]).orderBy("webhook_id").execute()).map((r) => [r.webhook_id, r.result]),
  connections: (await raw.selectFrom("connections").select(["id", "deleted_at", "access_token"]).orderBy("id").execute())
    .map((r) => [r.id, r.deleted_at === null ? null : Number(r.deleted_at), r.access_token])
}))

describe("link-deleted (issue 19)", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it("is kept for processing by the receiver (it acts), not stored already ignored", () => {
    expect(resultWithoutProcessing(parseWebhookEvent(deletedEvent("wh-0", "link-1", NOW)))).toBeNull()
  })

  it("records the link deleted and erases its token; the due case's pass sends no refresh to it and asks the client for a new order; repeats change nothing", async () => {
    const db = sqliteDatabase()
    cleanups.push(db.cleanup)
    const layer = Layer.mergeAll(
      SqlStore.layer({ url: db.url, encryptionKey: generateEncryptionKey() }),
      InMemoryTruvGateway.layer({ lineages: [lineage], accessTokens: { "link-1": "token-1" } }),
      TestClock.layer(),
      Layer.succeed(ClientReach, "bridge")
    )
    const out = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store
      const renewal = yield* RenewalStore
      // Due now: without the deletion this pass would refresh link-1 (healthy, authenticated 20 days ago).
      yield* store.insertBulk([{ lineage, accessTokens: { "link-1": Redacted.make("token-1") }, cases: [{ ...kase, dueAt: iso(NOW) }] }])
      // The client was asked to log in again (an earlier login_error): a Bridge update token for link-1.
      yield* renewal.enqueueVerification({
        caseId: "case-1", kind: "bridge-update", connectionIds: ["link-1"], reason: "connection.needs-user", detail: "login_error",
        bridgeToken: "bridge-1", shareUrl: null, orderId: null, createdAt: iso(NOW - 60_000)
      })
      const insert = (id: string, linkId: string, at: number) =>
        store.insertWebhookEvent({ webhookId: id, eventType: "link-deleted", body: deletedEvent(id, linkId, at), receivedAt: iso(at), updatedAt: iso(at) })
      yield* insert("wh-1", "link-1", NOW - 5_000)
      yield* insert("wh-2", "link-elsewhere", NOW - 4_000)
      const stats = new RunStats()
      yield* drive(drainInbox(stats, "drain"))
      const token = yield* Effect.flip(renewal.accessToken("link-1"))
      const afterDrain = yield* Effect.promise(() => rows(db))
      const requests = (yield* renewal.caseRequests("case-1")).map((q) => [q.kind, q.state])
      // The same deletion again (Truv retries, or our own DELETE's echo), then the night's pass.
      yield* insert("wh-3", "link-1", NOW - 3_000)
      yield* drive(drainInbox(stats, "drain"))
      yield* drive(runPass({ workerId: "w", concurrency: 1, runKey: "night" }, stats))
      const snapshot = yield* renewal.loadSnapshot("case-1")
      return {
        afterDrain, requests, token: token.message, afterPass: yield* Effect.promise(() => rows(db)),
        connection: snapshot.lineage.connections.map((c) => [c.id, c.deletedAt]),
        ledger: snapshot.ledger.length,
        calls: (yield* InMemoryTruvGateway).calls().map((c) => c.name),
        decisions: (yield* store.decisionsForCase("case-1")).map((d) => [d.decision.verdict, d.decision.connections.flatMap((c) => c.reasons.map((r) => r.code))])
      }
    }).pipe(Effect.provide(layer)))
    expect(out.afterDrain).toEqual({
      inbox: [
        ["wh-1", `link-deleted: link-1 recorded deleted at ${iso(NOW - 5_000)}, its access token erased; never refreshed again; the client must connect again (new order) for case(s) case-1`],
        ["wh-2", "ignored: link-deleted: link-elsewhere is not a link of ours"]
      ],
      connections: [["link-1", NOW - 5_000, ""]]
    })
    expect(out.requests).toEqual([["bridge-update", "canceled"]])
    expect(out.token).toBe(`connection "link-1": its access token was erased (its link deleted at Truv, or its case closed past retention)`)
    expect(out.afterPass.inbox[2]).toEqual(["wh-3", `ignored: link-deleted: link-1 already recorded deleted at ${iso(NOW - 5_000)}`])
    expect(out.afterPass.connections).toEqual([["link-1", NOW - 5_000, ""]])
    expect(out.connection).toEqual([["link-1", iso(NOW - 5_000)]])
    // No refresh reserved nor sent: the decision asks for a new order, because of the deletion only.
    expect(out.ledger).toBe(0)
    expect(out.calls).not.toContain("refreshOrder")
    expect(out.decisions).toEqual([["new-order", ["connection.deleted"]]])
  }, 60_000)
})
