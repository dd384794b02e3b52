/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- assertions over raw JSON bodies */
/**
 * Fields filled the way Truv's documents fill them: `tracking_info` on task webhooks (the order's
 * `employer_id`, which Truv tells integrators to match), `employers[].provider` as the Orders
 * reference's object, the other documented order and suborder fields, and each date in its
 * documented format (ISO instants, plain dates, the webhooks' microsecond forms).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { TruvSandbox } from "../src/index.js"
import { startSandbox, T0 } from "./helpers.js"
import { refresh, truv } from "./truv-http.js"

let sandbox: TruvSandbox
const events = () => sandbox.webhooks().map((w) => JSON.parse(w.body) as Record<string, any>)

beforeEach(async () => {
  sandbox = await startSandbox()
})
afterEach(async () => {
  await sandbox.close()
})

const ISO_MILLIS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/

describe("tracking_info on task webhooks", () => {
  it("a refresh order's task-status-updated and link-disconnected carry the refresh order's employer_id", async () => {
    sandbox.seedLineage({ orderId: "t1", connections: [{ behaviour: "healthy" }, { behaviour: "login-error" }] })
    const r = await refresh(sandbox, "t1")
    await sandbox.idle()
    const [ok, failed] = r.body.employers as Array<{ id: string; link_id: string }>
    const byLink = (type: string, linkId: string) => events().filter((e) => e.event_type === type && e.link_id === linkId)
    expect(byLink("task-status-updated", ok!.link_id).map((e) => e.tracking_info)).toEqual([ok!.id])
    expect(byLink("order-status-updated", ok!.link_id).map((e) => e.employer_id)).toEqual([ok!.id])
    expect(byLink("task-status-updated", failed!.link_id).map((e) => e.tracking_info)).toEqual([failed!.id])
    expect(byLink("order-refresh-failed", failed!.link_id).map((e) => e.employer_id)).toEqual([failed!.id])
    expect(byLink("link-disconnected", failed!.link_id).map((e) => e.tracking_info)).toEqual([failed!.id])
  })

  it("intermediate statuses carry it too; a link refresh task carries the link's own (the suborder it was made through)", async () => {
    sandbox.configureFaults({ intermediateWebhooks: true })
    const l = sandbox.seedLineage({ orderId: "t2" })
    const r = await refresh(sandbox, "t2")
    await sandbox.idle()
    const employerId = String(r.body.employers[0].id)
    expect(events().filter((e) => e.event_type === "task-status-updated").map((e) => `${String(e.status)}:${String(e.tracking_info)}`)).toEqual(
      ["login", "parse", "full_parse", "done"].map((s) => `${s}:${employerId}`)
    )
    sandbox.clock.advance(3_600_000)
    await truv(sandbox, "POST", "/v1/refresh/tasks/", { access_token: l.connections[0]!.accessToken, product_type: "income" })
    await sandbox.idle()
    expect(events().at(-1)).toMatchObject({ event_type: "task-status-updated", status: "done", tracking_info: l.connections[0]!.suborderId })
  })

  it("re-authentication with a Bridge token carries the token's tracking_info; a completed new order its suborder id", async () => {
    const l = sandbox.seedLineage({ orderId: "t3" })
    const token = await truv(sandbox, "POST", `/v1/users/${l.userId}/tokens/`, { product_type: "income", access_token: l.connections[0]!.accessToken, tracking_info: "case-17" })
    sandbox.reauthenticate(l.connections[0]!.linkId, { bridgeToken: String(token.body.bridge_token) })
    expect(events().at(-1)).toMatchObject({ event_type: "task-status-updated", tracking_info: "case-17" })
    const created = await truv(sandbox, "POST", "/v1/orders/", { products: ["income"], first_name: "A", last_name: "B", employers: [{ company_name: "Acme" }] })
    sandbox.completeOrder(String(created.body.id))
    const employerId = String(created.body.employers[0].id)
    expect(events().filter((e) => e.event_type === "task-status-updated").at(-1)).toMatchObject({ tracking_info: employerId })
  })
})

describe("order JSON", () => {
  it("employers[].provider is Truv's object, and every documented suborder field is there", async () => {
    sandbox.seedLineage({ orderId: "o1", orderNumber: "4138538", connections: [{ provider: "ADP Workforce Now", suborderNumber: "4138538-1" }] })
    const r = await refresh(sandbox, "o1")
    await sandbox.idle()
    const order = (await truv(sandbox, "GET", `/v1/orders/${String(r.body.id)}/`)).body
    const employer = order.employers[0]
    expect(employer.provider).toEqual({ id: "adp_workforce_now", name: "ADP Workforce Now", logo_url: "https://cdn.truv.com/providers/adp_workforce_now.svg" })
    expect(employer).toMatchObject({
      product_type: "income", status: "completed", suborder_number: "4138538-1", bridge_token: order.bridge_token, data_source: "payroll",
      is_suspicious: false, end_date: null, company_name: "Employer 1", pdf_report: `https://cdn.truv.com/sandbox/reports/${String(employer.id)}.pdf`,
      company_address: { street: "1 Main St", city: "Springfield", state: "IL", zip: "62701" }, company_domain: "employer1.example",
      start_date: "2023-11-23"
    })
    // The refreshed suborder carries its pay history (src/pay/), under the suborder's employer.
    expect(employer.employments).toHaveLength(1)
    expect(employer.employments[0].company.name).toBe(employer.company_name)
    expect(order).toMatchObject({ source: "internal", custom_field: null, client_name: "Recert Sandbox", completed_at: T0, user_consent_at: T0 })
  })

  it("instants are ISO with milliseconds and Z; employment dates are plain dates; a pending suborder has no provider, report or completion", async () => {
    const created = (await truv(sandbox, "POST", "/v1/orders/", { products: ["income"], first_name: "A", last_name: "B", employers: [{ company_name: "Acme" }] })).body
    for (const field of ["created_at", "updated_at", "expired_at"]) expect(created[field]).toMatch(ISO_MILLIS_Z)
    expect(created).toMatchObject({ canceled_at: null, completed_at: null, user_consent_at: null, is_expired: false, created_at: T0 })
    expect(created.employers[0]).toMatchObject({ status: "pending", provider: null, pdf_report: null, link_id: null, access_token: null, data_source: null })
    expect(created.employers[0].created_at).toMatch(ISO_MILLIS_Z)
    expect(created.employers[0].start_date).toMatch(PLAIN_DATE)
  })

  it("webhook instants: event_created_at in microseconds with Z, updated_at in microseconds with +00:00 (the documented examples)", async () => {
    sandbox.seedLineage({ orderId: "w1" })
    await refresh(sandbox, "w1")
    await sandbox.idle()
    for (const e of events()) {
      expect(e.event_created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
      expect(e.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/)
    }
  })
})

describe("orders the user never completed expire", () => {
  const create = (employers: Array<unknown>) =>
    truv(sandbox, "POST", "/v1/orders/", { products: ["income"], first_name: "A", last_name: "B", order_number: "77", employers })

  it("at expired_at: order-status-updated expired once per unconnected suborder, dated expired_at; the suborder shows expired", async () => {
    const order = (await create([{ company_name: "Acme" }, { company_name: "Beta" }])).body
    // Created Sunday 10:00 (T0): 72 hours of Monday to Wednesday, weekends not counted.
    sandbox.clock.set(Date.parse("2026-11-26T00:00:00.000Z") - 1)
    expect(events().filter((e) => e.event_type === "order-status-updated")).toEqual([])
    sandbox.clock.advance(1)
    sandbox.clock.advance(3_600_000)
    const expired = events().filter((e) => e.event_type === "order-status-updated")
    expect(expired.map((e) => [e.employer_id, e.status, e.link_id, e.data_source, e.order_number, e.event_created_at])).toEqual(
      order.employers.map((s: { id: string }) => [s.id, "expired", null, null, "77", "2026-11-26T00:00:00.000000Z"])
    )
    const read = (await truv(sandbox, "GET", `/v1/orders/${String(order.id)}/`)).body
    expect(read).toMatchObject({ is_expired: true, employers: [{ status: "expired" }, { status: "expired" }] })
  })

  it("an order without employers announces its expiry once with employer_id null; completed and canceled orders never expire", async () => {
    const bare = (await create([])).body
    const done = (await create([{ company_name: "Acme" }])).body
    sandbox.completeOrder(String(done.id))
    const canceled = (await create([{ company_name: "Gone" }])).body
    await truv(sandbox, "POST", `/v1/orders/${String(canceled.id)}/cancel/`)
    sandbox.clock.advance(100 * 3_600_000)
    sandbox.clock.advance(1)
    expect(events().filter((e) => e.event_type === "order-status-updated" && e.status === "expired").map((e) => [e.order_id, e.employer_id])).toEqual([[bare.id, null]])
  })
})

describe("data events (dataWebhooks)", () => {
  it("off by default; on, a done refresh task is followed by employment-updated naming the task and the link's employment", async () => {
    const l = sandbox.seedLineage({ orderId: "d1", connections: [{ linkId: "L1" }, { linkId: "L2", behaviour: "login-error" }] })
    await refresh(sandbox, "d1")
    await sandbox.idle()
    expect(events().filter((e) => e.event_type === "employment-updated")).toEqual([])
    sandbox.configureFaults({ dataWebhooks: true })
    sandbox.clock.advance(3_600_000)
    const r = await refresh(sandbox, "d1")
    await sandbox.idle()
    const done = events().filter((e) => e.event_type === "task-status-updated" && e.status === "done").at(-1)
    expect(events().filter((e) => e.event_type === "employment-updated").map((e) => [e.object_id, e.task_id, e.link_id, e.tracking_info])).toEqual([
      ["emp-L1", done?.task_id, "L1", r.body.employers.find((x: { link_id: string }) => x.link_id === "L1").id]
    ])
    expect(l.connections).toHaveLength(2)
  })
})
