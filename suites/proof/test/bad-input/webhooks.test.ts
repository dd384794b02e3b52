/**
 * The webhook endpoint of `recert-scheduler serve`, run as a process, fed generated requests:
 * malformed JSON, missing / malformed / wrong `X-WEBHOOK-SIGN`, valid signatures over invalid
 * event shapes, wrong content types, duplicates, and a 5 MB body. The requirement: never a 5xx,
 * 401 for every bad signature, nothing invalid stored (the inbox table is read directly: exactly
 * the valid, signed events, once each), and the process stays up (`/health` answers at the end).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { signWebhookBody } from "@recert/truv-adapter"
import Database from "better-sqlite3"
import { Redacted } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort, spawnApp, waitForHttp } from "../support/apps.js"

const SECRET = "sandbox-proof-webhook-secret-0001"
const dir = mkdtempSync(join(tmpdir(), "recert-proof-webhooks-"))
const db = join(dir, "recert.sqlite")
let base = ""
/** The admin bind (`/health`), loopback only: the public bind serves only the webhook. */
let admin = ""
let child: ReturnType<typeof spawnApp> | null = null
/** webhook_id -> the exact body of every valid, signed event the receiver answered 2xx. */
const accepted = new Map<string, string>()

beforeAll(async () => {
  const port = await freePort()
  const adminPort = await freePort()
  base = `http://127.0.0.1:${port}`
  admin = `http://127.0.0.1:${adminPort}`
  // A new database for this suite: created by the receiver, as asked (`--create`).
  child = spawnApp("scheduler", ["serve", "--db", db, "--create", "--port", String(port), "--admin-port", String(adminPort), "--host", "127.0.0.1", "--interval", "1h"], {
    cwd: dir,
    env: {
      TRUV_CLIENT_ID: "proof-client", TRUV_SECRET: SECRET, TRUV_BASE_URL: "http://127.0.0.1:9",
      RECERT_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64")
    }
  })
  await waitForHttp(`${admin}/health`, child, 240_000)
}, 260_000)

afterAll(async () => {
  if (child !== null && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r))
    child.kill("SIGTERM")
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))])
    if (child.exitCode === null) child.kill("SIGKILL")
  }
  rmSync(dir, { recursive: true, force: true })
})

const inboxRows = (): Array<{ webhook_id: string; body: string }> => {
  const reader = new Database(db, { readonly: true })
  try {
    return reader.prepare("SELECT webhook_id, body FROM webhook_events ORDER BY webhook_id").all() as Array<{ webhook_id: string; body: string }>
  } finally {
    reader.close()
  }
}
const inboxBodies = (): Set<string> => new Set(inboxRows().map((r) => r.body))

interface Sent { readonly status: number; readonly body: string }
const post = async (body: Uint8Array | string, headers: Record<string, string>): Promise<Sent> => {
  const r = await fetch(`${base}/webhooks/truv`, { method: "POST", body, headers })
  return { status: r.status, body: await r.text() }
}

const validEvent = fc.record({
  id: fc.uuid(),
  type: fc.constantFrom("order-status-updated", "order-refresh-failed", "task-status-updated", "link-disconnected", "order-created", "some-future-event"),
  status: fc.constantFrom("completed", "login_error", "done", "unavailable", null)
}).map(({ id, type, status }) => JSON.stringify({
  webhook_id: id, event_type: type, updated_at: "2026-11-22T10:00:00.000Z", order_id: "ord-x", link_id: "link-x", status
}))

/** Signed bodies that are not a JSON object at all. */
const notAnObject = fc.oneof(
  fc.string().filter((t) => { try { JSON.parse(t); return false } catch { return true } }),
  validEvent.map((b) => b.slice(0, Math.max(1, b.length - 7))),
  fc.constantFrom("null", "[]", "42", "\"text\"", "true")
)
/** Signed JSON objects that are not a valid event (missing or mistyped webhook_id / event_type). */
const invalidEvents = [
  "{}", JSON.stringify({ event_type: "order-created" }), JSON.stringify({ webhook_id: 12, event_type: "order-created" }),
  JSON.stringify({ webhook_id: "", event_type: "x" }), JSON.stringify({ webhook_id: "w-bad-type", event_type: ["order-created"] }),
  JSON.stringify({ webhook_id: "w-no-type" })
]

const contentType = fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "")
const headersFor = (type: string, sign: string | null): Record<string, string> => ({
  ...(type === "" ? {} : { "content-type": type }), ...(sign === null ? {} : { "x-webhook-sign": sign })
})

describe("recert-scheduler serve: the webhook endpoint under bad input", () => {
  it("answers 401 to every missing, malformed or wrong signature, and stores nothing", async () => {
    const wrongSignature = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      fc.constant("v1="), fc.constant("v2=00"),
      validEvent.map((b) => signWebhookBody(b, Redacted.make("another-secret")))
    )
    await fc.assert(fc.asyncProperty(fc.oneof(validEvent, fc.string()), wrongSignature, contentType, async (body, sign, type) => {
      const r = await post(body, headersFor(type, sign))
      expect(r.status).toBe(401)
      expect(inboxBodies().has(body)).toBe(false)
    }), { numRuns: 120, seed: 21 })
  })

  it("answers 400 to a signed body that is not a JSON object, and stores none of them", async () => {
    await fc.assert(fc.asyncProperty(notAnObject, contentType, async (body, type) => {
      const r = await post(body, headersFor(type, signWebhookBody(body, Redacted.make(SECRET))))
      expect(r.status).toBe(400)
      expect(inboxBodies().has(body)).toBe(false)
    }), { numRuns: 120, seed: 22 })
  })

  it("never answers 5xx to a signed JSON object that is not a valid event", async () => {
    for (const body of invalidEvents) {
      const r = await post(body, headersFor("application/json", signWebhookBody(body, Redacted.make(SECRET))))
      expect(r.status, body).toBeLessThan(500)
    }
  })

  it("refuses (4xx) and does not store a signed JSON object that is not a valid event", async () => {
    for (const body of invalidEvents) {
      const r = await post(body, headersFor("application/json", signWebhookBody(body, Redacted.make(SECRET))))
      expect(r.status, body).toBeGreaterThanOrEqual(400)
      expect(inboxBodies().has(body), body).toBe(false)
    }
  })

  it("stores valid signed events once, whatever the content type, duplicates included", async () => {
    await fc.assert(fc.asyncProperty(validEvent, contentType, fc.integer({ min: 1, max: 3 }), async (body, type, times) => {
      for (let i = 0; i < times; i++) {
        const r = await post(body, headersFor(type, signWebhookBody(body, Redacted.make(SECRET))))
        expect(r.status).toBeLessThan(500)
        if (r.status >= 200 && r.status < 300) accepted.set((JSON.parse(body) as { webhook_id: string }).webhook_id, body)
      }
    }), { numRuns: 80, seed: 23 })
    expect(accepted.size).toBeGreaterThan(0)
  })

  const huge = `{"webhook_id":"huge","event_type":"order-created","pad":"${"x".repeat(5 * 2 ** 20)}"}`
  const postHuge = (signed: boolean) =>
    post(huge, { "content-type": "application/json", ...(signed ? { "x-webhook-sign": signWebhookBody(huge, Redacted.make(SECRET)) } : {}) })
      .catch((e: unknown) => ({ status: -1, body: String(e) }))

  it("survives a 5 MB body, signed or not: no 5xx, nothing stored, still healthy", async () => {
    for (const signed of [false, true]) {
      const r = await postHuge(signed)
      expect(r.status === -1 || (r.status >= 400 && r.status < 500), `${r.status} ${r.body}`).toBe(true)
    }
    expect(inboxBodies().has(huge)).toBe(false)
    expect((await fetch(`${admin}/health`)).status).toBe(200)
  })

  it("answers a 5 MB body with 413", async () => {
    expect([(await postHuge(false)).status, (await postHuge(true)).status]).toEqual([413, 413])
  })

  it("stored every valid event exactly once with its exact bytes, nothing unsigned or non-JSON; the process is up", async () => {
    const health = await fetch(`${admin}/health`)
    expect(health.status).toBe(200)
    expect(child!.exitCode).toBeNull()
    const rows = inboxRows()
    const valid = rows.filter((r) => accepted.has(r.webhook_id))
    expect(valid).toEqual([...accepted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([webhook_id, body]) => ({ webhook_id, body })))
    // Nothing else may be there: invalid signed objects are refused (400) and not stored.
    expect(rows.filter((r) => !accepted.has(r.webhook_id)).map((r) => invalidEvents.includes(r.body))).toEqual(rows.filter((r) => !accepted.has(r.webhook_id)).map(() => true))
  })
})
