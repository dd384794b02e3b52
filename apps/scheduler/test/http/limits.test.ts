/**
 * The webhook server's limits on a real loopback server, driven byte by byte with raw sockets:
 * a body declared too large is answered 413 before it is sent, a chunked body is cut at the
 * first byte past the limit, slow headers and slow bodies are cut at their (small, configured)
 * timeouts, and one socket over the connection cap is closed unanswered.
 */
import { signWebhookBody } from "@recert/truv-adapter"
import { Redacted } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { HttpLimits } from "../../src/http/limits.js"
import { WEBHOOK_PATH } from "../../src/http/webhook-receiver.js"
import { rawClient, receivedUntil, SECRET, type TestServer, testServer, wait } from "./raw-http.js"

const LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 16, maxBodyBytes: 1_024 }

const servers: Array<TestServer> = []
const start = async (limits: Partial<HttpLimits> = {}) => {
  const s = await testServer({ ...LIMITS, ...limits })
  servers.push(s)
  return s
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A signed event whose JSON is exactly `size` bytes. */
const eventOf = (id: string, size: number): string => {
  const bare = JSON.stringify({ webhook_id: id, event_type: "order-created", pad: "" })
  return JSON.stringify({ webhook_id: id, event_type: "order-created", pad: "x".repeat(size - bare.length) })
}
const head = (headers: Record<string, string | number>): string =>
  `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`
const sign = (body: string) => signWebhookBody(body, Redacted.make(SECRET))
const complete = (text: string) => /\r\n\r\n[^]*\}$/.test(text)
const statusOf = (text: string) => text.split("\r\n")[0]

describe("the body limit", () => {
  it("answers 413 from Content-Length alone, before any of the body is sent, and closes", async () => {
    const s = await start()
    const c = await rawClient(s.port)
    c.send(head({ "Content-Length": 5_000_000, "Content-Type": "application/json", "X-WEBHOOK-SIGN": "v1=00" }))
    const answer = await receivedUntil(c, complete)
    expect(statusOf(answer)).toBe("HTTP/1.1 413 Payload Too Large")
    expect(answer.endsWith(JSON.stringify({ error: "body too large", maxBodyBytes: 1_024 }))).toBe(true)
    await c.closed
    expect(s.stored).toEqual([])
  })

  it("lets a client still sending a large body read the 413 (declared and streamed, 5 MiB)", async () => {
    const s = await start()
    const huge = "x".repeat(5 * 2 ** 20)
    const stream = new ReadableStream({ start: (c) => {
      for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode(huge.slice(0, 2 ** 20)))
      c.close()
    } })
    const post = (body: string | ReadableStream) =>
      fetch(`${s.url}${WEBHOOK_PATH}`, { method: "POST", body, duplex: "half" }).then((r) => r.status, (e: unknown) => String(e))
    expect([await post(huge), await post(stream)]).toEqual([413, 413])
    expect(s.stored).toEqual([])
  })

  it("takes a body of exactly the limit and refuses one byte more", async () => {
    const s = await start()
    const answers: Array<string | undefined> = []
    for (const [id, size] of [["w-at-limit", 1_024], ["w-over-limit", 1_025]] as const) {
      const body = eventOf(id, size)
      const c = await rawClient(s.port)
      c.send(head({ "Content-Length": Buffer.byteLength(body), "X-WEBHOOK-SIGN": sign(body) }) + body)
      answers.push(statusOf(await receivedUntil(c, complete)))
      c.socket.destroy()
    }
    expect(answers).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 413 Payload Too Large"])
    expect(s.stored).toEqual(["w-at-limit"])
  })

  it("refuses `Expect: 100-continue` with a body too large, without asking for the body", async () => {
    const s = await start()
    const c = await rawClient(s.port)
    c.send(head({ "Content-Length": 2_000, Expect: "100-continue", "X-WEBHOOK-SIGN": "v1=00" }))
    const answer = await receivedUntil(c, complete)
    expect(statusOf(answer)).toBe("HTTP/1.1 413 Payload Too Large")
    expect(answer).not.toContain("100 Continue")
  })

  it("cuts a chunked body at the first chunk past the limit with 413, and stores nothing", async () => {
    const s = await start()
    const c = await rawClient(s.port)
    c.send(head({ "Transfer-Encoding": "chunked", "X-WEBHOOK-SIGN": "v1=00" }))
    // 2 x 600 bytes crosses 1 024; the body never ends (no last chunk), yet the answer comes.
    for (let i = 0; i < 2; i++) c.send(`258\r\n${"x".repeat(600)}\r\n`)
    const answer = await receivedUntil(c, complete)
    expect(statusOf(answer)).toBe("HTTP/1.1 413 Payload Too Large")
    await c.closed
    expect(s.stored).toEqual([])
  })

  it("still takes a chunked body within the limit", async () => {
    const s = await start()
    const body = eventOf("w-chunked", 1_000)
    const c = await rawClient(s.port)
    c.send(head({ "Transfer-Encoding": "chunked", "X-WEBHOOK-SIGN": sign(body) }))
    c.send(`${(500).toString(16)}\r\n${body.slice(0, 500)}\r\n${(500).toString(16)}\r\n${body.slice(500)}\r\n0\r\n\r\n`)
    expect(statusOf(await receivedUntil(c, complete))).toBe("HTTP/1.1 200 OK")
    expect(s.stored).toEqual(["w-chunked"])
    c.socket.destroy()
  })
})

describe("the timeouts", () => {
  // One byte every 20 ms: the headers (slowloris) or the body never complete.
  const cases = [
    { what: "its headers slowly, at the headers timeout", limits: { headersTimeoutMs: 150, requestTimeoutMs: 1_000 }, first: `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, cutAt: 150 },
    { what: "its body slowly, at the request timeout", limits: { headersTimeoutMs: 100, requestTimeoutMs: 300 }, first: head({ "Content-Length": 500, "X-WEBHOOK-SIGN": "v1=00" }), cutAt: 300 }
  ]
  for (const { what, limits, first, cutAt } of cases) {
    it(`cuts a client that sends ${what}, with 408`, async () => {
      const s = await start(limits)
      const c = await rawClient(s.port)
      c.send(first)
      const drip = setInterval(() => c.send("X"), 20)
      const closedAfter = await c.closed
      clearInterval(drip)
      expect(statusOf(c.received())).toBe("HTTP/1.1 408 Request Timeout")
      expect(closedAfter).toBeGreaterThanOrEqual(cutAt)
      expect(closedAfter).toBeLessThan(cutAt + 350)
      expect(s.stored).toEqual([])
    })
  }
})

describe("the connection cap", () => {
  const get = "GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

  it("closes a connection over the cap unanswered, and takes one again once a slot is free", async () => {
    const s = await start({ maxConnections: 2 })
    const held = [await rawClient(s.port), await rawClient(s.port)]
    for (const c of held) {
      c.send(get)
      expect(statusOf(await receivedUntil(c, complete))).toBe("HTTP/1.1 404 Not Found")
    }
    const third = await rawClient(s.port)
    third.send(get)
    await third.closed
    expect(third.received()).toBe("")

    held[0]!.socket.destroy()
    let answer = ""
    // The server learns of the freed slot asynchronously: a few tries, 20 ms apart.
    for (let i = 0; i < 25 && answer === ""; i++) {
      await wait(20)
      const c = await rawClient(s.port)
      c.send(get)
      answer = await Promise.race([receivedUntil(c, complete), c.closed.then(() => "")])
      c.socket.destroy()
    }
    expect(statusOf(answer)).toBe("HTTP/1.1 404 Not Found")
    held[1]!.socket.destroy()
  })
})
