/** The sandbox's webhook deliveries: signed as Truv signs, payloads as documented, faults seeded. */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parseWebhookEvent, verifyWebhookSignature } from "@recert/truv-adapter"
import { type TruvSandbox } from "../src/index.js"
import { startSandbox } from "./helpers.js"
import { refresh } from "./truv-http.js"

interface Received {
  readonly body: string
  readonly sign: string | undefined
  readonly userAgent: string | undefined
  readonly contentType: string | undefined
}

let sandbox: TruvSandbox
let receiver: Server
let received: Array<Received>
let answer = 200

beforeEach(async () => {
  received = []
  answer = 200
  receiver = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), sign: req.headers["x-webhook-sign"] as string | undefined, userAgent: req.headers["user-agent"], contentType: req.headers["content-type"] })
      res.writeHead(answer).end()
    })
  })
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()))
  sandbox = await startSandbox({ faults: { webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, webhookDelayMs: 1, completionDelayMs: 1, webhookRetryDelayMs: 1 } })
})
afterEach(async () => {
  await sandbox.close()
  receiver.closeAllConnections()
  await new Promise((r) => receiver.close(r))
})

const events = () => received.map((r) => JSON.parse(r.body) as Record<string, unknown>)

describe("webhooks", () => {
  it("a healthy refresh: order-created, task-status-updated done, order-status-updated completed, all signed", async () => {
    const l = sandbox.seedLineage({ orderId: "w1", orderNumber: "4138538", userId: "u1" })
    const r = await refresh(sandbox, "w1")
    await sandbox.idle()
    for (const d of received) {
      expect(verifyWebhookSignature(d.body, d.sign, sandbox.secret)).toEqual({ ok: true })
      expect(d.userAgent).toBe("Truv-Webhook-Service/2.0")
      expect(d.contentType).toBe("application/json")
      expect(parseWebhookEvent(d.body).ok).toBe(true)
    }
    const [created, task, order] = events()
    expect(events().map((e) => e.event_type)).toEqual(["order-created", "task-status-updated", "order-status-updated"])
    expect(Object.keys(created!).sort()).toEqual(["data_source", "employer_id", "event_created_at", "event_type", "link_id", "order_id", "order_number", "product", "status", "template_id", "updated_at", "user_id", "webhook_id"])
    expect(created).toMatchObject({ order_id: r.body.id, status: "pending", employer_id: null, link_id: null, event_created_at: "2026-11-22T10:00:00.000000Z", updated_at: "2026-11-22T10:00:00.000000+00:00" })
    expect(Object.keys(task!).sort()).toEqual(["data_source", "event_created_at", "event_type", "link_id", "product", "status", "task_id", "template_id", "tracking_info", "updated_at", "user_id", "webhook_id"])
    expect(task).toMatchObject({ status: "done", link_id: l.connections[0]!.linkId, product: "income", data_source: "payroll", user_id: "u1" })
    expect(order).toMatchObject({ order_id: r.body.id, order_number: "4138538", status: "completed", employer_id: r.body.employers[0].id, link_id: l.connections[0]!.linkId })
    expect(new Set(events().map((e) => e.webhook_id)).size).toBe(3)
  })

  it("a login_error refresh: order-refresh-failed with the refresh order id, and link-disconnected", async () => {
    const l = sandbox.seedLineage({ orderId: "w2", connections: [{ behaviour: "login-error" }] })
    const r = await refresh(sandbox, "w2")
    await sandbox.idle()
    expect(events().map((e) => [e.event_type, e.status])).toEqual([
      ["order-created", "pending"], ["task-status-updated", "login_error"], ["order-refresh-failed", "login_error"], ["link-disconnected", undefined]
    ])
    expect(events()[2]).toMatchObject({ order_id: r.body.id, link_id: l.connections[0]!.linkId })
  })

  it("unavailable fails the refresh without disconnecting the link", async () => {
    sandbox.seedLineage({ orderId: "w3", connections: [{ behaviour: { kind: "unavailable-until", until: "2030-01-01T00:00:00Z" } }] })
    await refresh(sandbox, "w3")
    await sandbox.idle()
    expect(events().map((e) => e.event_type)).toEqual(["order-created", "task-status-updated", "order-refresh-failed"])
  })

  it("re-authentication sends task-status-updated done", async () => {
    const l = sandbox.seedLineage({ orderId: "w4", connections: [{ behaviour: "mfa-error" }] })
    sandbox.reauthenticate(l.connections[0]!.linkId)
    await sandbox.idle()
    expect(events()).toMatchObject([{ event_type: "task-status-updated", status: "done", link_id: l.connections[0]!.linkId }])
  })

  it("duplicates reuse the webhook_id; loss drops events; both are counted", async () => {
    sandbox.configureFaults({ webhookDuplicateRate: 1 })
    sandbox.seedLineage({ orderId: "w5" })
    await refresh(sandbox, "w5")
    await sandbox.idle()
    expect(received).toHaveLength(6)
    const ids = events().map((e) => e.webhook_id)
    expect(new Set(ids).size).toBe(3)
    sandbox.configureFaults({ webhookDuplicateRate: 0, webhookLossRate: 1 })
    await refresh(sandbox, "w5")
    await sandbox.idle()
    expect(received).toHaveLength(6)
    expect(sandbox.report().webhooks).toMatchObject({ events: 6, duplicated: 3, dropped: 3, sent: 6, delivered: 6 })
  })

  it("reordering lets later events overtake earlier ones (seeded, reproducible)", async () => {
    sandbox.configureFaults({ webhookReorderRate: 0.5, webhookDelayMs: 5 })
    sandbox.seedLineage({ orderId: "w6", connections: [{}, {}, {}] })
    await refresh(sandbox, "w6")
    await sandbox.idle()
    const produced = sandbox.webhooks().map((w) => w.webhookId)
    const arrived = events().map((e) => e.webhook_id)
    expect([...arrived].sort()).toEqual([...produced].sort())
    expect(arrived).not.toEqual(produced)
    expect(sandbox.report().webhooks.reordered).toBeGreaterThan(0)
  })

  it("intermediate statuses are produced in order and delivered subject to reordering", async () => {
    sandbox.configureFaults({ intermediateWebhooks: true, completionDelayMs: 8, webhookReorderRate: 0.5, webhookDelayMs: 5 })
    sandbox.seedLineage({ orderId: "w8", connections: [{}, {}] })
    await refresh(sandbox, "w8")
    await sandbox.idle()
    const statusesOf = (bodies: ReadonlyArray<string>, linkId: string) =>
      bodies.map((b) => JSON.parse(b) as Record<string, unknown>).filter((e) => e.event_type === "task-status-updated" && e.link_id === linkId).map((e) => e.status)
    const producedBodies = sandbox.webhooks().map((w) => w.body)
    const linkIds = [...new Set(producedBodies.map((b) => (JSON.parse(b) as Record<string, unknown>).link_id).filter((l) => typeof l === "string"))] as Array<string>
    expect(linkIds).toHaveLength(2)
    for (const linkId of linkIds) expect(statusesOf(producedBodies, linkId)).toEqual(["login", "parse", "full_parse", "done"])
    expect([...received.map((r) => r.body)].sort()).toEqual([...producedBodies].sort())
    expect(received.map((r) => r.body)).not.toEqual(producedBodies)
    expect(sandbox.report().webhooks.reordered).toBeGreaterThan(0)
  })

  it("a failing receiver gets retries (3 by default)", async () => {
    answer = 500
    const l = sandbox.seedLineage({ orderId: "w7" })
    sandbox.reauthenticate(l.connections[0]!.linkId)
    await sandbox.idle()
    expect(received).toHaveLength(4)
    expect(new Set(received.map((r) => r.body)).size).toBe(1)
    expect(sandbox.report().webhooks).toMatchObject({ sent: 4, failed: 4, delivered: 0 })
  })
})
