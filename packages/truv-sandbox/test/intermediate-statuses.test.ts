/**
 * `intermediateWebhooks`: a task's non-terminal statuses (`login`, `parse`, `full_parse`) are
 * sent as `task-status-updated` before the terminal one. Off by default.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parseWebhookEvent } from "@recert/truv-adapter"
import { type TruvSandbox } from "../src/index.js"
import { startSandbox } from "./helpers.js"
import { refresh, truv } from "./truv-http.js"

let sandbox: TruvSandbox

beforeEach(async () => {
  sandbox = await startSandbox({ faults: { completionDelayMs: 8, intermediateWebhooks: true } })
})
afterEach(async () => {
  await sandbox.close()
})

const produced = () =>
  sandbox.webhooks().map((w) => {
    const e = JSON.parse(w.body) as Record<string, unknown>
    return e.event_type === "task-status-updated" ? `task:${String(e.status)}` : String(e.event_type)
  })

describe("intermediate task statuses", () => {
  it("a healthy refresh: login, parse, full_parse, then done, all parsed by the client", async () => {
    sandbox.seedLineage({ orderId: "i1" })
    await refresh(sandbox, "i1")
    await sandbox.idle()
    expect(produced()).toEqual(["order-created", "task:login", "task:parse", "task:full_parse", "task:done", "order-status-updated"])
    const tasks = sandbox.webhooks().filter((w) => w.eventType === "task-status-updated").map((w) => parseWebhookEvent(w.body))
    const taskIds = tasks.map((t) => (t.ok && t.event.event_type === "task-status-updated" ? t.event.task_id : null))
    expect(taskIds).toHaveLength(4)
    expect(new Set(taskIds).size).toBe(1)
    expect(taskIds[0]).toMatch(/^[0-9a-f]{32}$/)
    expect(new Set(sandbox.webhooks().map((w) => w.webhookId)).size).toBe(6)
  })

  it("a login failure stops at login; no_data stops after parse", async () => {
    sandbox.seedLineage({ orderId: "i2", connections: [{ behaviour: "login-error" }] })
    await refresh(sandbox, "i2")
    await sandbox.idle()
    expect(produced()).toEqual(["order-created", "task:login", "task:login_error", "order-refresh-failed", "link-disconnected"])
    sandbox.seedLineage({ orderId: "i3", connections: [{ behaviour: "no-data" }] })
    await refresh(sandbox, "i3")
    await sandbox.idle()
    expect(produced().slice(5)).toEqual(["order-created", "task:login", "task:parse", "task:no_data", "order-refresh-failed"])
  })

  it("a link refresh task also passes through them, and ends done", async () => {
    sandbox.seedLineage({ orderId: "i4", connections: [{ accessToken: "tok-4" }] })
    const created = await truv(sandbox, "POST", "/v1/refresh/tasks/", { access_token: "tok-4", product_type: "income" })
    await sandbox.idle()
    expect(produced()).toEqual(["task:login", "task:parse", "task:full_parse", "task:done"])
    expect((await truv(sandbox, "GET", `/v1/refresh/tasks/${created.body.task_id}/`)).body.status).toBe("done")
    expect(sandbox.report().tasks.byStatus).toEqual({ done: 1 })
  })

  it("off by default: only the terminal status", async () => {
    await sandbox.close()
    sandbox = await startSandbox({ faults: { completionDelayMs: 1 } })
    sandbox.seedLineage({ orderId: "i5" })
    await refresh(sandbox, "i5")
    await sandbox.idle()
    expect(produced()).toEqual(["order-created", "task:done", "order-status-updated"])
  })
})
