/**
 * The commands as processes (support/processes.ts: the fresh build, else `src/main.ts` through tsx):
 * `run --json` against the in-process sandbox (exit 0, the documented report with exact counts),
 * `--help` with examples, usage and configuration errors (exit 2, the culprit named, no secret
 * echoed), `serve` (`/health`, `/metrics`, signed and badly signed webhooks) and graceful
 * shutdown (SIGTERM on serve, SIGINT twice, SIGTERM during a run with slow Truv answers).
 *
 * The sandbox runs on the real clock (the processes read it); SQLite files in a temp directory.
 */
import { writeFileSync } from "node:fs"
import { createServer, request } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { generateEncryptionKey, openDatabase } from "@recert/store"
import { signWebhookBody } from "@recert/truv-adapter"
import { Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { WEBHOOK_PATH } from "../src/http/webhook-receiver.js"
import { exitOf, jsonLines, type Proc, startScheduler, waitFor } from "./support/processes.js"
import { seededProcessWorld } from "./support/seeded-world.js"
import { sqliteDatabase } from "./support/world.js"

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.warn("cleanup failed", e))
})

/** A world on a fresh SQLite file, real clock (the processes read it), seeded with `counts` cases per scenario. */
const seededWorld = (counts: Readonly<Record<string, number>>, faults: Record<string, number> = {}) =>
  seededProcessWorld(sqliteDatabase(), counts, cleanups, faults)

const track = (p: Proc): Proc => {
  cleanups.push(async () => { if (p.running()) p.child.kill("SIGKILL") })
  return p
}

const freePort = async (): Promise<number> => {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

const http = (port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) } }, (res) => {
      let text = ""
      res.setEncoding("utf8").on("data", (d: string) => { text += d }).on("end", () => resolve({ status: res.statusCode!, body: text, type: String(res.headers["content-type"] ?? "") }))
    })
    req.on("error", reject)
    req.end(body)
  })

const REPORT_KEYS = [
  "apiCalls", "cases", "due", "elapsedMs", "failed", "jobsFailed", "jobsReleased", "limitViolationsAttempted", "polls", "reasons", "refreshes", "results", "status",
  "stopped", "unloadable", "verificationLinksQueued", "webhooks"
]
const METRICS = [
  "recert_cases", "recert_truv_calls_total", "recert_refreshes_sent_total", "recert_refreshes_billed_total", "recert_refreshes_free_total",
  "recert_limit_violations_total", "recert_verifications_queued_total", "recert_webhooks_received_total", "recert_webhooks_rejected_total",
  "recert_webhooks_processed_total", "recert_jobs_failed_total", "recert_refreshes_not_billed_total", "recert_refreshes_awaiting_outcome",
  "recert_refreshes_unconfirmed", "recert_refreshes_reconciled_total", "recert_truv_calls_unanswered_total", "recert_store_errors_total",
  "recert_last_pass_status", "recert_passes_total"
]

describe("run as a process", () => {
  it("run --json: exit 0 and the documented report with exact counts", async () => {
    const { env } = await seededWorld({ "healthy": 2, "oauth-expired": 1, "rate-window": 1, "already-verified": 1, "no-user": 1 })
    const p = track(startScheduler(["run", "--json", "--worker-id", "w-run", "--concurrency", "4"], env))
    const { code } = await exitOf(p, 120_000)
    expect(code, p.stderr).toBe(0)
    const report = JSON.parse(p.stdout) as Record<string, unknown> & { apiCalls: { total: number; byEndpoint: Record<string, number> } }
    expect(Object.keys(report).sort()).toEqual(REPORT_KEYS)
    // The default reach mode (truv-sends, issue 16): the expired OAuth connection gets a new order too, not a Bridge token.
    expect(report["cases"]).toEqual({ total: 6, byOutcome: { "refreshed": 2, "waiting": 1, "nothing": 1, "new-order-queued": 2 } })
    expect({ status: report["status"], reasons: report["reasons"], due: report["due"], unloadable: report["unloadable"], failed: report["failed"] })
      .toEqual({ status: "ok", reasons: [], due: { total: 6, processed: 6, unloadable: 0, notReached: 0 }, unloadable: [], failed: [] })
    expect(report["refreshes"]).toEqual({ sent: 2, billed: 2, free: 0, notBilled: 0, awaitingOutcome: 0, unconfirmed: 0, reconciled: 0 })
    // The two refreshed cases' first verifications (no baseline): review.
    expect(report["results"]).toEqual({ renew: 0, review: 2 })
    expect(report.apiCalls.byEndpoint["report (GET order + link reports)"]).toBe(2)
    expect(report["verificationLinksQueued"]).toEqual({ bridgeUpdate: 0, newOrder: 2 })
    expect(report["limitViolationsAttempted"]).toBe(0)
    expect(report.apiCalls.byEndpoint["POST /v1/orders/{id}/"]).toBe(2)
    expect(report.apiCalls.byEndpoint["POST /v1/orders/"]).toBe(2)
    expect(report.apiCalls.byEndpoint["POST /v1/users/{id}/tokens/"] ?? 0).toBe(0)
    expect(report.apiCalls.total).toBe(Object.values(report.apiCalls.byEndpoint).reduce((a, b) => a + b, 0))
    expect({ failed: report["jobsFailed"], released: report["jobsReleased"], stopped: report["stopped"] }).toEqual({ failed: 0, released: 0, stopped: false })
  }, 180_000)
})

describe("--help and usage errors", () => {
  const KEY = "A".repeat(10) // not base64 of 32 bytes
  const SECRET = "sandbox-do-not-echo-7f3a9c1e5b"
  const dir = sqliteDatabase()
  afterAll(() => dir.cleanup())

  it("--help of run, serve and demo shows examples; bad flags, commands, config files and keys exit 2 naming the culprit", async () => {
    const base = dir.url.replace(/recert\.sqlite$/, "")
    const file = (name: string, json: unknown) => {
      const path = join(base, name)
      writeFileSync(path, JSON.stringify(json))
      return path
    }
    const truv = { clientId: "cid", secret: SECRET }
    const badKey = file("bad-key.json", { truv, bogus: 1 })
    const badValue = file("bad-value.json", { truv, concurrency: 999 })
    const env = { TRUV_CLIENT_ID: "cid", TRUV_SECRET: SECRET, DATABASE_URL: dir.url }
    const cases: Array<{ name: string; args: Array<string>; env?: Record<string, string>; code: number; says: Array<string> }> = [
      { name: "run --help", args: ["run", "--help"], code: 0, says: ["recert-scheduler run --config recert.json --db postgres://db/recert --concurrency 32 --json", "--worker-id", "3 degraded", "1 failed", "--client-reach"] },
      { name: "serve --help", args: ["serve", "--help"], code: 0, says: ["recert-scheduler serve --port 8080 --interval 15m", "--interval"] },
      { name: "demo --help", args: ["demo", "--help"], code: 0, says: ["recert-scheduler demo --json --scale 0.1", "--scale"] },
      { name: "bad flag value", args: ["run", "--concurrency", "lots"], env, code: 2, says: ["concurrency"] },
      { name: "unknown command", args: ["frobnicate"], env, code: 2, says: ["frobnicate"] },
      { name: "unknown key", args: ["run", "--config", badKey], env: { DATABASE_URL: dir.url }, code: 2, says: [`${badKey}: bogus: unknown key`] },
      { name: "bad value", args: ["run", "--config", badValue], env: { DATABASE_URL: dir.url }, code: 2, says: [`${badValue}: concurrency`, "999"] },
      { name: "malformed key", args: ["run"], env: { ...env, RECERT_ENCRYPTION_KEY: KEY }, code: 2, says: ["RECERT_ENCRYPTION_KEY"] },
      { name: "bad reach mode", args: ["run", "--client-reach", "email"], env, code: 2, says: ['--client-reach: expected one of truv-sends, agency-sends, bridge; got "email"'] }
    ]
    // Three at a time: each start compiles TypeScript (seconds of CPU on a loaded 2-core machine).
    const results: Array<{ c: (typeof cases)[number]; code: number | null; out: string }> = []
    for (let i = 0; i < cases.length; i += 3) {
      results.push(...await Promise.all(cases.slice(i, i + 3).map(async (c) => {
        const p = track(startScheduler(c.args, c.env ?? {}))
        const { code } = await exitOf(p, 60_000)
        return { c, code, out: `${p.stdout}\n${p.stderr}` }
      })))
    }
    for (const { c, code, out } of results) {
      expect({ name: c.name, code }, out).toEqual({ name: c.name, code: c.code })
      for (const s of c.says) expect(out, c.name).toContain(s)
      expect(out, c.name).not.toContain(SECRET)
      expect(out, c.name).not.toContain(KEY)
    }
  }, 180_000)

  it("an unknown key nested in the config file exits 2 naming it", async () => {
    const path = join(dir.url.replace(/recert\.sqlite$/, ""), "bad-nested.json")
    writeFileSync(path, JSON.stringify({ truv: { clientId: "cid", secret: SECRET, clientSecret: SECRET } }))
    const p = track(startScheduler(["run", "--config", path], { DATABASE_URL: dir.url, RECERT_ENCRYPTION_KEY: Redacted.value(generateEncryptionKey()) }))
    const { code } = await exitOf(p, 60_000)
    const out = `${p.stdout}\n${p.stderr}`
    expect(code, out).toBe(2)
    expect(out).toContain(`${path}: truv.clientSecret: unknown key\n`)
    expect(out).not.toContain(SECRET)
  }, 180_000)
})

describe("serve as a process", () => {
  it("answers /health and /metrics on the admin bind only, stores a signed webhook, refuses a bad signature; SIGTERM: shutdown lines, exit 0, port closed", async () => {
    const { db, env } = await seededWorld({ "already-verified": 1 })
    const port = await freePort()
    const adminPort = await freePort()
    const hook = "whsec-commands-test"
    const p = track(startScheduler(["serve", "--port", String(port), "--host", "127.0.0.1", "--admin-port", String(adminPort), "--interval", "1h", "--worker-id", "w-serve"], { ...env, RECERT_WEBHOOK_SECRET: hook }))
    await waitFor("serve's first pass", () => jsonLines(p.stderr).some((l) => l["event"] === "pass"), 120_000)
    // The operator's endpoints are on the admin bind (loopback) only: the public one answers 404.
    expect([(await http(port, "GET", "/health")).status, (await http(port, "GET", "/metrics")).status]).toEqual([404, 404])
    const health = await http(adminPort, "GET", "/health")
    expect(health.status).toBe(200)
    expect(health.type).toContain("application/json")
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", database: "reachable", stopping: false, passes: 1, lastPass: { ok: true, status: "ok", cases: 1 } })
    const metrics = await http(adminPort, "GET", "/metrics")
    expect(metrics.status).toBe(200)
    expect(metrics.type).toContain("text/plain")
    for (const m of METRICS) expect(metrics.body).toMatch(new RegExp(`^# TYPE ${m} (counter|gauge)$`, "m"))
    expect(metrics.body).toContain('recert_last_pass_status{status="ok"} 1\n')

    const event = (id: string) => JSON.stringify({ webhook_id: id, event_type: "order-created", order_id: "ord-unknown", updated_at: new Date().toISOString() })
    const good = event("wh-signed-1")
    const bad = event("wh-badsig-1")
    expect((await http(port, "POST", WEBHOOK_PATH, good, { "x-webhook-sign": signWebhookBody(good, hook) })).status).toBe(200)
    expect((await http(port, "POST", WEBHOOK_PATH, bad, { "x-webhook-sign": signWebhookBody(bad, "another-secret") })).status).toBe(401)
    const raw = openDatabase(db.url)
    try {
      const stored = await raw.db.selectFrom("webhook_events").select("webhook_id").execute()
      expect(stored.map((r) => r.webhook_id)).toEqual(["wh-signed-1"])
    } finally {
      await raw.db.destroy()
    }

    p.child.kill("SIGTERM")
    const { code } = await exitOf(p, 20_000)
    expect(code, p.stderr).toBe(0)
    const phases = jsonLines(p.stderr).filter((l) => l["event"] === "shutdown").map((l) => [l["phase"], l["signal"]])
    expect(phases).toEqual([["requested", "SIGTERM"], ["done", "SIGTERM"]])
    await expect(http(port, "GET", "/health")).rejects.toThrow(/ECONNREFUSED/)
    await expect(http(adminPort, "GET", "/health")).rejects.toThrow(/ECONNREFUSED/)
  }, 180_000)

  it("SIGINT twice: the second exits at once with 130", async () => {
    // Slow Truv answers keep the first pass's jobs in flight, so the graceful stop is still waiting.
    const { db, world, env } = await seededWorld({ healthy: 2 }, { latencyMs: 8_000 })
    const port = await freePort()
    const p = track(startScheduler(["serve", "--port", String(port), "--admin-port", "0", "--host", "127.0.0.1", "--worker-id", "w-int"], env))
    const raw = openDatabase(db.url)
    cleanups.push(() => raw.db.destroy())
    await waitFor("a refresh in flight", async () => (await raw.db.selectFrom("attempts").select("id").where("status", "=", "reserved").execute()).length > 0, 120_000)
    p.child.kill("SIGINT")
    await waitFor("shutdown requested", () => jsonLines(p.stderr).some((l) => l["phase"] === "requested"), 10_000)
    p.child.kill("SIGINT")
    const { code } = await exitOf(p, 10_000)
    expect(code).toBe(130)
    expect(jsonLines(p.stderr).filter((l) => l["event"] === "shutdown").map((l) => l["phase"])).toEqual(["requested", "forced"])
    world.sandbox.configureFaults({ latencyMs: 0 })
  }, 180_000)
})

describe("graceful stop of run", () => {
  for (const variant of [
    { name: "in-flight jobs finish within the grace period", latencyMs: 1_500, grace: "30s", released: 0 },
    { name: "jobs still held after the grace period are released", latencyMs: 6_000, grace: "300ms", released: 2 }
  ]) {
    it(`SIGTERM during a run: ${variant.name}; no lease left, exit 0, "stopped": true`, async () => {
      const { db, env } = await seededWorld({ healthy: 2 }, { latencyMs: variant.latencyMs })
      const raw = openDatabase(db.url)
      cleanups.push(() => raw.db.destroy())
      const p = track(startScheduler(["run", "--json", "--worker-id", "w-term", "--concurrency", "4"], { ...env, RECERT_SHUTDOWN_GRACE: variant.grace }))
      await waitFor("refreshes in flight", async () => (await raw.db.selectFrom("attempts").select("id").where("status", "=", "reserved").execute()).length === 2, 120_000)
      p.child.kill("SIGTERM")
      const { code } = await exitOf(p, 30_000)
      expect(code, p.stderr).toBe(0)
      const report = JSON.parse(p.stdout) as { stopped: boolean; jobsReleased: number }
      expect({ stopped: report.stopped, released: report.jobsReleased }).toEqual({ stopped: true, released: variant.released })
      const done = jsonLines(p.stderr).filter((l) => l["event"] === "shutdown")
      expect(done.map((l) => l["phase"])).toEqual(["requested", "done"])
      expect(done[1]).toMatchObject({ command: "run", released: variant.released, exitCode: 0 })
      const leased = await raw.db.selectFrom("jobs").select(["key", "locked_by"]).where("locked_by", "=", "w-term").where("status", "=", "pending").execute()
      expect(leased).toEqual([])
    }, 180_000)
  }
})
