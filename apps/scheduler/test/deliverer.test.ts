/**
 * The deliverer against a loopback destination, on an explicit clock (the sandbox-free
 * `clockFrom`) and a fixed Random (no jitter): the retry schedule of the table exactly, a later
 * event of a case waiting for the earlier one, another case not held up, `Retry-After`
 * honoured, a dead letter after the tenth try, the metrics per destination, and no secret in
 * any log line.
 */
import { createServer, type Server } from "node:http"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Destination } from "@recert/delivery"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import { Effect, Logger, Random, Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { deliverRound } from "../src/delivery/deliverer.js"
import { DeliveryStats, renderDeliveryMetrics } from "../src/delivery/delivery-stats.js"
import { verificationRecord } from "@recert/core/testing"
import { clockFrom, NOW, openLayer } from "./support/world.js"

const SECRET = `whsec_${Buffer.alloc(32, 5).toString("base64")}`
const S = 1000
const M = 60 * S
const H = 60 * M

interface Hit { readonly id: string; readonly at: number; readonly type: string; readonly caseId: string }

/** A destination answering with `answer(hitNumberOfThisEvent, eventId)`; records every hit with its signed timestamp. */
const destination = async (answer: (n: number, id: string) => { status: number; headers?: Record<string, string> }) => {
  const hits: Array<Hit> = []
  const server: Server = createServer((req, res) => {
    let body = ""
    req.on("data", (c: Buffer) => body += c.toString()).on("end", () => {
      const id = String(req.headers["webhook-id"])
      const event = JSON.parse(body) as { type: string; caseId: string }
      hits.push({ id, at: Number(req.headers["webhook-timestamp"]) * 1000, type: event.type, caseId: event.caseId })
      const a = answer(hits.filter((h) => h.id === id).length, id)
      res.writeHead(a.status, a.headers).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return { hits, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server }
}

const servers: Array<Server> = []
afterAll(() => servers.forEach((s) => s.close()))

const setup = async () => {
  let t = NOW
  const clock = clockFrom(() => t)
  const dir = mkdtempSync(join(tmpdir(), "deliverer-"))
  const store = await openLayer(SqlStore.layer({ url: join(dir, "recert.sqlite"), encryptionKey: generateEncryptionKey(), create: true }), clock)
  const logs: Array<string> = []
  const logger = Logger.layer([Logger.make((o) => logs.push(JSON.stringify(o.message)))])
  const noJitter = { nextDoubleUnsafe: () => 0.5, nextIntUnsafe: () => 0 }
  return {
    store, logs, set: (ms: number) => t = ms, now: () => t,
    round: (d: Destination, stats: DeliveryStats) => store.run(deliverRound({ workerId: "w1", destinations: [d], stats }, d).pipe(
      Effect.provideService(Random.Random, noJitter), Effect.provide(logger)))
  }
}

const withStore = <A, E>(f: (s: Store["Service"]) => Effect.Effect<A, E>) => Effect.flatMap(Store, f)

const escalated = (caseId: string) => ({ type: "case.escalated" as const, caseId, payload: { requestId: null, why: "no answer", caseworkerAction: "call" } })

describe("deliverer", () => {
  it("retries on the documented schedule, in order per case, and dead-letters after the tenth try", async () => {
    const w = await setup()
    const target = await destination((_n, id) => ({ status: id === failing ? 500 : 204 }))
    servers.push(target.server)
    let failing = ""
    const d: Destination = { name: "agency", url: target.url, secret: Redacted.make(SECRET), events: null, timeoutMs: 2000, concurrency: 4, pdf: "none" }
    const stats = new DeliveryStats()
    const a1 = await w.store.run(withStore((s) => s.appendEvent(escalated("case-a"))))
    await w.store.run(withStore((s) => s.appendEvent({ ...escalated("case-a"), payload: { ...escalated("case-a").payload, why: "second" } })))
    await w.store.run(withStore((s) => s.appendEvent(escalated("case-b"))))
    failing = a1.id
    // Step the clock a second at a time over a day; a round whenever something may be due.
    const waits = [0, 15 * S, M, 4 * M, 16 * M, 64 * M, 256 * M, 6 * H, 6 * H, 6 * H]
    let at = NOW
    expect((await w.round(d, stats)).claimed).toBe(2) // case-a's first and case-b's; case-a's second waits
    for (const wait of waits.slice(1)) {
      at += wait
      w.set(at - 1)
      const early = await w.round(d, stats)
      w.set(at)
      const onTime = await w.round(d, stats)
      expect([early.claimed, onTime.claimed], `try at +${at - NOW} ms`).toEqual([0, 1])
    }
    const a1Tries = target.hits.filter((h) => h.id === a1.id).map((h) => h.at - NOW)
    expect(a1Tries).toEqual(waits.reduce<Array<number>>((acc, wait) => [...acc, (acc.at(-1) ?? 0) + wait], []))
    // case-b was delivered at once; case-a's second event still waits behind the dead letter.
    expect(target.hits.filter((h) => h.id !== a1.id).map((h) => [h.caseId, h.at - NOW])).toEqual([["case-b", 0]])
    const events = await w.store.run(withStore((s) => s.listEvents({ failed: true, limit: 10 })))
    expect(events.map((e) => [e.id, e.deliveries.map((x) => [x.status, x.attempts, x.lastStatus, x.lastError])])).toEqual([[a1.id, [["dead", 10, 500, "HTTP 500"]]]])
    // Redelivered and answered: the held event follows, in order.
    failing = ""
    await w.store.run(withStore((s) => s.redeliver({ failed: true })))
    await w.round(d, stats)
    await w.round(d, stats)
    expect(target.hits.slice(-2).map((h) => h.id === a1.id ? "a1" : h.caseId)).toEqual(["a1", "case-a"])
    expect(renderDeliveryMetrics(stats)).toContain('recert_delivery_dead_lettered_total{destination="agency"} 1')
    expect(renderDeliveryMetrics(stats)).toContain('recert_delivery_delivered_total{destination="agency"} 3')
    expect(w.logs.join("\n")).not.toContain(SECRET.slice(6))
    await w.store.close()
  })

  it("honours Retry-After when it asks for longer than the schedule", async () => {
    const w = await setup()
    const target = await destination((n) => n === 1 ? { status: 429, headers: { "retry-after": "600" } } : { status: 200 })
    servers.push(target.server)
    const d: Destination = { name: "lender", url: target.url, secret: Redacted.make(SECRET), events: ["case.escalated"], timeoutMs: 2000, concurrency: 1, pdf: "none" }
    const stats = new DeliveryStats()
    await w.store.run(withStore((s) => s.appendEvent(escalated("case-c"))))
    await w.round(d, stats)
    w.set(NOW + 10 * M - 1)
    const early = await w.round(d, stats)
    w.set(NOW + 10 * M)
    const onTime = await w.round(d, stats)
    expect([early.claimed, onTime.delivered, target.hits.map((h) => h.at - NOW)]).toEqual([0, 1, [0, 10 * M]])
    await w.store.close()
  })

  it("attaches the caseworker PDF to a result event for a destination with pdf: inline, the same bytes at every try", async () => {
    const w = await setup()
    const bodies: Array<string> = []
    const server = createServer((req, res) => {
      let body = ""
      req.on("data", (c: Buffer) => body += c.toString()).on("end", () => {
        bodies.push(body)
        res.writeHead(bodies.length === 1 ? 503 : 204).end()
      })
    })
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    const d: Destination = { name: "lender", url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, secret: Redacted.make(SECRET), events: null, timeoutMs: 5000, concurrency: 1, pdf: "inline" }
    await w.store.run(withStore((s) => s.saveVerification(verificationRecord({ caseId: "case-pdf", orderId: "ord-pdf", fetchedAt: "2026-11-20T10:00:00.000Z" }))))
    const stats = new DeliveryStats()
    await w.round(d, stats)
    w.set(NOW + M)
    await w.round(d, stats)
    const events = bodies.map((b) => JSON.parse(b) as { type: string; attachments: Array<{ name: string; contentType: string; data: string }> })
    expect(events.map((e) => [e.type, e.attachments.map((a) => [a.name, a.contentType, Buffer.from(a.data, "base64").subarray(0, 5).toString()])])).toEqual([
      ["case.review-needed", [["case-pdf-ord-pdf.pdf", "application/pdf", "%PDF-"]]], ["case.review-needed", [["case-pdf-ord-pdf.pdf", "application/pdf", "%PDF-"]]]
    ])
    expect(bodies[0]).toBe(bodies[1])
    await w.store.close()
  })
})
