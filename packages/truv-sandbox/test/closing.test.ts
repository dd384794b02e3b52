/* eslint-disable @typescript-eslint/no-unsafe-call -- assertions over raw JSON bodies */
/**
 * Closing a lineage: canceled (admin, or Truv's `POST /v1/orders/{id}/cancel/`), finalized
 * (admin, with `order-finalized`) or expired. A closed lineage refuses refreshes with 400.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parseWebhookEvent, resetRateBudgets } from "@recert/truv-adapter"
import { type SeededLineage, type TruvSandbox } from "../src/index.js"
import { failureOf, gatewayLayer, runGateway, startSandbox, T0 } from "./helpers.js"
import { refresh, truv } from "./truv-http.js"

const HOUR = 3_600_000
const T1 = "2026-11-22T11:00:00.000Z"
let sandbox: TruvSandbox
let lineage: SeededLineage

beforeEach(async () => {
  resetRateBudgets()
  sandbox = await startSandbox({ faults: { completionDelayMs: 1 } })
  lineage = sandbox.seedLineage({ orderId: "root0001", orderNumber: "4138538", userId: "user0001", connections: [{ linkId: "link-a" }] })
})
afterEach(async () => {
  await sandbox.close()
})

const refused = (message: string) => ({
  error: { code: "incorrect_parameters", message: "Incorrect request parameters", extra: { "invalid-params": [{ field: "order", message }] } }
})

describe("cancel", () => {
  it("cancelOrder closes the whole lineage: canceled_at on every order, refreshes refused with 400", async () => {
    const first = await refresh(sandbox, "root0001")
    await sandbox.idle()
    sandbox.clock.advance(HOUR)
    expect(sandbox.cancelOrder(first.body.id as string)).toEqual({ rootId: "root0001", orderIds: ["root0001", first.body.id], canceledAt: T1, finalizedAt: null })
    expect((await truv(sandbox, "GET", "/v1/orders/root0001/")).body).toMatchObject({ canceled_at: T1, is_expired: false, updated_at: T1 })
    expect((await truv(sandbox, "GET", `/v1/orders/${first.body.id}/`)).body).toMatchObject({ canceled_at: T1 })
    const again = await refresh(sandbox, "root0001")
    expect(again.status).toBe(400)
    expect(again.body).toEqual(refused("Order is canceled"))
    expect(sandbox.report()).toMatchObject({ lineagesCanceled: 1, refreshes: { accepted: 1, rejectedOther: 1 }, refreshOrdersCreated: 1 })
    expect(sandbox.link("link-a").refreshes).toEqual([T0])
  })

  it("canceling again changes nothing", () => {
    sandbox.cancelOrder("root0001")
    sandbox.clock.advance(HOUR)
    expect(sandbox.cancelOrder("root0001").canceledAt).toBe(T0)
    expect(sandbox.report().lineagesCanceled).toBe(1)
  })

  it("a task Truv already accepted still ends and is billed; the client reads InvalidRequest naming order", async () => {
    sandbox.configureFaults({ completionDelayMs: 200 })
    const r = await refresh(sandbox, "root0001")
    sandbox.cancelOrder("root0001")
    expect((await truv(sandbox, "GET", `/v1/orders/${r.body.id}/`)).body.employers[0].status).toBe("canceled")
    await sandbox.idle()
    expect((await truv(sandbox, "GET", `/v1/orders/${r.body.id}/`)).body.employers[0].status).toBe("completed")
    expect(sandbox.report().verifications.billed).toBe(1)
    const error = failureOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(error).toMatchObject({ _tag: "InvalidRequest", code: "incorrect_parameters", fields: [{ field: "order", message: "Order is canceled" }] })
  })

  it("pending suborders of a new order become canceled", async () => {
    const created = await truv(sandbox, "POST", "/v1/orders/", { products: ["income"], first_name: "Ada", last_name: "Lovelace", employers: [{ company_name: "Acme" }] })
    sandbox.cancelOrder(created.body.id as string)
    const order = (await truv(sandbox, "GET", `/v1/orders/${created.body.id}/`)).body
    expect(order.canceled_at).toBe(T0)
    expect(order.employers.map((e: { status: string }) => e.status)).toEqual(["canceled"])
  })

  it("POST /v1/orders/{id}/cancel/ answers 200 with the order; 404 for an unknown order; 405 for GET", async () => {
    sandbox.clock.advance(HOUR)
    const r = await truv(sandbox, "POST", "/v1/orders/root0001/cancel/")
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: "root0001", canceled_at: T1 })
    expect(await truv(sandbox, "POST", "/v1/orders/nope/cancel/")).toMatchObject({ status: 404, body: { detail: "Not Found." } })
    expect((await truv(sandbox, "GET", "/v1/orders/root0001/cancel/")).status).toBe(405)
    expect(sandbox.report().calls["POST /v1/orders/{id}/cancel/"]).toBe(2)
    expect((await refresh(sandbox, "root0001")).body).toEqual(refused("Order is canceled"))
  })

  it("admin HTTP: POST /_sandbox/orders/{id}/cancel", async () => {
    const r = await fetch(`${sandbox.url}/_sandbox/orders/root0001/cancel`, { method: "POST" })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ rootId: "root0001", orderIds: ["root0001"], canceledAt: T0, finalizedAt: null })
    const unknown = await fetch(`${sandbox.url}/_sandbox/orders/nope/cancel`, { method: "POST" })
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toEqual({ error: "unknown order nope" })
  })
})

describe("finalize", () => {
  it("finalizeOrder sends one order-finalized and refuses refreshes; finalizing again sends nothing", async () => {
    sandbox.clock.advance(HOUR)
    expect(sandbox.finalizeOrder("root0001")).toEqual({ rootId: "root0001", orderIds: ["root0001"], canceledAt: null, finalizedAt: T1 })
    sandbox.finalizeOrder("root0001")
    const finalized = sandbox.webhooks().filter((w) => w.eventType === "order-finalized")
    expect(finalized).toHaveLength(1)
    const event = JSON.parse(finalized[0]!.body) as Record<string, unknown>
    expect(event).toEqual({
      webhook_id: finalized[0]!.webhookId, event_type: "order-finalized",
      event_created_at: "2026-11-22T11:00:00.000000Z", updated_at: "2026-11-22T11:00:00.000000+00:00",
      user_id: "user0001", template_id: null, order_id: "root0001", order_number: "4138538",
      employer_id: null, link_id: null, data_source: null, product: "income", status: "finalized"
    })
    // The client's parser keeps it whole as an event type it does not model.
    expect(parseWebhookEvent(finalized[0]!.body)).toMatchObject({ ok: true, event: { event_type: "unknown", originalEventType: "order-finalized" } })
    const r = await refresh(sandbox, "root0001")
    expect(r.status).toBe(400)
    expect(r.body).toEqual(refused("Order is finalized"))
    expect((await truv(sandbox, "GET", "/v1/orders/root0001/")).body).toMatchObject({ canceled_at: null, is_expired: false })
    expect(sandbox.report()).toMatchObject({ lineagesFinalized: 1, refreshes: { accepted: 0, rejectedOther: 1 } })
  })

  it("a finalized lineage cannot be canceled (400 on Truv's path, an error in-process)", async () => {
    const f = await fetch(`${sandbox.url}/_sandbox/orders/root0001/finalize`, { method: "POST" })
    expect(f.status).toBe(200)
    expect((await truv(sandbox, "POST", "/v1/orders/root0001/cancel/")).body).toEqual(refused("Order is finalized"))
    expect(() => sandbox.cancelOrder("root0001")).toThrow("order root0001 is finalized")
    expect(sandbox.report().lineagesCanceled).toBe(0)
  })
})

describe("expired", () => {
  it("a new order not completed within 72 weekday hours is is_expired and refuses refreshes", async () => {
    // Created Sunday 10:00: the weekend does not count, so Monday, Tuesday and Wednesday make the 72 h.
    const created = await truv(sandbox, "POST", "/v1/orders/", { products: ["income"], first_name: "Ada", last_name: "Lovelace" })
    const id = created.body.id as string
    expect(created.body.expired_at).toBe("2026-11-26T00:00:00.000Z")
    sandbox.clock.set(Date.parse("2026-11-26T00:00:00.000Z") - 1)
    expect((await truv(sandbox, "GET", `/v1/orders/${id}/`)).body.is_expired).toBe(false)
    expect((await refresh(sandbox, id)).body.error.extra["invalid-params"]).toEqual([{ field: "employers", message: "The order has no connected employer or financial account to refresh." }])
    sandbox.clock.advance(1)
    expect((await truv(sandbox, "GET", `/v1/orders/${id}/`)).body.is_expired).toBe(true)
    expect((await refresh(sandbox, id)).body).toEqual(refused("Order is expired"))
  })

  it("a completed root never expires", async () => {
    sandbox.clock.advance(30 * 24 * HOUR)
    expect((await truv(sandbox, "GET", `/v1/orders/${lineage.orderId}/`)).body.is_expired).toBe(false)
    expect((await refresh(sandbox, lineage.orderId)).status).toBe(201)
  })
})
