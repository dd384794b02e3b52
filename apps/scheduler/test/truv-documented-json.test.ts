/**
 * Regression for the `provider` object (issue 11): the workflow against a loopback "Truv" that
 * answers with Truv's documented order JSON, where `employers[].provider` is
 * `{ "id", "name", "logo_url" }` (the adapter's test/fixtures/truv-docs/order-*.json, abridged
 * here). The refresh is recorded `sent` with its order id and the follow-up completes, by a
 * correctly signed webhook or by a poll; a body that fails validation but names the order still
 * records the billed refresh `sent`, on the send and on reconciliation. Time is TestClock.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { type CaseInput, InMemoryRenewalStore, type LineageInput } from "@recert/core"
import { resetRateBudgets, signWebhookBody, TruvHttpGateway, verifyWebhookSignature } from "@recert/truv-adapter"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { makeMemoryCaseProgress } from "../src/workflow/case-progress.js"
import { processWebhookBody, webhookResultText } from "../src/workflow/process-webhook.js"
import { pollAttempt, reconcileAttempt } from "../src/workflow/reconcile.js"
import { renewCase } from "../src/workflow/renew-case.js"

const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()
const SECRET = "sandbox-documented-json-secret"
const ROOT = "39aa1486ccca4bc19cda071ffc1ba392"
const REFRESH = "5f3c1d7e9a2b4c6d8e0f1a2b3c4d5e6f"
const LINK = "e4100fccdae94691b4414c7306220c06"

/** Truv's documented order JSON (Orders reference): provider is an object, timestamps `…Z`, dates plain. */
const orderJson = (id: string, status: string, over: Record<string, unknown> = {}) => ({
  id, products: ["income"], source: "internal", client_name: "Unnamed Verifications Inc.", first_name: "John", last_name: "Doe",
  user_id: "99dd17074ac94aa9ace2621d657c7610", order_number: "1534332",
  share_url: `https://cdn.truv.com/employment.html?bridge_token=63b4af88facb40e48f517c1e8c7abdf4&order_group_id=${id}`,
  created_at: "2026-11-22T10:00:00.418Z", updated_at: "2026-11-22T10:00:00.418Z", expired_at: "2026-11-25T10:00:00.418Z",
  canceled_at: null, is_expired: false, bridge_token: "e4100fccdae94691b4414c7306220c06",
  initial_order: id === ROOT ? null : ROOT, refresh_order: null,
  employers: [{
    id: "ad9f14440d624ec3b0f66e81e44518c7", status, created_at: "2026-11-22T10:00:00.346Z", suborder_number: "133982343355",
    link_id: LINK, access_token: LINK, pdf_report: null, data_source: "payroll", is_suspicious: false, start_date: "2019-08-24", end_date: null,
    provider: { id: "adp", name: "ADP", logo_url: "https://cdn.truv.com/providers/adp.svg" }, employments: []
  }],
  ...over
})

let server: Server
let url: string
const routes = new Map<string, { status: number; body: unknown }>()

beforeEach(async () => {
  resetRateBudgets()
  routes.clear()
  server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      const route = routes.get(`${req.method} ${req.url}`)
      res.writeHead(route?.status ?? 404, { "Content-Type": "application/json" })
      res.end(JSON.stringify(route?.body ?? { detail: "Not Found." }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const lineage: LineageInput = {
  rootOrderId: ROOT, orderType: "income", orderNumber: "1534332", userId: "99dd17074ac94aa9ace2621d657c7610",
  orders: [{ id: ROOT, parentId: null, createdAt: iso(NOW - 250 * DAY) }],
  connections: [{ id: LINK, suborderId: "0d1e2f3a4b5c4d6e8f9a0b1c2d3e4f5a", provider: "adp", authKind: "oauth", authenticatedAt: iso(NOW - 20 * DAY) }]
}
const kase: CaseInput = { id: "case-1", dueAt: iso(NOW + 5 * DAY), cycle: "annual", rootOrderId: ROOT }

const setup = () => {
  const followUps = makeMemoryCaseProgress()
  const layer = Layer.mergeAll(
    InMemoryRenewalStore.layer({ cases: [kase], lineages: [lineage], accessTokens: { [LINK]: LINK } }),
    TruvHttpGateway.layer({ baseUrl: url, clientId: "client-1", secret: Redacted.make(SECRET), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 2 } }),
    followUps.layer,
    TestClock.layer()
  )
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the layer provides whatever the program needs
  const run = <A, E>(program: Effect.Effect<A, E, any>): Promise<A> =>
    Effect.runPromise(Effect.provide(Effect.andThen(TestClock.setTime(NOW), program), layer) as Effect.Effect<A, E, never>)
  return { run, followUps }
}

const state = Effect.gen(function*() {
  return (yield* InMemoryRenewalStore).snapshotState()
})
const attempts = Effect.map(state, (s) => s.attempts.map((a) => [a.status, a.orderId]))
const lineageOrders = Effect.map(state, (s) => s.lineages[0]!.orders.map((o) => [o.id, o.parentId, o.createdAt]))

describe("Truv's documented order JSON through the workflow", () => {
  it("the refresh is recorded sent with its order id; a correctly signed order-status-updated completes it", async () => {
    routes.set(`POST /v1/orders/${ROOT}/`, { status: 201, body: orderJson(REFRESH, "pending") })
    routes.set(`GET /v1/orders/${REFRESH}/`, { status: 200, body: orderJson(REFRESH, "completed") })
    const { run, followUps } = setup()
    const out = await run(Effect.gen(function*() {
      const renewed = yield* renewCase("case-1")
      const sentState = yield* attempts
      const orders = yield* lineageOrders
      // Truv's documented webhook, signed as Truv signs it; checked as the receiver checks it.
      const body = JSON.stringify({
        webhook_id: "17a80437ce23411dbfd656694d19a8c6", event_type: "order-status-updated", order_id: REFRESH, order_number: "1534332",
        employer_id: "ad9f14440d624ec3b0f66e81e44518c7", link_id: LINK, product: "income", data_source: "payroll", status: "completed",
        user_id: "99dd17074ac94aa9ace2621d657c7610", template_id: null,
        event_created_at: "2026-11-22T10:05:08.073930Z", updated_at: "2026-11-22T10:05:08.075540+00:00"
      })
      const check = verifyWebhookSignature(Buffer.from(body), signWebhookBody(body, SECRET), Redacted.make(SECRET))
      const processed = yield* processWebhookBody(body)
      return { renewed, sentState, orders, check, processed, finalState: yield* attempts }
    }))
    expect([out.renewed.outcome, out.renewed.orderId]).toEqual(["in-flight", REFRESH])
    expect(out.sentState).toEqual([["sent", REFRESH]])
    expect(out.orders).toEqual([[ROOT, null, iso(NOW - 250 * DAY)], [REFRESH, ROOT, "2026-11-22T10:00:00.418Z"]])
    expect(out.check).toEqual({ ok: true })
    expect(webhookResultText(out.processed)).toBe("final: case case-1 refreshed")
    expect(out.finalState).toEqual([["succeeded", REFRESH]])
    expect(followUps.outcomes.get("case-1")).toBe("refreshed")
  })

  it("without a webhook, the poll of the documented order completes it", async () => {
    routes.set(`POST /v1/orders/${ROOT}/`, { status: 201, body: orderJson(REFRESH, "pending") })
    routes.set(`GET /v1/orders/${REFRESH}/`, { status: 200, body: orderJson(REFRESH, "completed") })
    const { run } = setup()
    const out = await run(Effect.gen(function*() {
      const renewed = yield* renewCase("case-1")
      const polled = yield* pollAttempt(renewed.attemptId!, REFRESH)
      return { polled, state: yield* attempts }
    }))
    expect(out.polled.resolved).toBe(true)
    expect(out.state).toEqual([["succeeded", REFRESH]])
  })

  it("a refresh answer that fails validation but names the order: recorded sent with that id (not unknown), the poll completes it", async () => {
    routes.set(`POST /v1/orders/${ROOT}/`, { status: 201, body: orderJson(REFRESH, "pending", { products: undefined, created_at: "22/11/2026" }) })
    routes.set(`GET /v1/orders/${REFRESH}/`, { status: 200, body: orderJson(REFRESH, "completed") })
    const { run } = setup()
    const out = await run(Effect.gen(function*() {
      const renewed = yield* renewCase("case-1")
      const sentState = yield* attempts
      const orders = yield* lineageOrders
      const polled = yield* pollAttempt(renewed.attemptId!, REFRESH)
      return { renewed, sentState, orders, polled, state: yield* attempts }
    }))
    expect([out.renewed.outcome, out.renewed.orderId]).toEqual(["in-flight", REFRESH])
    expect(out.sentState).toEqual([["sent", REFRESH]])
    // Its created_at could not be read: the instant it was recorded.
    expect(out.orders[1]).toEqual([REFRESH, ROOT, iso(NOW)])
    expect([out.polled.resolved, out.state]).toEqual([true, [["succeeded", REFRESH]]])
  })

  it("reconciliation reads the documented root order and records the refresh sent even when the refresh order's body fails validation", async () => {
    routes.set(`POST /v1/orders/${ROOT}/`, { status: 502, body: { detail: "Bad gateway" } })
    routes.set(`GET /v1/orders/${ROOT}/`, { status: 200, body: orderJson(ROOT, "completed", { refresh_order: REFRESH }) })
    routes.set(`GET /v1/orders/${REFRESH}/`, { status: 200, body: orderJson(REFRESH, "pending", { employers: "unreadable" }) })
    const { run } = setup()
    const out = await run(Effect.gen(function*() {
      const renewed = yield* renewCase("case-1")
      const unknown = yield* attempts
      const reconciled = yield* reconcileAttempt("case-1", (yield* state).attempts[0]!)
      return { renewed: renewed.outcome, unknown, reconciled, state: yield* attempts, orders: yield* lineageOrders }
    }))
    expect([out.renewed, out.unknown]).toEqual(["unknown", [["unknown", null]]])
    expect(out.reconciled).toEqual({ kind: "sent", orderId: REFRESH })
    expect(out.state).toEqual([["sent", REFRESH]])
    expect(out.orders[1]).toEqual([REFRESH, ROOT, iso(NOW)])
  })
})
