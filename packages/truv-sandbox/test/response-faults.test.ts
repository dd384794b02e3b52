/**
 * Faults on the answer path: an answer lost after Truv processed the request
 * (`responseLossRate`) and latency spikes (`latencySpikeRate`). The client must treat a lost
 * answer to a refresh as "may have happened" and never send the refresh again.
 */
import { Redacted } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { TruvSandbox } from "../src/index.js"
import { resetRateBudgets } from "@recert/truv-adapter"
import { Prng } from "../src/prng.js"
import { failureOf, gatewayLayer, runGateway, startSandbox, T0, valueOf } from "./helpers.js"
import { truv } from "./truv-http.js"

let sandbox: TruvSandbox

beforeEach(async () => {
  resetRateBudgets()
  sandbox = await startSandbox({ seed: 7, faults: { completionDelayMs: 1 } })
  sandbox.seedLineage({ orderId: "root0001", connections: [{ linkId: "link-a", accessToken: "tok-a" }] })
})
afterEach(async () => {
  await sandbox.close()
})

/** How many of `n` draws of a fresh PRNG seeded with `seed` fall under `rate` (the sandbox's own draws). */
const expectedHits = (seed: number, n: number, rate: number): number => {
  const prng = new Prng(seed)
  let hits = 0
  for (let i = 0; i < n; i++) if (prng.next() < rate) hits += 1
  return hits
}

describe("responseLossRate: processed, then the answer is lost", () => {
  it("destroyed socket: Transport{reachedTruv:true}, the refresh POST is not re-sent, and it counted and billed once", async () => {
    sandbox.configureFaults({ responseLossRate: 1 })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { maxRetries: 3 }), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(error._tag).toBe("Transport")
    if (error._tag === "Transport") {
      expect(error.reachedTruv).toBe(true)
      expect(error.message).toMatch(/^POST \/v1\/orders\/\{id\}\/: /)
    }
    await sandbox.idle()
    const report = sandbox.report()
    expect(report.calls["POST /v1/orders/{id}/"]).toBe(1)
    expect(report.responsesLost).toBe(1)
    expect(report.refreshes.accepted).toBe(1)
    expect(report.refreshOrdersCreated).toBe(1)
    expect(report.verifications.billed).toBe(1)
    expect(sandbox.link("link-a").refreshes).toEqual(["2026-11-22T10:00:00.000Z"])
  })

  it("bad-gateway mode: ProviderUnavailable{502}, not retried for a refresh POST, accepted once", async () => {
    sandbox.configureFaults({ responseLossRate: 1, responseLossMode: "bad-gateway" })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { maxRetries: 3 }), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(error).toMatchObject({ _tag: "ProviderUnavailable", status: 502, message: "Bad gateway." })
    await sandbox.idle()
    expect(sandbox.report()).toMatchObject({ responsesLost: 1, refreshes: { accepted: 1 }, refreshOrdersCreated: 1, calls: { "POST /v1/orders/{id}/": 1 } })
  })

  it("a refresh task POST is not re-sent either", async () => {
    sandbox.configureFaults({ responseLossRate: 1 })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { maxRetries: 3 }), (gw) => gw.createRefreshTask(Redacted.make("tok-a"), "income")))
    expect(error).toMatchObject({ _tag: "Transport", reachedTruv: true })
    await sandbox.idle()
    expect(sandbox.report()).toMatchObject({ responsesLost: 1, refreshes: { accepted: 1 }, tasks: { created: 1 }, calls: { "POST /v1/refresh/tasks/": 1 } })
  })

  it("an idempotent GET is retried through lost answers", async () => {
    sandbox.configureFaults({ responseLossRate: 1 })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { maxRetries: 2 }), (gw) => gw.getOrder("root0001")))
    expect(error).toMatchObject({ _tag: "Transport", reachedTruv: true })
    expect(sandbox.report()).toMatchObject({ responsesLost: 3, calls: { "GET /v1/orders/{id}/": 3 } })
  })

  it("requests refused before processing (401, injected 500) never lose their answer", async () => {
    sandbox.configureFaults({ responseLossRate: 1, errorRate: 1 })
    expect((await truv(sandbox, "GET", "/v1/orders/root0001/")).status).toBe(500)
    expect((await truv(sandbox, "GET", "/v1/orders/root0001/", undefined, false)).status).toBe(401)
    expect(sandbox.report()).toMatchObject({ responsesLost: 0, injectedErrors: 1 })
  })

  it("the rate is drawn from the seeded PRNG: one draw per processed request", async () => {
    // A fresh sandbox (nothing seeded, so no id drew from the PRNG); a 404 is processed too.
    const fresh = await startSandbox({ seed: 11, faults: { responseLossRate: 0.5, responseLossMode: "bad-gateway" } })
    const statuses: Array<number> = []
    for (let i = 0; i < 20; i++) statuses.push((await truv(fresh, "GET", "/v1/orders/nope/")).status)
    await fresh.close()
    const prng = new Prng(11)
    expect(statuses).toEqual(Array.from({ length: 20 }, () => (prng.next() < 0.5 ? 502 : 404)))
    expect(fresh.report().responsesLost).toBe(expectedHits(11, 20, 0.5))
    expect(fresh.report().responsesLost).toBe(9)
  })
})

describe("responseLossEndpoints: the answers of chosen routes only (issue 15)", () => {
  it("a new order and a Bridge token processed, their answers lost, not re-sent; the order found by its order_number, then canceled", async () => {
    sandbox.configureFaults({ responseLossRate: 1, responseLossEndpoints: ["POST /v1/orders/", "POST /v1/users/{id}/tokens/"] })
    const layer = gatewayLayer(sandbox, { maxRetries: 3 })
    const order = failureOf(await runGateway(layer, (gw) => gw.createOrder({ products: ["income"], firstName: "Ada", lastName: "L", orderNumber: "ON-1/rq-1" })))
    const userId = sandbox.link("link-a").userId
    const token = failureOf(await runGateway(layer, (gw) => gw.createBridgeToken({ userId, accessToken: Redacted.make("tok-a"), product: "income", trackingInfo: "rq-2" })))
    expect([order, token].map((e) => e._tag === "Transport" && e.reachedTruv)).toEqual([true, true])
    // The lookup (another route) is answered: exactly one order carries the number.
    const found = valueOf(await runGateway(layer, (gw) => gw.findOrdersByNumber("ON-1/rq-1")))
    expect([found.length, found[0]?.orderNumber, valueOf(await runGateway(layer, (gw) => gw.findOrdersByNumber("ON-1")))]).toEqual([1, "ON-1/rq-1", []])
    const canceled = valueOf(await runGateway(layer, (gw) => gw.cancelOrder(found[0]!.id)))
    expect(canceled.canceledAt).toBe(T0)
    const report = sandbox.report()
    expect([report.calls["POST /v1/orders/"], report.calls["POST /v1/users/{id}/tokens/"], report.ordersCreated, report.bridgeTokensIssued, report.responsesLost, report.lineagesCanceled])
      .toEqual([1, 1, 1, 1, 2, 1])
  })
})

describe("GET /v1/orders/: the client's orders, newest first, paged, filtered by order_number", () => {
  it("pages of page_size, next/previous as query strings, refresh orders included, exact order_number match", async () => {
    const create = async (n: string) => (await truv(sandbox, "POST", "/v1/orders/", { products: ["income"], first_name: "A", last_name: "B", order_number: n })).body.id as string
    const a = await create("N-1")
    sandbox.clock.advance(1000)
    const b = await create("N-1")
    sandbox.clock.advance(1000)
    const c = await create("N-10")
    type Page = { count: number; next: string | null; previous: string | null; results: Array<{ id: string }> }
    const page = async (query: string): Promise<Page> => (await truv(sandbox, "GET", `/v1/orders/?${query}`)).body as Page
    const all = await page("page_size=2")
    const second = await page("page_size=2&page=2")
    const n1 = await page("order_number=N-1")
    expect([all.count, all.next, all.previous, all.results.map((o) => o.id)]).toEqual([4, "?page=2&page_size=2", null, [c, b]])
    expect([second.next, second.previous, second.results.map((o) => o.id)]).toEqual([null, "?page=1&page_size=2", [a, "root0001"]])
    expect([n1.count, n1.results.map((o) => o.id)]).toEqual([2, [b, a]])
  })
})

describe("latency spikes", () => {
  it("a spike turns into a client timeout; idle() waits for the request still inside the delay", async () => {
    sandbox.configureFaults({ latencySpikeRate: 1, latencySpikeMs: 300 })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { timeoutMs: 50, maxRetries: 3 }), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(error).toMatchObject({ _tag: "Transport", reachedTruv: true, message: "POST /v1/orders/{id}/: no complete answer within 50 ms" })
    expect(sandbox.report().refreshes.accepted).toBe(0)
    await sandbox.idle()
    expect(sandbox.report()).toMatchObject({ latencySpikes: 1, refreshes: { accepted: 1 }, calls: { "POST /v1/orders/{id}/": 1 } })
  })

  it("without a spike the same request answers within the timeout", async () => {
    sandbox.configureFaults({ latencySpikeRate: 0, latencySpikeMs: 300 })
    const order = valueOf(await runGateway(gatewayLayer(sandbox, { timeoutMs: 250 }), (gw) => gw.getOrder("root0001")))
    expect(order.id).toBe("root0001")
    expect(sandbox.report().latencySpikes).toBe(0)
  })

  it("spikes are drawn from the seeded PRNG, one draw per request", async () => {
    const fresh = await startSandbox({ seed: 11, faults: { latencySpikeRate: 0.5, latencySpikeMs: 1 } })
    for (let i = 0; i < 20; i++) expect((await truv(fresh, "GET", "/v1/orders/nope/")).status).toBe(404)
    await fresh.close()
    expect(fresh.report().latencySpikes).toBe(expectedHits(11, 20, 0.5))
    expect(fresh.report().latencySpikes).toBe(9)
  })
})
