/**
 * The client against Truv's documented examples (test/fixtures/truv-docs): one test per response
 * fixture (served over loopback HTTP and read through the gateway and the client, so parsing,
 * normalising and mapping are all exercised), one per request fixture (the body the client sends
 * is the documented body, byte for byte), and the typed error of an answer that does not parse.
 */
import { Redacted } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { resetRateBudgets, TruvHttpGateway } from "../src/index.js"
import { startDocsServer, type DocsServer } from "./docs-server.js"
import { fixtureText, loadFixture } from "./fixtures/truv-docs/index.js"
import { failureOf, runGateway, valueOf } from "./helpers.js"

let server: DocsServer
const layer = () => TruvHttpGateway.layer({ baseUrl: server.url, clientId: "client-1", secret: Redacted.make("sandbox-docs-secret"), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 2 } })

beforeEach(async () => {
  resetRateBudgets()
  server = await startDocsServer()
})
afterEach(async () => {
  await server.close()
})

const ROOT = "39aa1486ccca4bc19cda071ffc1ba392"
const REFRESH = "5f3c1d7e9a2b4c6d8e0f1a2b3c4d5e6f"

describe("documented responses parse", () => {
  it("order-refresh-created: the refresh order with provider as an object", async () => {
    server.answer(`POST /v1/orders/${ROOT}/`, fixtureText("order-refresh-created"), 201)
    const out = valueOf(await runGateway(layer(), (gw) => gw.refreshOrder({ orderId: ROOT, product: "income" })))
    expect(out).toEqual({
      id: REFRESH, orderNumber: "1534332", userId: "99dd17074ac94aa9ace2621d657c7610", initialOrder: ROOT, refreshOrder: null,
      products: ["income"], createdAt: "2021-04-21T21:45:14.418Z", isExpired: false, canceledAt: null,
      shareUrl: `https://cdn.truv.com/employment.html?bridge_token=63b4af88facb40e48f517c1e8c7abdf4&order_group_id=${REFRESH}`,
      suborders: [{
        id: "ad9f14440d624ec3b0f66e81e44518c7", suborderNumber: "133982343355", linkId: "e4100fccdae94691b4414c7306220c06", status: "pending", kind: "employer",
        accessToken: expect.any(Object), provider: "adp", dataSource: "payroll", completedAt: null
      }]
    })
    // The connection's access token (for a lineage that moves to a new order, issue 16) stays Redacted.
    expect(Redacted.value(out.suborders[0]!.accessToken!)).toBe("e4100fccdae94691b4414c7306220c06")
  })

  it("order-get-completed: the client normalises provider to its id, the gateway reads the completed suborder", async () => {
    server.answer(`GET /v1/orders/${REFRESH}/`, fixtureText("order-get-completed"))
    const out = valueOf(await runGateway(layer(), (gw, client) => client.getOrder(REFRESH)))
    expect(out.employers?.map((e) => [e.provider, e.status, e.created_at, e.is_suspicious])).toEqual([["adp", "completed", "2021-04-21T22:12:59.346Z", false]])
    const order = valueOf(await runGateway(layer(), (gw) => gw.getOrder(REFRESH)))
    expect(order.suborders.map((s) => [s.linkId, s.status])).toEqual([["e4100fccdae94691b4414c7306220c06", "completed"]])
  })

  it("order-get-root: refresh_order names the latest refresh", async () => {
    server.answer(`GET /v1/orders/${ROOT}/`, fixtureText("order-get-root"))
    const order = valueOf(await runGateway(layer(), (gw) => gw.getOrder(ROOT)))
    expect([order.initialOrder, order.refreshOrder, order.isExpired, order.createdAt]).toEqual([null, REFRESH, true, "2021-01-12T16:02:41.113Z"])
  })

  it("order-legacy: verification_type for products, numbers as ids, provider a string, offset and plain-date timestamps", async () => {
    server.answer(`GET /v1/orders/${ROOT}/`, fixtureText("order-legacy"))
    const json = valueOf(await runGateway(layer(), (gw, client) => client.getOrder(ROOT)))
    expect([json.products, json.order_number, json.created_at, json.expired_at, json.employers?.[0]?.provider]).toEqual([
      ["employment"], "1534332", "2021-04-21T21:45:14.418Z", "2021-04-24T00:00:00.000Z", "adp"
    ])
    const order = valueOf(await runGateway(layer(), (gw) => gw.getOrder(ROOT)))
    expect(order.suborders).toEqual([{
      id: "ad9f14440d624ec3b0f66e81e44518c7", suborderNumber: "133982343355", linkId: null, status: "sent", kind: "employer",
      accessToken: null, provider: "adp", dataSource: null, completedAt: null
    }])
  })

  it("order-created: a new order with nulls where nothing is connected yet", async () => {
    server.answer("POST /v1/orders/", fixtureText("order-created"), 201)
    const order = valueOf(await runGateway(layer(), (gw) => gw.createOrder({ products: ["income"], firstName: "John", lastName: "Doe", orderNumber: "4138538" })))
    expect([order.id, order.orderNumber, order.initialOrder, order.suborders.map((s) => [s.linkId, s.suborderNumber, s.status])]).toEqual([
      "ddd192646b3c48be96651a0ff25cef85", "4138538", null, [[null, null, "pending"]]
    ])
  })

  it("order-list: GET /v1/orders/?order_number= (page 1 of 100); only orders with exactly that number are taken", async () => {
    server.answer("GET /v1/orders/", fixtureText("order-list"))
    const found = valueOf(await runGateway(layer(), (gw) => gw.findOrdersByNumber("4138538")))
    // A Truv that ignored the filter answers the same page: an order with another number is not ours.
    const other = valueOf(await runGateway(layer(), (gw) => gw.findOrdersByNumber("41385")))
    expect([found.map((o) => [o.id, o.orderNumber, o.shareUrl !== null]), other]).toEqual([[["ddd192646b3c48be96651a0ff25cef85", "4138538", true]], []])
    expect(server.received.map((r) => [r.method, r.path, r.query])).toEqual([
      ["GET", "/v1/orders/", "order_number=4138538&page=1&page_size=100"], ["GET", "/v1/orders/", "order_number=41385&page=1&page_size=100"]
    ])
  })

  it("order-canceled: POST /v1/orders/{id}/cancel/ answers the order, canceled", async () => {
    server.answer("POST /v1/orders/ddd192646b3c48be96651a0ff25cef85/cancel/", fixtureText("order-canceled"))
    const order = valueOf(await runGateway(layer(), (gw) => gw.cancelOrder("ddd192646b3c48be96651a0ff25cef85")))
    expect([order.canceledAt, order.suborders.map((s) => s.status), server.received[0]!.body]).toEqual(["2024-07-12T09:15:02.118Z", ["canceled"], ""])
  })

  it("bridge-token: the documented token object", async () => {
    server.answer("POST /v1/users/u1/tokens/", fixtureText("bridge-token"))
    const r = valueOf(await runGateway(layer(), (gw) => gw.createBridgeToken({ userId: "u1", accessToken: Redacted.make("tok"), product: "income" })))
    expect(r).toEqual({ bridgeToken: "2f67984a110747d190c39e1022c81837" })
  })

  it("refresh-task-created and refresh-task: the task id, then its status and created_at", async () => {
    server.answer("POST /v1/refresh/tasks/", fixtureText("refresh-task-created"))
    server.answer("GET /v1/refresh/tasks/48427a36d43c4d5aa6324bc06c692456/", fixtureText("refresh-task"))
    const created = valueOf(await runGateway(layer(), (gw) => gw.createRefreshTask(Redacted.make("tok"), "income")))
    const task = valueOf(await runGateway(layer(), (gw) => gw.getRefreshTask(created.taskId)))
    expect([created, task]).toEqual([{ taskId: "48427a36d43c4d5aa6324bc06c692456" }, { id: "48427a36d43c4d5aa6324bc06c692456", status: "new", createdAt: "2022-06-07T15:00:00.000Z" }])
  })

  it("order-events: the page with refresh events, timestamps normalised", async () => {
    server.answer(`GET /v1/orders/${ROOT}/events/`, fixtureText("order-events"))
    const page = valueOf(await runGateway(layer(), (gw, client) => client.listOrderEvents(ROOT, { includeRefreshOrders: true })))
    expect(page.results.map((e) => [e.type, e.is_refresh, e.order_id, e.timestamp])).toEqual([
      ["order_created", false, ROOT, "2021-01-12T16:02:41.113Z"],
      ["order_created", true, REFRESH, "2021-04-21T21:45:14.418Z"]
    ])
  })

  it("task: the client keeps status, link and order (never the task's bridge_token or user)", async () => {
    server.answer("GET /v1/tasks/521442a087604e599c637db310d07402/", fixtureText("task"))
    const task = valueOf(await runGateway(layer(), (gw, client) => client.getTask("521442a087604e599c637db310d07402")))
    expect(task).toEqual({
      id: "521442a087604e599c637db310d07402", status: "login_error", link_id: "e4100fccdae94691b4414c7306220c06",
      order_id: REFRESH, product_type: "income"
    })
  })
})

describe("findSuborderTask: which failure a suborder's `error` was (issue 14)", () => {
  const TASK = "521442a087604e599c637db310d07402"
  const ref = { orderId: REFRESH, suborderId: "ad9f14440d624ec3b0f66e81e44518c7", linkId: "e4100fccdae94691b4414c7306220c06" }

  it("the refresh order's events name the connection's task; the task says login_error", async () => {
    server.answer(`GET /v1/orders/${REFRESH}/events/`, fixtureText("order-events"))
    server.answer(`GET /v1/tasks/${TASK}/`, fixtureText("task"))
    const task = valueOf(await runGateway(layer(), (gw) => gw.findSuborderTask(ref)))
    expect(task).toEqual({ id: TASK, status: "login_error", linkId: ref.linkId, orderId: REFRESH })
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/orders/${REFRESH}/events/`, `GET /v1/tasks/${TASK}/`])
  })

  it("by link id alone when the event has no suborder id; the latest event's task when there are several", async () => {
    const events = {
      count: 3, next: null, previous: null,
      results: [
        { object: "task", type: "t", is_refresh: true, order_id: REFRESH, timestamp: "2021-04-21T21:50:00Z", suborder_id: null, task_id: "task-late", link_id: ref.linkId },
        { object: "task", type: "t", is_refresh: true, order_id: REFRESH, timestamp: "2021-04-21T21:46:00Z", suborder_id: null, task_id: "task-early", link_id: ref.linkId },
        { object: "task", type: "t", is_refresh: true, order_id: REFRESH, timestamp: "2021-04-21T21:55:00Z", suborder_id: "other", task_id: "task-other", link_id: "other-link" }
      ]
    }
    server.answer(`GET /v1/orders/${REFRESH}/events/`, JSON.stringify(events))
    server.answer("GET /v1/tasks/task-late/", JSON.stringify({ id: "task-late", status: "mfa_error", link_id: ref.linkId, order_id: REFRESH }))
    const task = valueOf(await runGateway(layer(), (gw) => gw.findSuborderTask(ref)))
    expect(task).toEqual({ id: "task-late", status: "mfa_error", linkId: ref.linkId, orderId: REFRESH })
  })

  it("no event names a task for the connection (yet): null, and no task is read", async () => {
    server.answer(`GET /v1/orders/${REFRESH}/events/`, JSON.stringify({ count: 0, next: null, previous: null, results: [] }))
    const task = valueOf(await runGateway(layer(), (gw) => gw.findSuborderTask(ref)))
    expect([task, server.received.length]).toEqual([null, 1])
  })

  it("the events lookup failing is the call's typed error (the workflow then assumes the cheaper truth)", async () => {
    server.answer(`GET /v1/orders/${REFRESH}/events/`, JSON.stringify({ error: { code: "server_error", message: "boom" } }), 503)
    const error = failureOf(await runGateway(layer(), (gw) => gw.findSuborderTask(ref)))
    expect(error._tag).toBe("ProviderUnavailable")
  })
})

describe("requests are the documented bodies", () => {
  const sent = (i = 0) => server.received[i]!

  it("request-refresh-order: {products:[one]} to POST /v1/orders/{id}/ as JSON", async () => {
    server.answer(`POST /v1/orders/${ROOT}/`, fixtureText("order-refresh-created"), 201)
    valueOf(await runGateway(layer(), (gw) => gw.refreshOrder({ orderId: ROOT, product: "income" })))
    expect([sent().body, sent().headers["content-type"]]).toEqual([JSON.stringify(loadFixture("request-refresh-order")), "application/json"])
  })

  it("request-refresh-order-employers: employers selected by id", async () => {
    server.answer(`POST /v1/orders/${ROOT}/`, fixtureText("order-refresh-created"), 201)
    valueOf(await runGateway(layer(), (gw) => gw.refreshOrder({ orderId: ROOT, product: "employment", employers: ["ad9f14440d624ec3b0f66e81e44518c7"] })))
    expect(sent().body).toBe(JSON.stringify(loadFixture("request-refresh-order-employers")))
  })

  it("request-refresh-task: access_token and product_type", async () => {
    server.answer("POST /v1/refresh/tasks/", fixtureText("refresh-task-created"))
    valueOf(await runGateway(layer(), (gw) => gw.createRefreshTask(Redacted.make("e4100fccdae94691b4414c7306220c06"), "income")))
    expect(sent().body).toBe(JSON.stringify(loadFixture("request-refresh-task")))
  })

  it("request-bridge-token: update mode (product_type, access_token)", async () => {
    server.answer("POST /v1/users/u1/tokens/", fixtureText("bridge-token"))
    valueOf(await runGateway(layer(), (gw) => gw.createBridgeToken({ userId: "u1", accessToken: Redacted.make("e4100fccdae94691b4414c7306220c06"), product: "income" })))
    expect(sent().body).toBe(JSON.stringify(loadFixture("request-bridge-token")))
  })

  it("request-bridge-token-tracking: tracking_info, our key of the request", async () => {
    server.answer("POST /v1/users/u1/tokens/", fixtureText("bridge-token"))
    valueOf(await runGateway(layer(), (gw) => gw.createBridgeToken({
      userId: "u1", accessToken: Redacted.make("e4100fccdae94691b4414c7306220c06"), product: "income", trackingInfo: "any data for tracking current user"
    })))
    expect(sent().body).toBe(JSON.stringify(loadFixture("request-bridge-token-tracking")))
  })

  it("request-create-order: the required fields, order_number and email", async () => {
    server.answer("POST /v1/orders/", fixtureText("order-created"), 201)
    valueOf(await runGateway(layer(), (gw) => gw.createOrder({ products: ["income"], firstName: "John", lastName: "Doe", orderNumber: "4138538", email: "john.doe@example.com" })))
    expect(sent().body).toBe(JSON.stringify(loadFixture("request-create-order")))
  })

  it("a new order the agency delivers: phone, external_user_id and Truv's notifications suppressed (truv-reports-notes §3.3)", async () => {
    server.answer("POST /v1/orders/", fixtureText("order-created"), 201)
    valueOf(await runGateway(layer(), (gw) => gw.createOrder({
      products: ["income"], firstName: "Zoë", lastName: "Ñúñez", orderNumber: "4138538/rq-1", phone: "+14155550123", externalUserId: "client-77", suppressNotifications: true
    })))
    expect(JSON.parse(sent().body)).toEqual({
      products: ["income"], first_name: "Zoë", last_name: "Ñúñez", order_number: "4138538/rq-1", phone: "+14155550123", external_user_id: "client-77",
      notification_settings: { suppress_user_notifications: true }
    })
  })

  it("GETs send no body and the documented headers", async () => {
    server.answer(`GET /v1/orders/${ROOT}/`, fixtureText("order-get-root"))
    valueOf(await runGateway(layer(), (gw) => gw.getOrder(ROOT)))
    expect([sent().body, sent().headers["x-access-client-id"], sent().headers["x-access-secret"], sent().headers["accept"]]).toEqual(["", "client-1", "sandbox-docs-secret", "application/json"])
  })
})

describe("POSTs that create are never re-sent unless provably unsent (issue 15)", () => {
  const retrying = () => TruvHttpGateway.layer({ baseUrl: server.url, clientId: "client-1", secret: Redacted.make("sandbox-docs-secret"), retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 } })

  it("a Bridge token POST answered 502 (processed? unknown) is sent once; a GET is retried", async () => {
    server.answer("POST /v1/users/u1/tokens/", JSON.stringify({ detail: "Bad Gateway" }), 502)
    server.answer("GET /v1/orders/", JSON.stringify({ detail: "Bad Gateway" }), 502)
    const token = failureOf(await runGateway(retrying(), (gw) => gw.createBridgeToken({ userId: "u1", accessToken: Redacted.make("tok"), product: "income" })))
    const list = failureOf(await runGateway(retrying(), (gw) => gw.findOrdersByNumber("4138538")))
    expect([token._tag, list._tag]).toEqual(["ProviderUnavailable", "ProviderUnavailable"])
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/users/u1/tokens/", "GET /v1/orders/", "GET /v1/orders/", "GET /v1/orders/", "GET /v1/orders/"
    ])
  })
})

describe("an answer that does not parse", () => {
  const broken = (over: Record<string, unknown>) => JSON.stringify({ ...(loadFixture("order-refresh-created") as Record<string, unknown>), ...over })

  it("names the field paths, never values, and carries the order id the body gave", async () => {
    server.answer(`POST /v1/orders/${ROOT}/`, broken({ products: undefined, created_at: "21/04/2021 secret-value" }), 201)
    const error = failureOf(await runGateway(layer(), (gw) => gw.refreshOrder({ orderId: ROOT, product: "income" })))
    expect(error).toMatchObject({ _tag: "Transport", reachedTruv: true, orderId: REFRESH, invalidFields: ["created_at"] })
    expect(error.message).toBe(`POST /v1/orders/{id}/: unexpected response (created_at: expected an ISO-8601 date, or a timestamp with Z or an offset) for order ${REFRESH}`)
    expect(error.message).not.toContain("secret-value")
  })

  it("without products nor verification_type: the path is products", async () => {
    server.answer(`GET /v1/orders/${REFRESH}/`, broken({ products: undefined }))
    const error = failureOf(await runGateway(layer(), (gw) => gw.getOrder(REFRESH)))
    expect(error).toMatchObject({ _tag: "Transport", orderId: REFRESH, invalidFields: ["products"] })
  })

  it("without an id: no order id, and the refresh is not re-sent", async () => {
    server.answer(`POST /v1/orders/${ROOT}/`, broken({ id: null }), 201)
    const error = failureOf(await runGateway(layer(), (gw) => gw.refreshOrder({ orderId: ROOT, product: "income" })))
    expect(error).toMatchObject({ _tag: "Transport", reachedTruv: true, invalidFields: ["id"] })
    expect("orderId" in error).toBe(false)
    expect(server.received.length).toBe(1)
  })

  it("an unknown refresh task status: TruvClient keeps it; the port (closed enum) names the field", async () => {
    server.answer("GET /v1/refresh/tasks/t1/", JSON.stringify({ id: "t1", created_at: "2022-06-07T15:00:00Z", status: "queued_for_retry" }))
    const raw = valueOf(await runGateway(layer(), (gw, client) => client.getRefreshTask("t1")))
    const error = failureOf(await runGateway(layer(), (gw) => gw.getRefreshTask("t1")))
    expect(raw.status).toBe("queued_for_retry")
    expect(error).toMatchObject({ _tag: "Transport", invalidFields: ["status"], message: "GET /v1/refresh/tasks/{id}/: status is not a known task status" })
  })
})

describe("DELETE /v1/links/{link_id}/ (docs.truv.com/api-reference/links/delete_link_by_link_id: 204, empty body)", () => {
  const LINK = "d39d86dcc20c46e0ae75ba9ab1311a21"

  it("204 is deleted; the request is a DELETE with the credentials and no body", async () => {
    server.answer(`DELETE /v1/links/${LINK}/`, "", 204)
    expect(valueOf(await runGateway(layer(), (_gw, client) => client.deleteLink(LINK)))).toBe("deleted")
    expect(server.received.map((r) => [r.method, r.path, r.body, r.headers["x-access-client-id"]])).toEqual([["DELETE", `/v1/links/${LINK}/`, "", "client-1"]])
  })

  it("404 (already deleted, or never existed) is not-found, not a failure", async () => {
    expect(valueOf(await runGateway(layer(), (_gw, client) => client.deleteLink("nope")))).toBe("not-found")
  })

  it("401 is a failure", async () => {
    server.answer(`DELETE /v1/links/${LINK}/`, fixtureText("error-401"), 401)
    expect(failureOf(await runGateway(layer(), (_gw, client) => client.deleteLink(LINK)))?._tag).toBe("Unauthorized")
  })
})
