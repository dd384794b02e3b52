import { describe, expect, it } from "vitest"
import { TruvSandbox } from "../src/index.js"

describe("sandbox smoke", () => {
  it("seeds and refreshes", async () => {
    const sb = await TruvSandbox.start({ clock: { mode: "manual", start: "2026-11-22T10:00:00Z" } })
    try {
      const l = sb.seedLineage({})
      const h = { "X-Access-Client-Id": sb.clientId, "X-Access-Secret": sb.secret, "Content-Type": "application/json" }
      const r = await fetch(`${sb.url}/v1/orders/${l.orderId}/`, { method: "POST", headers: h, body: JSON.stringify({ products: ["income"] }) })
      expect(r.status).toBe(201)
      const body = await r.json() as { initial_order: string }
      expect(body.initial_order).toBe(l.orderId)
      await sb.idle()
      expect(sb.report().verifications.billed).toBe(1)
    } finally {
      await sb.close()
    }
  })
})
