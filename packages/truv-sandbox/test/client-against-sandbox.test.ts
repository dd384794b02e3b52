/**
 * Contract tests: the HTTP gateway against the sandbox server, one per endpoint and one per
 * typed error the scheduler acts on.
 */
import { Redacted } from "effect"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { SeededLineage, TruvSandbox } from "../src/index.js"
import { resetRateBudgets } from "@recert/truv-adapter"
import { failureOf, gatewayLayer, runGateway, startSandbox, T0, valueOf } from "./helpers.js"

let sandbox: TruvSandbox
let lineage: SeededLineage

beforeEach(async () => {
  resetRateBudgets()
  sandbox = await startSandbox()
  lineage = sandbox.seedLineage({ orderId: "root0001", orderNumber: "4138538", userId: "user0001", connections: [{ linkId: "link-a", accessToken: "tok-a" }, { linkId: "link-b", accessToken: "tok-b" }] })
})
afterEach(async () => {
  await sandbox.close()
})

describe("endpoints", () => {
  it("refreshOrder creates a new order linked to the root, with the order number carried", async () => {
    const order = valueOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(order.id).not.toBe("root0001")
    expect(order.initialOrder).toBe("root0001")
    expect(order.refreshOrder).toBe(null)
    expect(order.orderNumber).toBe("4138538")
    expect(order.products).toEqual(["income"])
    expect(order.createdAt).toBe(T0)
    expect(order.suborders.map((s) => [s.linkId, s.status, s.kind, s.suborderNumber])).toEqual([
      ["link-a", "pending", "employer", "4138538-1"],
      ["link-b", "pending", "employer", "4138538-2"]
    ])
  })

  it("refreshOrder with employers refreshes only those; getOrder sees refresh_order on the root", async () => {
    const exit = await runGateway(gatewayLayer(sandbox), (gw) =>
      Effect.gen(function*() {
        const refresh = yield* gw.refreshOrder({ orderId: "root0001", product: "employment", employers: [lineage.connections[1]!.suborderId] })
        const root = yield* gw.getOrder("root0001")
        return { refresh, root }
      }))
    const { refresh, root } = valueOf(exit)
    expect(refresh.suborders.map((s) => s.linkId)).toEqual(["link-b"])
    expect(refresh.products).toEqual(["employment"])
    expect(root.refreshOrder).toBe(refresh.id)
    expect(root.initialOrder).toBe(null)
    expect(root.userId).toBe("user0001")
    expect(root.suborders.map((s) => s.status)).toEqual(["completed", "completed"])
  })

  it("createOrder returns a new order with a share URL", async () => {
    const order = valueOf(await runGateway(gatewayLayer(sandbox), (gw) =>
      gw.createOrder({ products: ["income"], firstName: "Ada", lastName: "Lovelace", orderNumber: "4138538" })))
    expect(order.initialOrder).toBe(null)
    expect(order.orderNumber).toBe("4138538")
    expect(order.shareUrl).toMatch(/^https:\/\/cdn\.truv\.com\//)
    expect(sandbox.report().ordersCreated).toBe(1)
  })

  it("createBridgeToken in update mode for a link of the user", async () => {
    const r = valueOf(await runGateway(gatewayLayer(sandbox), (gw) =>
      gw.createBridgeToken({ userId: "user0001", accessToken: Redacted.make("tok-a"), product: "income" })))
    expect(r.bridgeToken).toMatch(/^[0-9a-f]{32}$/)
    expect(sandbox.report().bridgeTokensIssued).toBe(1)
  })

  it("createRefreshTask then getRefreshTask follows the task to done", async () => {
    sandbox.configureFaults({ completionDelayMs: 500 })
    const { taskId } = valueOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.createRefreshTask(Redacted.make("tok-a"), "income")))
    const first = valueOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.getRefreshTask(taskId)))
    expect(first).toEqual({ id: taskId, status: "new", createdAt: T0 })
    await sandbox.idle()
    const done = valueOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.getRefreshTask(taskId)))
    expect(done.status).toBe("done")
  })

  it("listOrderEvents includes the refresh orders' events on request", async () => {
    const exit = await runGateway(gatewayLayer(sandbox), (gw, client) =>
      Effect.gen(function*() {
        const refresh = yield* gw.refreshOrder({ orderId: "root0001", product: "income" })
        yield* Effect.promise(() => sandbox.idle())
        const own = yield* client.listOrderEvents("root0001")
        const all = yield* client.listOrderEvents("root0001", { includeRefreshOrders: true })
        return { refresh, own, all }
      }))
    const { refresh, own, all } = valueOf(exit)
    expect(own.results.map((e) => e.type)).toEqual(["order_created"])
    expect(all.count).toBe(4)
    expect(all.results.map((e) => [e.type, e.is_refresh, e.order_id])).toEqual([
      ["order_created", false, "root0001"],
      ["order_created", true, refresh.id],
      ["order_completed", true, refresh.id],
      ["order_completed", true, refresh.id]
    ])
  })

  it("findSuborderTask: a failed suborder says only error; its task says which failure (issue 14)", async () => {
    sandbox.setBehaviour("link-a", "mfa-error")
    sandbox.setBehaviour("link-b", "account-locked")
    const exit = await runGateway(gatewayLayer(sandbox), (gw) =>
      Effect.gen(function*() {
        const refresh = yield* gw.refreshOrder({ orderId: "root0001", product: "income" })
        yield* Effect.promise(() => sandbox.idle())
        const order = yield* gw.getOrder(refresh.id)
        const tasks = yield* Effect.forEach(order.suborders, (s) => gw.findSuborderTask({ orderId: refresh.id, suborderId: s.id, linkId: s.linkId }))
        const root = yield* gw.findSuborderTask({ orderId: "root0001", suborderId: lineage.connections[0]!.suborderId, linkId: "link-a" })
        return { refresh, order, tasks, root }
      }))
    const { refresh, order, tasks, root } = valueOf(exit)
    // The order JSON says only error; the root order's events name no refresh task of its own.
    expect(root).toBe(null)
    expect(order.suborders.map((s) => [s.linkId, s.status])).toEqual([["link-a", "error"], ["link-b", "error"]])
    expect(tasks.map((t) => [t?.linkId, t?.status, t?.orderId])).toEqual([["link-a", "mfa_error", refresh.id], ["link-b", "account_locked", refresh.id]])
  })

  it("linkState: the link's report says done and when its last task finished; a re-authentication moves it (issue 16); an unknown link is NotFound", async () => {
    const before = valueOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.linkState("link-a", "income")))
    sandbox.clock.advance(3_600_000)
    sandbox.reauthenticate("link-a")
    const after = valueOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.linkState("link-a", "employment")))
    expect([before, after]).toEqual([{ status: "done", finishedAt: lineage.createdAt }, { status: "done", finishedAt: new Date(Date.parse(T0) + 3_600_000).toISOString() }])
    expect(failureOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.linkState("link-none", "income")))?._tag).toBe("NotFound")
  })
})

describe("typed errors", () => {
  it("RefreshLimitExceeded on the 4th refresh of a token within 24 h, matched by message", async () => {
    const exit = await runGateway(gatewayLayer(sandbox), (gw) =>
      Effect.gen(function*() {
        for (let i = 0; i < 3; i++) yield* gw.refreshOrder({ orderId: "root0001", product: "income" })
        return yield* gw.refreshOrder({ orderId: "root0001", product: "income" })
      }))
    const error = failureOf(exit)
    expect(error._tag).toBe("RefreshLimitExceeded")
    expect(error.message).toBe("Refresh limit for the access_token exceeded")
    expect(sandbox.report().limitViolationsAttempted).toBe(1)
  })

  it("Throttled with Retry-After when the API budget is exceeded", async () => {
    sandbox.configureFaults({ rateLimitPerMinute: 1 })
    const exit = await runGateway(gatewayLayer(sandbox), (gw) =>
      Effect.gen(function*() {
        yield* gw.getOrder("root0001")
        return yield* gw.getOrder("root0001")
      }))
    const error = failureOf(exit)
    expect(error._tag).toBe("Throttled")
    if (error._tag === "Throttled") expect(error.retryAfterMs).toBe(60_000)
  })

  it("NotFound for an unknown order", async () => {
    const error = failureOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.getOrder("nope")))
    expect(error).toMatchObject({ _tag: "NotFound", resource: "order nope", message: "order nope: Not Found." })
  })

  it("InvalidRequest with Truv's per-field messages for a product the order type does not allow", async () => {
    const emp = sandbox.seedLineage({ orderId: "emp0001", orderType: "employment" })
    const error = failureOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.refreshOrder({ orderId: emp.orderId, product: "income" })))
    expect(error).toMatchObject({
      _tag: "InvalidRequest",
      code: "incorrect_parameters",
      fields: [{ field: "products", message: 'Product "income" cannot be refreshed on an order of type "employment".' }]
    })
  })

  it("InvalidRequest naming employers for an unknown employer", async () => {
    const error = failureOf(await runGateway(gatewayLayer(sandbox), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income", employers: ["zzz"] })))
    expect(error._tag).toBe("InvalidRequest")
    if (error._tag === "InvalidRequest") expect(error.fields.map((f) => f.field)).toEqual(["employers"])
  })

  it("Unauthorized with a wrong secret, and the secret never appears in the error", async () => {
    const wrong = "sandbox-WRONG-secret-value-42"
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { secret: wrong }), (gw) => gw.getOrder("root0001")))
    expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, message: "Invalid client id or secret." })
    expect(String(error)).not.toContain(wrong)
    expect(JSON.stringify(error)).not.toContain(wrong)
  })

  it("ProviderUnavailable on a 5xx (not retried for a refresh POST)", async () => {
    sandbox.configureFaults({ errorRate: 1 })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { maxRetries: 3 }), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(error).toMatchObject({ _tag: "ProviderUnavailable", status: 500 })
    expect(sandbox.report().calls["POST /v1/orders/{id}/"]).toBe(1)
  })

  it("idempotent GETs are retried through 5xx", async () => {
    sandbox.configureFaults({ errorRate: 1 })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { maxRetries: 2 }), (gw) => gw.getOrder("root0001")))
    expect(error._tag).toBe("ProviderUnavailable")
    expect(sandbox.report().calls["GET /v1/orders/{id}/"]).toBe(3)
  })

  it("Transport{reachedTruv:false} when nothing listens, and the refresh POST is retried then", async () => {
    const url = sandbox.url
    await sandbox.close()
    const { TruvHttpGateway } = await import("@recert/truv-adapter")
    const layer = TruvHttpGateway.layer({ baseUrl: url, clientId: "c", secret: Redacted.make("s3cr3t-value"), retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } })
    const error = failureOf(await runGateway(layer, (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(error._tag).toBe("Transport")
    if (error._tag === "Transport") {
      expect(error.reachedTruv).toBe(false)
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).not.toContain("s3cr3t-value")
    }
    sandbox = await startSandbox()
  })

  it("Transport{reachedTruv:true} on a timeout after the request was sent; the refresh is not re-sent", async () => {
    sandbox.configureFaults({ latencyMs: 300 })
    const error = failureOf(await runGateway(gatewayLayer(sandbox, { timeoutMs: 50, maxRetries: 3 }), (gw) => gw.refreshOrder({ orderId: "root0001", product: "income" })))
    expect(error).toMatchObject({ _tag: "Transport", reachedTruv: true, message: "POST /v1/orders/{id}/: no complete answer within 50 ms" })
    await sandbox.idle()
    expect(sandbox.report().calls["POST /v1/orders/{id}/"]).toBe(1)
    // It did reach Truv: the refresh was accepted and counts.
    expect(sandbox.report().refreshes.accepted).toBe(1)
  })
})
