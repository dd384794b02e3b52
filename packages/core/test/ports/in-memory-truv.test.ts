import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import {
  assessVerification, IN_MEMORY_GROSS_CENTS, inMemoryEmployer, InMemoryTruvGateway, makeInMemoryTruvGateway, ProviderUnavailable, type RefreshOrderRequest, Throttled, Transport, TruvGateway
} from "@recert/core"
import { connection, HOUR, iso, lineage, NOW, NOW_ISO } from "../fixtures.js"

const runAt = <A, E>(program: Effect.Effect<A, E>, at = NOW) =>
  Effect.runPromise(Effect.gen(function*() {
    yield* TestClock.setTime(at)
    return yield* Effect.result(program)
  }).pipe(Effect.provide(TestClock.layer())))

const ok = async <A, E>(program: Effect.Effect<A, E>, at = NOW): Promise<A> => {
  const r = await runAt(program, at)
  if (r._tag === "Failure") throw new Error(`unexpected failure ${JSON.stringify(r.failure)}`)
  return r.success
}
const failure = async <A, E>(program: Effect.Effect<A, E>, at = NOW): Promise<E> => {
  const r = await runAt(program, at)
  if (r._tag === "Success") throw new Error("expected a failure")
  return r.failure
}

const twoLinks = lineage([connection("link-1"), connection("link-2", { suborderNumber: "2" })], { orderNumber: "ON-1", userId: "user-1" })
const income: RefreshOrderRequest = { orderId: "ord-1", product: "income" }

describe("makeInMemoryTruvGateway", () => {
  it("knows the seeded orders", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks] })
    const order = await ok(truv.getOrder("ord-1"))
    expect(order).toMatchObject({ id: "ord-1", orderNumber: "ON-1", userId: "user-1", initialOrder: null, products: ["income"] })
    expect(order.suborders.map((s) => [s.id, s.linkId, s.kind])).toEqual([["sub-link-1", "link-1", "employer"], ["sub-link-2", "link-2", "employer"]])
    expect(await failure(truv.getOrder("ord-x"))).toMatchObject({ _tag: "NotFound" })
  })

  it("a refresh creates a new order whose initialOrder is the root, and links the previous newest to it", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks], behaviours: { "link-2": "login_error" } })
    const first = await ok(truv.refreshOrder(income))
    expect(first).toMatchObject({ id: "truv-ord-1", initialOrder: "ord-1", orderNumber: "ON-1", products: ["income"], createdAt: NOW_ISO })
    expect(first.suborders.map((s) => [s.linkId, s.status])).toEqual([["link-1", "done"], ["link-2", "login_error"]])
    const second = await ok(truv.refreshOrder({ orderId: first.id, product: "employment", employers: ["sub-link-1"] }), NOW + HOUR)
    expect(second).toMatchObject({ id: "truv-ord-2", initialOrder: "ord-1" })
    expect(second.suborders.map((s) => s.linkId)).toEqual(["link-1"])
    expect(truv.orders().get("ord-1")!.refreshOrder).toBe("truv-ord-1")
    expect(truv.orders().get("truv-ord-1")!.refreshOrder).toBe("truv-ord-2")
  })

  it("enforces the product table and one product per request", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks, lineage([connection("acc-1", { kind: "financial_account" })], { rootOrderId: "ord-a", orderType: "assets", orders: [{ id: "ord-a", parentId: null, createdAt: NOW_ISO }] })] })
    expect(await failure(truv.refreshOrder({ orderId: "ord-1", product: "assets" }))).toMatchObject({ _tag: "InvalidRequest", fields: [{ field: "products" }] })
    expect(await failure(truv.refreshOrder({ orderId: "ord-a", product: "income" }))).toMatchObject({ _tag: "InvalidRequest" })
    expect((await ok(truv.refreshOrder({ orderId: "ord-a", product: "assets", financialAccounts: ["sub-acc-1"] }))).suborders[0]!.kind).toBe("financial_account")
    // An untyped caller passing two products is refused, as Truv does.
    const two = { orderId: "ord-1", product: ["income", "employment"] } as unknown as RefreshOrderRequest
    expect(await failure(truv.refreshOrder(two))).toMatchObject({ _tag: "InvalidRequest", message: "Exactly one product is allowed per refresh request" })
    expect(truv.refreshesOf("link-1")).toEqual([])
  })

  it("refuses an unknown employer", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks] })
    expect(await failure(truv.refreshOrder({ ...income, employers: ["sub-zzz"] }))).toMatchObject({ _tag: "InvalidRequest", fields: [{ field: "employers" }] })
  })

  it("allows 3 refreshes per connection in any rolling 24 h: the 4th fails RefreshLimitExceeded and is not counted", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks] })
    for (const t of [NOW, NOW + HOUR, NOW + 2 * HOUR]) await ok(truv.refreshOrder({ ...income, employers: ["sub-link-1"] }), t)
    expect(await failure(truv.refreshOrder({ ...income, employers: ["sub-link-1"] }), NOW + 24 * HOUR - 1))
      .toMatchObject({ _tag: "RefreshLimitExceeded", message: "Refresh limit for the access_token exceeded" })
    // link-2 has its own limit
    await ok(truv.refreshOrder({ ...income, employers: ["sub-link-2"] }), NOW + 3 * HOUR)
    // a request including an exhausted connection is refused whole
    expect(await failure(truv.refreshOrder(income), NOW + 4 * HOUR)).toMatchObject({ _tag: "RefreshLimitExceeded" })
    expect(truv.refreshesOf("link-2")).toEqual([NOW + 3 * HOUR])
    // exactly 24 h after the first, it no longer counts
    await ok(truv.refreshOrder({ ...income, employers: ["sub-link-1"] }), NOW + 24 * HOUR)
    expect(truv.refreshesOf("link-1")).toEqual([NOW, NOW + HOUR, NOW + 2 * HOUR, NOW + 24 * HOUR])
  })

  it("scripted failures: Throttled and ProviderUnavailable fail without refreshing, then calls go through", async () => {
    const truv = makeInMemoryTruvGateway({
      lineages: [twoLinks],
      failures: { refreshOrder: [new Throttled({ retryAfterMs: 1000, message: "throttled" }), null, new ProviderUnavailable({ status: 503, message: "down" })] }
    })
    expect(await failure(truv.refreshOrder(income))).toMatchObject({ _tag: "Throttled", retryAfterMs: 1000 })
    await ok(truv.refreshOrder(income))
    expect(await failure(truv.refreshOrder(income))).toMatchObject({ _tag: "ProviderUnavailable", status: 503 })
    await ok(truv.refreshOrder(income))
    expect(truv.refreshesOf("link-1")).toEqual([NOW, NOW])
    expect(truv.calls().map((c) => c.failedWith)).toEqual(["Throttled", null, "ProviderUnavailable", null])
  })

  it("Transport with reachedTruv: true performs the refresh, then fails; reachedTruv: false does not", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks] })
    truv.failNext("refreshOrder", new Transport({ reachedTruv: false, message: "ECONNREFUSED" }))
    truv.failNext("refreshOrder", new Transport({ reachedTruv: true, message: "timeout" }))
    expect(await failure(truv.refreshOrder(income))).toMatchObject({ _tag: "Transport", reachedTruv: false })
    expect(truv.refreshesOf("link-1")).toEqual([])
    expect(await failure(truv.refreshOrder(income))).toMatchObject({ _tag: "Transport", reachedTruv: true })
    expect(truv.refreshesOf("link-1")).toEqual([NOW])
    expect([...truv.orders().keys()]).toEqual(["ord-1", "truv-ord-1"])
  })

  it("behaviours as a list are consumed one per refresh, the last repeating", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [lineage()], behaviours: { "link-1": ["unavailable", "done"] } })
    const statuses: Array<string> = []
    for (const t of [NOW, NOW + 25 * HOUR, NOW + 50 * HOUR]) statuses.push((await ok(truv.refreshOrder(income), t)).suborders[0]!.status)
    expect(statuses).toEqual(["unavailable", "done", "done"])
    truv.setBehaviour("link-1", "no_data")
    expect((await ok(truv.refreshOrder(income), NOW + 75 * HOUR)).suborders[0]!.status).toBe("no_data")
  })

  it("suborderStatuses truv: a refresh order shows what Truv's order JSON shows (every failure error); findSuborderTask tells which", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks], behaviours: { "link-2": "account_locked" }, suborderStatuses: "truv" })
    const order = await ok(truv.refreshOrder(income))
    expect(order.suborders.map((s) => [s.linkId, s.status])).toEqual([["link-1", "completed"], ["link-2", "error"]])
    const task = await ok(truv.findSuborderTask({ orderId: order.id, suborderId: "sub-link-2", linkId: "link-2" }))
    expect(task).toEqual({ id: "truv-ord-1-task-sub-link-2", status: "account_locked", linkId: "link-2", orderId: "truv-ord-1" })
    expect(await ok(truv.findSuborderTask({ orderId: "ord-1", suborderId: "sub-link-2", linkId: "link-2" }))).toBe(null)
    expect(await failure(truv.findSuborderTask({ orderId: "ord-x", suborderId: "s", linkId: null }))).toMatchObject({ _tag: "NotFound" })
  })

  it("createOrder, createBridgeToken, refresh tasks", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [lineage()], accessTokens: { "link-1": "tok-1" }, behaviours: { "link-1": "mfa_error" } })
    const order = await ok(truv.createOrder({ products: ["income"], firstName: "Ada", lastName: "L", orderNumber: "ON-9" }))
    expect(order).toMatchObject({ id: "truv-ord-1", orderNumber: "ON-9", initialOrder: null, shareUrl: "https://cdn.truv.com/share/truv-ord-1" })
    expect(await ok(truv.createBridgeToken({ userId: "u", accessToken: Redacted.make("tok-1"), product: "income" }))).toEqual({ bridgeToken: "bridge-3" })
    const { taskId } = await ok(truv.createRefreshTask(Redacted.make("tok-1"), "income"))
    expect(await ok(truv.getRefreshTask(taskId))).toEqual({ id: taskId, status: "mfa_error", createdAt: NOW_ISO })
    expect(await failure(truv.createRefreshTask(Redacted.make("nope"), "income"))).toMatchObject({ _tag: "InvalidRequest" })
    expect(await failure(truv.getRefreshTask("t-x"))).toMatchObject({ _tag: "NotFound" })
    // the call log never holds the access token
    expect(JSON.stringify(truv.calls())).not.toContain("tok-1")
    expect(truv.calls().map((c) => c.name)).toEqual(["createOrder", "createBridgeToken", "createRefreshTask", "getRefreshTask", "createRefreshTask", "getRefreshTask"])
  })

  it("link refresh tasks share the per-connection limit", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [lineage()], accessTokens: { "link-1": "tok-1" } })
    for (let i = 0; i < 2; i++) await ok(truv.refreshOrder(income), NOW + i)
    await ok(truv.createRefreshTask(Redacted.make("tok-1"), "income"), NOW + 2)
    expect(await failure(truv.createRefreshTask(Redacted.make("tok-1"), "income"), NOW + 3)).toMatchObject({ _tag: "RefreshLimitExceeded" })
  })

  it("InMemoryTruvGateway.layer provides TruvGateway and the same instance", async () => {
    const program = Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      yield* (yield* TruvGateway).refreshOrder(income)
      return (yield* InMemoryTruvGateway).calls().map((c) => [c.name, c.at])
    })
    const out = await Effect.runPromise(program.pipe(Effect.provide(Layer.merge(InMemoryTruvGateway.layer({ lineages: [lineage()] }), TestClock.layer()))))
    expect(out).toEqual([["refreshOrder", iso(NOW)]])
  })

  it("fetchReport: one employer per connection that ended done, 7 bi-weekly statements back from the read's date; VOE without income", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks], behaviours: { "link-2": "login_error" } })
    const order = await ok(truv.refreshOrder(income))
    const { snapshot, raw } = await ok(truv.fetchReport({ orderId: order.id, product: "income", fetchedAt: NOW_ISO }))
    expect(snapshot.source).toEqual({ provider: "in-memory-truv", orderId: order.id, fetchedAt: NOW_ISO, report: "link-income-report" })
    expect(snapshot.employers.map((e) => e.name)).toEqual(["Employer of link-1"])
    const statements = snapshot.employers[0]!.statements!
    expect(statements.map((s) => s.payDate)).toEqual(
      [1, 15, 29, 43, 57, 71, 85].map((days) => iso(Date.parse(NOW_ISO.slice(0, 10)) - days * 86_400_000).slice(0, 10)))
    expect(statements.every((s) => s.grossCents === IN_MEMORY_GROSS_CENTS)).toBe(true)
    expect(raw).toMatchObject({ order: { id: order.id } })
    // The same data twice: compared with itself, nothing changed.
    const result = assessVerification(snapshot, { now: NOW, previous: snapshot })
    expect([result.class, result.reasons]).toEqual(["renew", []])
    const voe = await ok(truv.fetchReport({ orderId: order.id, product: "employment", fetchedAt: NOW_ISO }))
    expect([voe.snapshot.product, voe.snapshot.employers[0]!.statements, voe.snapshot.employers[0]!.rate.incomeCents]).toEqual(["employment", null, null])
  })

  it("fetchReport: scripted employers replace the default; an unknown order is NotFound; failures are scriptable", async () => {
    const truv = makeInMemoryTruvGateway({ lineages: [twoLinks] })
    const order = await ok(truv.refreshOrder(income))
    const ended = { ...inMemoryEmployer("link-2", "income", NOW), status: { state: "ended" as const, confidence: "confirmed" as const, why: "ended" }, endDate: "2026-11-01" }
    truv.setEmployers("link-2", [ended])
    const { snapshot } = await ok(truv.fetchReport({ orderId: order.id, product: "income", fetchedAt: NOW_ISO }))
    expect(snapshot.employers.map((e) => [e.name, e.status.state])).toEqual([["Employer of link-1", "active"], ["Employer of link-2", "ended"]])
    expect(await failure(truv.fetchReport({ orderId: "ord-x", product: "income", fetchedAt: NOW_ISO }))).toMatchObject({ _tag: "NotFound" })
    truv.failNext("fetchReport", new ProviderUnavailable({ status: 503, message: "down" }))
    expect(await failure(truv.fetchReport({ orderId: order.id, product: "income", fetchedAt: NOW_ISO }))).toMatchObject({ _tag: "ProviderUnavailable" })
    expect(truv.calls().filter((c) => c.name === "fetchReport").map((c) => c.failedWith)).toEqual([null, "NotFound", "ProviderUnavailable"])
  })
})
