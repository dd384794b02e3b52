/**
 * One try against loopback receivers that misbehave as agencies' systems do: a 5xx with
 * Retry-After, a reset connection, no answer (timeout), a slow answer within the timeout; and
 * the reference receiver accepting a good signature, refusing a bad one, and marking a
 * redelivery as a duplicate by its webhook-id.
 */
import { createServer, type Server } from "node:http"
import { Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { postEvent, startReferenceReceiver } from "../src/index.js"

const SECRET = `whsec_${Buffer.alloc(32, 9).toString("base64")}`
const servers: Array<Server> = []
afterAll(() => servers.forEach((s) => {
  s.closeAllConnections()
  s.close()
}))

const serve = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`
}
const event = (id: string) => ({ id, body: JSON.stringify({ id, type: "case.escalated" }), timestampSec: Math.floor(Date.now() / 1000) })
const to = (url: string, timeoutMs = 2000) => ({ url, secret: Redacted.make(SECRET), timeoutMs })

describe("postEvent", () => {
  it("reports a 5xx with its Retry-After, a reset, a timeout and a slow answer as values", async () => {
    const failing = await serve((_req, res) => res.writeHead(503, { "retry-after": "30" }).end("maintenance"))
    const resetting = await serve((req) => req.socket.destroy())
    const silent = await serve(() => undefined)
    const slow = await serve((_req, res) => setTimeout(() => res.writeHead(200).end(), 300))
    const outcomes = await Promise.all([postEvent(to(failing), event("a")), postEvent(to(resetting), event("b")),
      postEvent(to(silent, 200), event("c")), postEvent(to(slow), event("d"))])
    expect(outcomes.map((o) => o._tag === "answered" ? [o._tag, o.status, o.retryAfter, o.excerpt] : o._tag === "unreachable" ? [o._tag, o.code] : [o._tag]))
      .toEqual([["answered", 503, "30", "maintenance"], ["unreachable", "UND_ERR_SOCKET"], ["timed-out"], ["answered", 200, null, ""]])
  })

  it("the reference receiver verifies, consumes once, and recognises a redelivery by webhook-id", async () => {
    const receiver = await startReferenceReceiver(SECRET)
    try {
      const good = await postEvent(to(receiver.url), event("e1"))
      const again = await postEvent(to(receiver.url), event("e1"))
      const forged = await postEvent({ ...to(receiver.url), secret: Redacted.make(`whsec_${Buffer.alloc(32, 1).toString("base64")}`) }, event("e2"))
      expect([good, again, forged].map((o) => o._tag === "answered" ? o.status : o._tag)).toEqual([204, 204, 401])
      expect(receiver.received.map((r) => [r.webhookId, r.event.type, r.duplicate])).toEqual([["e1", "case.escalated", false], ["e1", "case.escalated", true]])
    } finally {
      await receiver.close()
    }
  })
})
