/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- tests read the raw JSON Truv would send */
/**
 * The cases' clients act (issue 16), on the manual clock: each script (completes, re-authenticates,
 * never, after expiry, already connected), Truv's messages and reminders (and their suppression),
 * and the counters the report keeps so tests can assert "0 clients messaged twice for one request".
 * The clock starts on Monday 2026-11-23 09:00 UTC, so a new order expires on Thursday 09:00
 * (72 weekday hours) and Truv's reminders fall at +18 h, +36 h and +54 h.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parseScenario, type TruvSandbox } from "../src/index.js"
import { loadFixture } from "../../truv-adapter/test/fixtures/truv-docs/index.js"
import { startSandbox } from "./helpers.js"
import { refresh, truv } from "./truv-http.js"

const HOUR = 3_600_000
const MONDAY = "2026-11-23T09:00:00.000Z"
const at = (hours: number): string => new Date(Date.parse(MONDAY) + hours * HOUR).toISOString()
let sandbox: TruvSandbox

beforeEach(async () => {
  sandbox = await startSandbox({ clock: { mode: "manual", start: MONDAY }, faults: { completionDelayMs: 1 } })
})
afterEach(async () => {
  await sandbox.close()
})

const events = (): Array<any> => sandbox.webhooks().map((w) => JSON.parse(w.body))
const orderEvents = (orderId: string) => events().filter((e) => e.order_id === orderId).map((e) => [e.event_type, e.status, e.event_created_at.slice(0, 19)])
/** The case 4138538 with one connection whose OAuth expired long ago (a refresh ends login_error). */
const seedCase = (connection: Record<string, unknown> = {}, over: Record<string, unknown> = {}) =>
  sandbox.seedLineage({
    orderId: "root0001", orderNumber: "4138538", createdAt: "2026-03-01T00:00:00Z",
    connections: [{ companyName: "Acme Care", authenticatedAt: "2026-03-01T00:00:00Z", ...connection }], ...over
  })
const newOrder = (key: string, extra: Record<string, unknown> = {}) =>
  truv(sandbox, "POST", "/v1/orders/", {
    products: ["income"], first_name: "Ada", last_name: "Lovelace", order_number: `4138538/${key}`, email: "ada@example.org", phone: "5035550100", ...extra
  })
const getOrder = async (id: string) => (await truv(sandbox, "GET", `/v1/orders/${id}/`)).body

describe("a client who completes the new order after N hours", () => {
  it("completes at +30 h: the suborder connects to a new link at the old employer, with the old pay; webhooks dated then", async () => {
    const old = seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 30 })
    const created = await newOrder("req-1")
    expect([created.status, created.body.expired_at, created.body.employers]).toEqual([201, "2026-11-26T09:00:00.000Z", []])

    sandbox.clock.set(Date.parse(at(30)) - 1)
    expect((await getOrder(created.body.id)).completed_at).toBeNull()
    sandbox.clock.advance(1)
    const order = await getOrder(created.body.id)
    const s = order.employers[0]
    expect([order.employers.length, s.status, s.company_name, order.completed_at]).toEqual([1, "completed", "Acme Care", at(30)])
    expect(s.link_id).not.toBe(old.connections[0]!.linkId)
    expect(orderEvents(created.body.id)).toEqual([
      ["order-created", "pending", "2026-11-23T09:00:00"],
      ["order-status-updated", "sent", "2026-11-23T09:00:00"],
      ["order-status-updated", "completed", "2026-11-24T15:00:00"]
    ])
    const task = events().find((e) => e.event_type === "task-status-updated" && e.link_id === s.link_id)
    expect([task.status, task.tracking_info, task.event_created_at]).toEqual(["done", s.id, "2026-11-24T15:00:00.000000Z"])
    // The same job continues: the new link's history is the old one's, pulled at +30 h.
    const before = sandbox.payHistory(old.connections[0]!.linkId, at(30)).history
    expect(sandbox.payHistory(s.link_id as string).history).toEqual(before)
    // The lineage moves on: the new order refreshes without the client.
    expect((await refresh(sandbox, created.body.id)).status).toBe(201)
    await sandbox.idle()
    expect(sandbox.link(s.link_id as string).lastStatus).toBe("done")

    sandbox.clock.set(at(100))
    const info = sandbox.client("4138538")
    expect(info.requests.map((r) => [r.kind, r.id, r.requestKey, r.outcome, r.actsAt, r.actedAt])).toEqual([
      ["new-order", created.body.id, "4138538/req-1", "completed", at(30), at(30)]
    ])
    // Email and SMS at creation, one reminder each at +18 h; none after the client completed.
    expect(info.counts).toEqual({ orders: 1, tokens: 0, canceled: 0, initialMessages: 2, reminders: 2, completed: 1, reauthenticated: 0, alreadyConnected: 0, tooLate: 0, undelivered: 0, overlapping: 0 })
    const events_ = (await truv(sandbox, "GET", `/v1/orders/${created.body.id}/events/`)).body.results.map((e: any) => [e.type, e.timestamp])
    expect(events_).toEqual([
      ["order_created", "2026-11-23T09:00:00.000Z"], ["email_sent", "2026-11-23T09:00:00.000Z"], ["sms_sent", "2026-11-23T09:00:00.000Z"],
      ["email_reminder_sent", "2026-11-24T03:00:00.000Z"], ["sms_reminder_sent", "2026-11-24T03:00:00.000Z"]
    ])
  })

  it("connections: [...] changes the new connections by position: a link valid 400 days refreshes a year later without the client", async () => {
    const old = seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 30, connections: [{ validityDays: 400 }] })
    const created = await newOrder("req-1")
    sandbox.clock.set(at(30 + 24 * 365))
    const order = await getOrder(created.body.id)
    expect(order.employers[0].provider.name).toBe("Truv Payroll Provider")
    const next = await refresh(sandbox, created.body.id)
    await sandbox.idle()
    expect([next.status, sandbox.link(order.employers[0].link_id as string).lastStatus]).toEqual([201, "done"])
    // The pay history still continues the old connection's.
    expect(sandbox.payHistory(order.employers[0].link_id as string, at(40)).history).toEqual(sandbox.payHistory(old.connections[0]!.linkId, at(40)).history)
  })

  it("a clock jump past several instants runs them in order: reminder, completion, then nothing", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 40 })
    const created = await newOrder("req-1", { phone: undefined })
    sandbox.clock.set(at(200))
    expect(sandbox.report().clients.messages).toEqual({ initial: 1, reminders: 2, email: 3, sms: 0 })
    expect(orderEvents(created.body.id).map((e) => e[1])).toEqual(["pending", "sent", "completed"])
    expect((await getOrder(created.body.id)).is_expired).toBe(false)
  })
})

describe("expiry: 72 hours, weekends not counted", () => {
  it("Truv's documented example: created Thursday 2024-07-11 21:40:48.424, expired_at Tuesday 2024-07-16 21:40:48.424", async () => {
    const documented = loadFixture("order-created") as { created_at: string; expired_at: string }
    sandbox.clock.set(documented.created_at)
    const created = await truv(sandbox, "POST", "/v1/orders/", loadFixture("request-create-order"))
    expect([created.body.created_at, created.body.expired_at]).toEqual([documented.created_at, documented.expired_at])
  })
})

describe("a client who never responds", () => {
  it("gets the first message and Truv's 3 reminders per channel, then the order expires; nothing else", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "never" })
    const created = await newOrder("req-1")
    sandbox.clock.set(at(72))
    const order = await getOrder(created.body.id)
    expect([order.is_expired, order.employers]).toEqual([true, []])
    expect(orderEvents(created.body.id)).toEqual([
      ["order-created", "pending", "2026-11-23T09:00:00"],
      ["order-status-updated", "sent", "2026-11-23T09:00:00"],
      ["order-status-updated", "expired", "2026-11-26T09:00:00"]
    ])
    sandbox.clock.set(at(500))
    const r = sandbox.report().clients
    expect([r.messages, r.byOrder[created.body.id]]).toEqual([
      { initial: 2, reminders: 6, email: 4, sms: 4 }, { orderNumber: "4138538/req-1", clientKey: "4138538", initial: 2, reminders: 6 }
    ])
    expect(sandbox.client("4138538").requests.map((q) => [q.outcome, q.actsAt])).toEqual([["never", null]])
  })

  it("reminders fall at 1/4, 1/2 and 3/4 of the life, weekends inside it: created Friday 12:00, expires Wednesday 12:00", async () => {
    sandbox.clock.set("2026-11-27T12:00:00.000Z")
    seedCase()
    const created = await newOrder("req-1", { phone: undefined })
    expect(created.body.expired_at).toBe("2026-12-02T12:00:00.000Z")
    sandbox.clock.set("2026-12-10T00:00:00.000Z")
    const reminders = (await truv(sandbox, "GET", `/v1/orders/${created.body.id}/events/`)).body.results.filter((e: any) => e.type === "email_reminder_sent").map((e: any) => e.timestamp)
    expect(reminders).toEqual(["2026-11-28T18:00:00.000Z", "2026-11-30T00:00:00.000Z", "2026-12-01T06:00:00.000Z"])
  })
})

describe("a client who responds after expiry", () => {
  it("acts 1 h after expired_at: too late, nothing changes", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "after-expiry" })
    const created = await newOrder("req-1")
    sandbox.clock.set(at(80))
    const order = await getOrder(created.body.id)
    expect([order.is_expired, order.employers, order.completed_at]).toEqual([true, [], null])
    expect(sandbox.client("4138538").requests.map((q) => [q.outcome, q.actedAt])).toEqual([["too-late", at(73)]])
    expect(sandbox.report().clients.actions).toEqual({ completed: 0, reauthenticated: 0, alreadyConnected: 0, tooLate: 1, undelivered: 0 })
  })

  it("a canceled order is too late too, and its reminders stop", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 20 })
    const created = await newOrder("req-1", { phone: undefined })
    sandbox.clock.set(at(10))
    expect((await truv(sandbox, "POST", `/v1/orders/${created.body.id}/cancel/`)).status).toBe(200)
    sandbox.clock.set(at(100))
    expect(sandbox.client("4138538").counts).toEqual({ orders: 1, tokens: 0, canceled: 1, initialMessages: 1, reminders: 0, completed: 0, reauthenticated: 0, alreadyConnected: 0, tooLate: 1, undelivered: 0, overlapping: 0 })
    expect(sandbox.report().clients.ordersCanceled).toBe(1)
  })

  it("canceling sends order-status-updated canceled for each suborder still pending or sent", async () => {
    seedCase()
    const created = await newOrder("req-1", { employers: [{ company_name: "Acme Care" }, { company_name: "Beta Foods" }] })
    sandbox.clock.set(at(1))
    await truv(sandbox, "POST", `/v1/orders/${created.body.id}/cancel/`)
    await truv(sandbox, "POST", `/v1/orders/${created.body.id}/cancel/`)
    const canceled = events().filter((e) => e.order_id === created.body.id && e.status === "canceled")
    expect(canceled.map((e) => [e.employer_id, e.link_id, e.event_created_at])).toEqual(
      created.body.employers.map((s: any) => [s.id, null, "2026-11-23T10:00:00.000000Z"])
    )
  })
})

describe("a client Truv cannot reach", () => {
  it("unreachable: the messages bounce, the suborders go error at creation, no reminders; suppressed, nothing happens", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "unreachable" })
    const bounced = await newOrder("req-1", { employers: [{ company_name: "Acme Care" }] })
    const quiet = await newOrder("req-2", { notification_settings: { suppress_user_notifications: true } })
    sandbox.clock.set(at(100))
    expect(orderEvents(bounced.body.id)).toEqual([
      ["order-created", "pending", "2026-11-23T09:00:00"], ["order-status-updated", "sent", "2026-11-23T09:00:00"], ["order-status-updated", "error", "2026-11-23T09:00:00"]
    ])
    expect((await getOrder(bounced.body.id)).employers.map((s: any) => s.status)).toEqual(["error"])
    expect(sandbox.client("4138538").requests.map((q) => [q.id, q.outcome])).toEqual([[bounced.body.id, "unreachable"], [quiet.body.id, "never"]])
    expect(sandbox.client("4138538").counts).toMatchObject({ initialMessages: 2, reminders: 0, undelivered: 1 })
  })
})

describe("Truv's notifications suppressed (notification_settings)", () => {
  it("no message, the suborder stays pending; the client still completes from the share_url the agency handed over", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 5 })
    const created = await newOrder("req-1", { notification_settings: { suppress_user_notifications: true }, employers: [{ company_name: "Acme Care" }] })
    expect(created.body.share_url).toContain(created.body.bridge_token)
    sandbox.clock.set(at(4))
    expect((await getOrder(created.body.id)).employers[0].status).toBe("pending")
    sandbox.clock.set(at(100))
    expect(orderEvents(created.body.id).map((e) => e[1])).toEqual(["pending", "completed"])
    expect(sandbox.report().clients.messages).toEqual({ initial: 0, reminders: 0, email: 0, sms: 0 })
  })

  it("PATCH turns them on: Truv sends the first message then, and its reminders after", async () => {
    seedCase()
    const created = await newOrder("req-1", { phone: undefined, notification_settings: { suppress_user_notifications: true } })
    sandbox.clock.set(at(20))
    const patched = await truv(sandbox, "PATCH", `/v1/orders/${created.body.id}/`, { notification_settings: { suppress_user_notifications: false } })
    expect(patched.status).toBe(200)
    sandbox.clock.set(at(100))
    const events_ = (await truv(sandbox, "GET", `/v1/orders/${created.body.id}/events/`)).body.results.map((e: any) => [e.type, e.timestamp])
    expect(events_).toEqual([
      ["order_created", at(0)], ["email_sent", at(20)], ["email_reminder_sent", at(36)], ["email_reminder_sent", at(54)]
    ])
  })

  it("a suppression that is not a boolean is refused, naming the field; nothing is created", async () => {
    const r = await newOrder("req-1", { notification_settings: { suppress_user_notifications: "yes" } })
    expect([r.status, r.body.error.extra["invalid-params"]]).toEqual([400, [{ field: "notification_settings", message: "suppress_user_notifications must be a boolean." }]])
    expect(sandbox.report().clients.ordersCreated).toBe(0)
  })
})

describe("a client who re-authenticates through Bridge (update mode)", () => {
  it("uses the token after 2 h: the link re-authenticated, task-status-updated done with the token's tracking_info, refreshes work again", async () => {
    const l = seedCase()
    const linkId = l.connections[0]!.linkId
    sandbox.scriptClient("4138538", { kind: "reauthenticates", afterHours: 2 })
    expect((await refresh(sandbox, "root0001")).status).toBe(201)
    await sandbox.idle()
    expect(sandbox.link(linkId).lastStatus).toBe("login_error")
    const token = await truv(sandbox, "POST", `/v1/users/${l.userId}/tokens/`, { product_type: "income", access_token: l.connections[0]!.accessToken, tracking_info: "key-1" })
    expect(token.status).toBe(200)
    sandbox.clock.set(at(2))
    const done = events().filter((e) => e.event_type === "task-status-updated" && e.event_created_at === "2026-11-23T11:00:00.000000Z")
    expect(done.map((e) => [e.link_id, e.status, e.tracking_info])).toEqual([[linkId, "done", "key-1"]])
    expect(sandbox.link(linkId).authenticatedAt).toBe(at(2))
    const again = await refresh(sandbox, "root0001")
    await sandbox.idle()
    expect([again.status, sandbox.link(linkId).lastStatus]).toEqual([201, "done"])
    expect(sandbox.client("4138538").requests.map((q) => [q.kind, q.id, q.requestKey, q.outcome])).toEqual([["bridge-update", linkId, "key-1", "reauthenticated"]])
    expect(sandbox.report().clients).toMatchObject({ tokensCreated: 1, messages: { initial: 0, reminders: 0 }, actions: { reauthenticated: 1 } })
  })

  it("after 7 h the token is 6 h old: 410, too late, the link unchanged", async () => {
    const l = seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 7 })
    await truv(sandbox, "POST", `/v1/users/${l.userId}/tokens/`, { product_type: "income", access_token: l.connections[0]!.accessToken })
    sandbox.clock.set(at(8))
    expect(sandbox.link(l.connections[0]!.linkId).authenticatedAt).toBe("2026-03-01T00:00:00.000Z")
    expect([sandbox.report().expiredBridgeTokensRefused, sandbox.client("4138538").counts.tooLate]).toEqual([1, 1])
  })
})

describe("a client who is already connected", () => {
  it("opens the new order while the old link works: Already Connected, the suborder skipped; the original order refreshes, the new one is canceled", async () => {
    const l = seedCase({ authenticatedAt: "2026-11-01T00:00:00Z" })
    sandbox.scriptClient("4138538", { kind: "already-connected", afterHours: 3 })
    const created = await newOrder("req-1")
    sandbox.clock.set(at(3))
    const order = await getOrder(created.body.id)
    expect(order.employers.map((s: any) => [s.status, s.company_name, s.link_id])).toEqual([["skipped", "Acme Care", null]])
    expect(orderEvents(created.body.id).map((e) => e[1])).toEqual(["pending", "sent", "skipped"])
    // Truv's advice: refresh the original order, cancel the new one.
    const r = await refresh(sandbox, "root0001")
    await sandbox.idle()
    expect([r.status, sandbox.link(l.connections[0]!.linkId).lastStatus]).toEqual([201, "done"])
    expect((await truv(sandbox, "POST", `/v1/orders/${created.body.id}/cancel/`)).body.canceled_at).toBe(at(3))
    sandbox.clock.set(at(100))
    expect(sandbox.client("4138538").counts).toEqual({ orders: 1, tokens: 0, canceled: 1, initialMessages: 2, reminders: 0, completed: 0, reauthenticated: 0, alreadyConnected: 1, tooLate: 0, undelivered: 0, overlapping: 0 })
  })

  it("when the old link no longer works, Bridge lets the client connect: the order completes", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "already-connected", afterHours: 3 })
    const created = await newOrder("req-1")
    sandbox.clock.set(at(3))
    expect((await getOrder(created.body.id)).employers.map((s: any) => s.status)).toEqual(["completed"])
    expect(sandbox.client("4138538").requests.map((q) => q.outcome)).toEqual(["completed"])
  })
})

describe("requests and orders", () => {
  it("two orders for one request (a retried POST): the client is messaged twice for one request, and completes only one", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 10 })
    const first = await newOrder("req-1", { phone: undefined })
    const second = await newOrder("req-1", { phone: undefined })
    await newOrder("req-2", { phone: undefined })
    sandbox.clock.set(at(12))
    const r = sandbox.report().clients
    expect([r.ordersCreated, r.requestsMessagedTwice, r.messages.initial, r.overlapping]).toEqual([3, 1, 3, 2])
    expect(sandbox.client("4138538").requests.map((q) => [q.id, q.outcome])).toEqual([
      [first.body.id, "completed"], [second.body.id, "moot"], [expect.any(String), "completed"]
    ])
    expect((await getOrder(second.body.id)).employers).toEqual([])
  })

  it("an order completed before the client's instant (a test's completeOrder) leaves the client nothing to do: moot, not too late", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "completes", afterHours: 10 })
    const created = await newOrder("req-1")
    sandbox.completeOrder(created.body.id)
    sandbox.clock.set(at(11))
    expect(sandbox.client("4138538").requests.map((q) => q.outcome)).toEqual(["moot"])
    expect(sandbox.report().clients.actions).toEqual({ completed: 0, reauthenticated: 0, alreadyConnected: 0, tooLate: 0, undelivered: 0 })
  })

  it("requests: [...] scripts successive requests; the last repeats", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { requests: [{ kind: "never" }, { kind: "completes", afterHours: 1 }] })
    const a = await newOrder("req-1")
    const b = await newOrder("req-2")
    const c = await newOrder("req-3")
    sandbox.clock.set(at(2))
    expect(sandbox.client("4138538").requests.map((q) => [q.id, q.outcome])).toEqual([[a.body.id, "never"], [b.body.id, "completed"], [c.body.id, "completed"]])
  })

  it("an unscripted client does nothing by default (tests drive completion); a seeded lineage may carry its client's script", async () => {
    seedCase()
    const idle = await newOrder("req-1")
    sandbox.seedLineage({ orderNumber: "5550001", client: { kind: "completes", afterHours: 1 } })
    const other = await truv(sandbox, "POST", "/v1/orders/", { products: ["income"], first_name: "B", last_name: "C", order_number: "5550001/k" })
    sandbox.clock.set(at(10))
    expect([(await getOrder(idle.body.id)).employers, (await getOrder(other.body.id)).employers.length]).toEqual([[], 1])
    // Every order made for a client is listed, scripted or not.
    expect(sandbox.client("4138538").requests.map((q) => [q.id, q.outcome, q.action])).toEqual([[idle.body.id, "unscripted", null]])
    expect(() => sandbox.seedLineage({ orderNumber: "5550002", client: { kind: "completes" } })).toThrow("afterHours")
  })

  it("the same external_user_id reaches the same Truv user", async () => {
    sandbox.seedLineage({ orderNumber: "4138538", userId: "user0001", externalUserId: "case-4138538" })
    const a = await newOrder("req-1", { external_user_id: "case-4138538" })
    const b = await newOrder("req-2", { external_user_id: "case-other" })
    expect([a.body.user_id, b.body.user_id === "user0001"]).toEqual(["user0001", false])
  })
})

describe("the demo's clients (default: demo)", () => {
  const draw = async (seed: number) => {
    const s = await startSandbox({ seed, clock: { mode: "manual", start: MONDAY }, clients: { default: "demo" } })
    try {
      for (let i = 0; i < 200; i++) {
        await truv(s, "POST", "/v1/orders/", { products: ["income"], first_name: "A", last_name: "B", order_number: `${7_000_000 + i}/k`, email: "a@example.org" })
      }
      s.clock.set(at(24 * 14))
      return s.clients().map((c) => [c.orderNumber, c.requests[0]!.action, c.requests[0]!.outcome])
    } finally {
      await s.close()
    }
  }

  it("is seeded: the same seed draws the same clients; most complete within 2 days, some never respond", async () => {
    const one = await draw(7)
    expect(await draw(7)).toEqual(one)
    const outcomes = one.reduce<Record<string, number>>((m, [, , o]) => ({ ...m, [o as string]: (m[o as string] ?? 0) + 1 }), {})
    expect(outcomes).toEqual({ completed: 161, never: 27, "too-late": 12 })
    const withinTwoDays = one.filter(([, a]) => (a as any).kind === "completes" && (a as any).afterHours <= 48).length
    expect(withinTwoDays).toBe(156)
  })
})

describe("scenario files", () => {
  it("take clients: a default and scripts by order number; a bad script names its path", () => {
    const good = parseScenario(JSON.stringify({ clients: { default: "demo", byOrderNumber: { "4138538": { kind: "never" } } } }), "s.json")
    expect(good.ok && good.scenario.clients).toEqual({ default: "demo", byOrderNumber: { "4138538": { kind: "never" } } })
    const bad = parseScenario(JSON.stringify({ clients: { byOrderNumber: { "4138538": { kind: "completes" } } } }), "s.json")
    expect(bad.ok ? "" : bad.error).toContain("s.json: clients.byOrderNumber.4138538")
  })
})

describe("the admin route", () => {
  it("PUT /_sandbox/clients/{order_number} scripts a client; a bad script is 400 naming the field", async () => {
    const put = await fetch(`${sandbox.url}/_sandbox/clients/4138538`, { method: "PUT", body: JSON.stringify({ kind: "completes", afterHours: 2 }) })
    expect([put.status, await put.json()]).toEqual([200, { orderNumber: "4138538", script: { kind: "completes", afterHours: 2 }, requests: [], counts: expect.objectContaining({ orders: 0 }) }])
    const bad = await fetch(`${sandbox.url}/_sandbox/clients/4138538`, { method: "PUT", body: JSON.stringify({ kind: "completes", afterHours: -1 }) })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(await bad.json())).toContain("afterHours")
    await fetch(`${sandbox.url}/_sandbox/clients/5550001`)
    const list = (await (await fetch(`${sandbox.url}/_sandbox/clients`)).json()) as Array<any>
    expect(list.map((c: any) => [c.orderNumber, c.script])).toEqual([["4138538", { kind: "completes", afterHours: 2 }]])
  })
})

describe("two live links for one client (issue 16, exactly once): counted per client", () => {
  it("a second order while the first is open overlaps; a replacement after the first expired (and the second completed) does not", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { requests: [{ kind: "never" }, { kind: "completes", afterHours: 40 }, { kind: "never" }] })
    const first = await newOrder("req-1", { phone: undefined })
    sandbox.clock.set(at(24))
    const second = await newOrder("req-2", { phone: undefined })
    // Thursday 10:00: the first expired at 09:00 (72 weekday hours), the second was completed at +64 h.
    sandbox.clock.set(at(73))
    const third = await newOrder("req-3", { phone: undefined })
    const info = sandbox.client("4138538")
    expect(info.requests.map((q) => [q.id, q.outcome, q.liveAlongside])).toEqual([
      [first.body.id, "never", []],
      [second.body.id, "completed", [first.body.id]],
      [third.body.id, "never", []]
    ])
    expect([info.counts.overlapping, info.counts.completed, sandbox.report().clients.overlapping]).toEqual([1, 1, 1])
  })

  it("an order canceled at Truv before the next is made: no overlap", async () => {
    seedCase()
    sandbox.scriptClient("4138538", { kind: "never" })
    const first = await newOrder("req-1", { phone: undefined })
    await truv(sandbox, "POST", `/v1/orders/${first.body.id}/cancel/`)
    await newOrder("req-2", { phone: undefined })
    expect(sandbox.client("4138538").requests.map((q) => q.liveAlongside)).toEqual([[], []])
    expect(sandbox.report().clients.overlapping).toBe(0)
  })

  it("a second Bridge token for the same link within the first's 6 h overlaps; one after 6 h, or after the client used the first, does not", async () => {
    const l = seedCase()
    sandbox.scriptClient("4138538", { requests: [{ kind: "never" }, { kind: "never" }, { kind: "reauthenticates", afterHours: 1 }, { kind: "never" }] })
    const token = (key: string) => truv(sandbox, "POST", `/v1/users/${l.userId}/tokens/`, { product_type: "income", access_token: l.connections[0]!.accessToken, tracking_info: key })
    await token("key-1")
    sandbox.clock.set(at(5))
    await token("key-2")
    sandbox.clock.set(at(11))
    await token("key-3")
    sandbox.clock.set(at(12))
    await token("key-4")
    const linkId = l.connections[0]!.linkId
    expect(sandbox.client("4138538").requests.map((q) => [q.requestKey, q.outcome, q.liveAlongside])).toEqual([
      ["key-1", "never", []], ["key-2", "never", [linkId]], ["key-3", "reauthenticated", []], ["key-4", "never", []]
    ])
    expect(sandbox.client("4138538").counts.overlapping).toBe(1)
  })
})
