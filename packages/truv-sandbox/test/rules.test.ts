/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- assertions over raw JSON bodies */
/**
 * The sandbox against each documented rule (truv-api-notes §1, §2, §3, §5.3), written from the
 * notes and DESIGN.md's decisions, talking raw HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { TruvSandbox } from "../src/index.js"
import { startSandbox, T0 } from "./helpers.js"
import { refresh, truv } from "./truv-http.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
let sandbox: TruvSandbox

beforeEach(async () => {
  sandbox = await startSandbox()
})
afterEach(async () => {
  await sandbox.close()
})

const LIMIT_BODY = { error: { code: "refresh_limit_exceeded", message: "Refresh limit for the access_token exceeded" } }

describe("rate.window: 3 refreshes per access token in any rolling 24 h", () => {
  it("accepts 3, rejects the 4th with Truv's message; a rejected request does not count", async () => {
    const l = sandbox.seedLineage({ orderId: "r1" })
    for (let i = 0; i < 3; i++) {
      expect((await refresh(sandbox, "r1")).status).toBe(201)
      sandbox.clock.advance(HOUR)
    }
    const fourth = await refresh(sandbox, "r1")
    expect(fourth.status).toBe(429)
    expect(fourth.body).toEqual(LIMIT_BODY)
    // first refresh at T0, now T0+3h: the first leaves the window at exactly T0+24h
    sandbox.clock.set(Date.parse(T0) + DAY - 1)
    expect((await refresh(sandbox, "r1")).status).toBe(429)
    sandbox.clock.set(Date.parse(T0) + DAY)
    expect((await refresh(sandbox, "r1")).status).toBe(201)
    const report = sandbox.report()
    expect(report.refreshes.accepted).toBe(4)
    expect(report.limitViolationsAttempted).toBe(2)
    expect(report.limitViolations[0]).toEqual({ at: "2026-11-22T13:00:00.000Z", orderId: "r1", linkIds: [l.connections[0]!.linkId] })
    expect(sandbox.link(l.connections[0]!.linkId).refreshes).toHaveLength(4)
  })

  it("counts per access token: another connection of the same order has its own slots", async () => {
    const l = sandbox.seedLineage({ orderId: "r1", connections: [{}, {}] })
    const [a, b] = l.connections
    for (let i = 0; i < 3; i++) expect((await refresh(sandbox, "r1", { products: ["income"], employers: [{ id: a!.suborderId }] })).status).toBe(201)
    expect((await refresh(sandbox, "r1", { products: ["income"], employers: [{ id: b!.suborderId }] })).status).toBe(201)
  })

  it("rejects a multi-connection refresh whole when any selected connection is at its limit", async () => {
    const l = sandbox.seedLineage({ orderId: "r1", connections: [{}, {}] })
    const [a, b] = l.connections
    for (let i = 0; i < 3; i++) await refresh(sandbox, "r1", { products: ["income"], employers: [{ id: a!.suborderId }] })
    const before = sandbox.report().refreshOrdersCreated
    const both = await refresh(sandbox, "r1")
    expect(both.status).toBe(429)
    expect(sandbox.report().refreshOrdersCreated).toBe(before)
    expect(sandbox.link(b!.linkId).refreshes).toEqual([])
    expect(sandbox.report().limitViolations.at(-1)!.linkIds).toEqual([a!.linkId])
  })

  it("the same limit applies to link refresh tasks, and they share the token's slots with order refreshes", async () => {
    const l = sandbox.seedLineage({ orderId: "r1" })
    const token = l.connections[0]!.accessToken
    await refresh(sandbox, "r1")
    expect((await truv(sandbox, "POST", "/v1/refresh/tasks/", { access_token: token, product_type: "income" })).status).toBe(201)
    expect((await truv(sandbox, "POST", "/v1/refresh/tasks/", { access_token: token, product_type: "income" })).status).toBe(201)
    const fourth = await truv(sandbox, "POST", "/v1/refresh/tasks/", { access_token: token, product_type: "income" })
    expect([fourth.status, fourth.body]).toEqual([429, LIMIT_BODY])
  })

  it("re-authentication (the initial pull) does not use a refresh slot", async () => {
    const l = sandbox.seedLineage({ orderId: "r1" })
    for (let i = 0; i < 3; i++) await refresh(sandbox, "r1")
    sandbox.reauthenticate(l.connections[0]!.linkId)
    expect((await refresh(sandbox, "r1")).status).toBe(429)
  })
})

describe("product.one-per-request and product.not-allowed", () => {
  const table: Array<[string, string, number]> = [
    ["income", "income", 201], ["income", "employment", 201], ["income", "assets", 400],
    ["employment", "employment", 201], ["employment", "income", 400],
    ["assets", "assets", 201], ["assets", "income", 400],
    ["insurance", "insurance", 201], ["insurance", "transactions", 400],
    ["transactions", "transactions", 201], ["transactions", "assets", 400]
  ]
  it.each(table)("a %s order refreshed for %s answers %i", async (orderType, product, status) => {
    sandbox.seedLineage({ orderId: "o1", orderType: orderType as "income" })
    const r = await refresh(sandbox, "o1", { products: [product] })
    expect(r.status).toBe(status)
    if (status === 400) {
      expect(r.body).toEqual({ error: { code: "incorrect_parameters", message: "Incorrect request parameters", extra: { "invalid-params": [
        { field: "products", message: `Product "${product}" cannot be refreshed on an order of type "${orderType}".` }
      ] } } })
    }
  })

  it("two products, none, or an unknown one are 400 naming products", async () => {
    sandbox.seedLineage({ orderId: "o1" })
    for (const body of [{ products: ["income", "employment"] }, {}, { products: [] }, { products: ["payroll"] }]) {
      const r = await refresh(sandbox, "o1", body)
      expect(r.status).toBe(400)
      expect(r.body.extra).toBeUndefined()
      expect(r.body.error.extra["invalid-params"].map((p: { field: string }) => p.field)).toEqual(["products"])
    }
    expect(sandbox.report().refreshes.rejectedOther).toBe(4)
    expect(sandbox.report().refreshes.accepted).toBe(0)
  })

  it("an unknown employer selector is 400 naming employers", async () => {
    sandbox.seedLineage({ orderId: "o1" })
    const r = await refresh(sandbox, "o1", { products: ["income"], employers: [{ id: "nope" }] })
    expect(r.status).toBe(400)
    expect(r.body.error.extra["invalid-params"]).toEqual([{ field: "employers", message: 'Unknown employer: {"id":"nope"}' }])
  })

  it("selects by suborder_number too", async () => {
    sandbox.seedLineage({ orderId: "o1", orderNumber: "77", connections: [{}, {}] })
    const r = await refresh(sandbox, "o1", { products: ["income"], employers: [{ suborder_number: "77-2" }] })
    expect(r.status).toBe(201)
    expect(r.body.employers.map((e: { suborder_number: string }) => e.suborder_number)).toEqual(["77-2"])
  })
})

describe("lineage fields", () => {
  it("initial_order points at the root; every older order's refresh_order at the newest; order_number carried", async () => {
    sandbox.seedLineage({ orderId: "root", orderNumber: "4138538" })
    const first = await refresh(sandbox, "root")
    sandbox.clock.advance(DAY)
    const second = await refresh(sandbox, first.body.id)
    expect(second.status).toBe(201)
    expect(second.body.initial_order).toBe("root")
    expect(second.body.order_number).toBe("4138538")
    expect(second.body.refresh_order).toBe(null)
    const root = await truv(sandbox, "GET", "/v1/orders/root/")
    const parent = await truv(sandbox, "GET", `/v1/orders/${first.body.id}/`)
    expect(root.body.refresh_order).toBe(second.body.id)
    expect(parent.body.refresh_order).toBe(second.body.id)
    expect(parent.body.initial_order).toBe("root")
    // refreshing an older id of the lineage is accepted too and still points at the root
    const third = await refresh(sandbox, "root")
    expect(third.body.initial_order).toBe("root")
  })

  it("404 bodies are {detail: Not Found.}; bad credentials are 401 authentication_failed", async () => {
    expect(await truv(sandbox, "GET", "/v1/orders/missing/")).toMatchObject({ status: 404, body: { detail: "Not Found." } })
    expect(await truv(sandbox, "POST", "/v1/orders/missing/", { products: ["income"] })).toMatchObject({ status: 404, body: { detail: "Not Found." } })
    expect(await truv(sandbox, "GET", "/v1/refresh/tasks/missing/")).toMatchObject({ status: 404, body: { detail: "Not Found." } })
    expect(await truv(sandbox, "POST", "/v1/users/missing/tokens/", { product_type: "income" })).toMatchObject({ status: 404 })
    const r = await truv(sandbox, "GET", "/v1/orders/missing/", undefined, false)
    expect(r).toMatchObject({ status: 401, body: { error: { code: "authentication_failed" } } })
  })

  it("new orders need products, first_name and last_name (400 per field)", async () => {
    const r = await truv(sandbox, "POST", "/v1/orders/", { products: ["income"] })
    expect(r.status).toBe(400)
    expect(r.body.error.extra["invalid-params"].map((p: { field: string }) => p.field)).toEqual(["first_name", "last_name"])
  })
})

describe("billing and GSE", () => {
  it("bills one verification per connection refreshed; no_data is not billed; failures are billed", async () => {
    sandbox.seedLineage({ orderId: "b1", connections: [{ behaviour: "healthy" }, { behaviour: "no-data" }, { behaviour: "login-error" }] })
    await refresh(sandbox, "b1")
    await sandbox.idle()
    const v = sandbox.report().verifications
    expect([v.billed, v.free, v.notBilled]).toEqual([2, 0, 1])
    expect(v.byLineage.b1).toEqual({ billed: 2, free: 0, notBilled: 1 })
  })

  it("GSE: the first 5 refresh orders within 90 days of the root are free, the 6th is billed", async () => {
    sandbox.seedLineage({ orderId: "g1", gse: true, connections: [{}, {}] })
    for (let i = 0; i < 6; i++) {
      expect((await refresh(sandbox, "g1")).status).toBe(201)
      sandbox.clock.advance(DAY)
    }
    await sandbox.idle()
    expect(sandbox.report().verifications.byLineage.g1).toEqual({ billed: 2, free: 10, notBilled: 0 })
  })

  it("GSE: a refresh at exactly day 90 of the root is billed", async () => {
    sandbox.seedLineage({ orderId: "g1", gse: true, createdAt: Date.parse(T0) - 90 * DAY + 1 })
    await refresh(sandbox, "g1")
    sandbox.clock.advance(1)
    await refresh(sandbox, "g1")
    await sandbox.idle()
    expect(sandbox.report().verifications.byLineage.g1).toEqual({ billed: 1, free: 1, notBilled: 0 })
  })

  it("a non-GSE lineage is always billed", async () => {
    sandbox.seedLineage({ orderId: "n1" })
    await refresh(sandbox, "n1")
    await sandbox.idle()
    expect(sandbox.report().verifications.byLineage.n1).toEqual({ billed: 1, free: 0, notBilled: 0 })
  })
})

describe("connection behaviours", () => {
  const outcome = async (behaviour: unknown, authenticatedAt?: number): Promise<string> => {
    const l = sandbox.seedLineage({ connections: [{ behaviour, ...(authenticatedAt === undefined ? {} : { authenticatedAt }) }] })
    const r = await refresh(sandbox, l.orderId)
    await sandbox.idle()
    const task = await truv(sandbox, "GET", `/v1/orders/${r.body.id}/`)
    return `${task.body.employers[0].status}/${sandbox.link(l.connections[0]!.linkId).lastStatus}`
  }

  it("maps each behaviour to its terminal status", async () => {
    expect(await outcome("healthy")).toBe("completed/done")
    expect(await outcome("slow")).toBe("completed/done")
    expect(await outcome("login-error")).toBe("error/login_error")
    expect(await outcome("mfa-error")).toBe("error/mfa_error")
    expect(await outcome("account-locked")).toBe("error/account_locked")
    expect(await outcome("no-data")).toBe("no_data/no_data")
  })

  it("oauth-expiring fails at exactly authenticated_at + 180 days, not a millisecond before", async () => {
    const now = Date.parse(T0)
    expect(await outcome("oauth-expiring", now - 180 * DAY + 1)).toBe("completed/done")
    expect(await outcome("oauth-expiring", now - 180 * DAY)).toBe("error/login_error")
  })

  it("unavailable-until: unavailable before the instant, done from it", async () => {
    const now = Date.parse(T0)
    expect(await outcome({ kind: "unavailable-until", until: now + 1 })).toBe("error/unavailable")
    expect(await outcome({ kind: "unavailable-until", until: new Date(now).toISOString() })).toBe("completed/done")
  })

  it("a behaviour changed later applies to the next refresh", async () => {
    const l = sandbox.seedLineage({ orderId: "c1" })
    sandbox.setBehaviour(l.connections[0]!.linkId, "mfa-error")
    await refresh(sandbox, "c1")
    await sandbox.idle()
    expect(sandbox.link(l.connections[0]!.linkId).lastStatus).toBe("mfa_error")
    sandbox.reauthenticate(l.connections[0]!.linkId)
    expect(sandbox.link(l.connections[0]!.linkId)).toMatchObject({ behaviour: { kind: "healthy" }, authenticatedAt: T0, lastStatus: "done" })
  })
})
