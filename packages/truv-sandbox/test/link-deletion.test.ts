/**
 * `DELETE /v1/links/{link_id}/` (link-deletion.ts): 204 with no body, the link and its data gone
 * (its reports are 404, a second delete is 404), and one `link-deleted` webhook; through the
 * client, `deleted` then `not-found`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { resetRateBudgets } from "@recert/truv-adapter"
import type { TruvSandbox } from "../src/index.js"
import { gatewayLayer, runGateway, startSandbox, T0 } from "./helpers.js"
import { truv } from "./truv-http.js"

let sandbox: TruvSandbox

beforeEach(async () => {
  resetRateBudgets()
  sandbox = await startSandbox({ faults: { completionDelayMs: 1 } })
  sandbox.seedLineage({ orderId: "root0001", orderNumber: "4138538", userId: "user0001", connections: [{ linkId: "link-a" }, { linkId: "link-b" }] })
})
afterEach(async () => {
  await sandbox.close()
})

const deletedEvents = () => sandbox.webhooks().map((w) => JSON.parse(w.body) as Record<string, unknown>).filter((e) => e["event_type"] === "link-deleted")

describe("DELETE /v1/links/{link_id}/", () => {
  it("answers 204 with no body, forgets the link and its reports, and sends link-deleted once", async () => {
    const r = await truv(sandbox, "DELETE", "/v1/links/link-a/")
    expect([r.status, r.body]).toEqual([204, null])
    expect((await truv(sandbox, "GET", "/v1/links/link-a/income/report/")).status).toBe(404)
    expect((await truv(sandbox, "GET", "/v1/links/link-b/income/report/")).status).toBe(200)
    expect((await truv(sandbox, "DELETE", "/v1/links/link-a/")).status).toBe(404)
    expect(deletedEvents().map((e) => [e["link_id"], e["user_id"], e["data_source"], e["event_created_at"]])).toEqual([
      ["link-a", "user0001", "payroll", T0.replace("Z", "000Z")]
    ])
  })

  it("through the client: deleted, then not-found", async () => {
    const first = await runGateway(gatewayLayer(sandbox), (_gw, client) => client.deleteLink("link-b"))
    const again = await runGateway(gatewayLayer(sandbox), (_gw, client) => client.deleteLink("link-b"))
    expect([first, again].map((e) => e._tag === "Success" ? e.value : e._tag)).toEqual(["deleted", "not-found"])
  })
})
