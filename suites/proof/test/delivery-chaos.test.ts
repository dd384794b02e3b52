/**
 * Delivery chaos, black-box: two `recert-scheduler serve` processes on one SQLite database deliver
 * an outbox of events to four destinations in this process that misbehave: `flaky` answers 503
 * (half the time with `Retry-After: 1`), `timeouts` sometimes never answers (past its 1 s
 * timeout) or answers slowly, `resets` destroys the connection, `down` always answers 500. The
 * workers are SIGKILLed at seeded random instants and restarted. Every receiver verifies each
 * signature with the `standardwebhooks` package. A short retry schedule (`delivery.retry`: 100 ms
 * x4, capped at 1 s, 8 tries) makes a day's schedule fit in seconds. When the three flaky
 * destinations have every event and `down` has dead-lettered every case's first event, the suite
 * prints a table and asserts:
 *
 * - none lost: each flaky destination received every event (by its id, the `webhook-id`);
 * - in order per case: each destination's first receipts of a case's events are in the case's order;
 * - duplicates recognisable: every repeated receipt carries a `webhook-id` received before;
 * - signatures: every request verified;
 * - dead letters: `down` holds one per case (the head; later events wait behind it), listed by
 *   `recert events --failed` and by `recert-scheduler run`'s report.
 */
import { createServer, type Server } from "node:http"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import { Effect, Redacted } from "effect"
import { Webhook } from "standardwebhooks"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort, runApp, spawnApp } from "./support/apps.js"

const CASES = 24
const EVENTS_PER_CASE = 5
const WORKERS = 2
/** SIGKILLs at most (each restart is a Node + tsx start-up of about 3 s on a loaded machine). */
const KILLS = 6
const DEADLINE_MS = Number(process.env["PROOF_DELIVERY_CHAOS_DEADLINE_MS"] ?? 150_000)
const SEED = 20261206
const KEY = Redacted.value(generateEncryptionKey())
const SECRET = `whsec_${Buffer.alloc(32, 17).toString("base64")}`

const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const rnd = prng(SEED)

type Fault = "none" | "503" | "503-retry-after" | "silent" | "slow" | "reset" | "500"
const FAULTS: Record<string, () => Fault> = {
  flaky: () => { const r = rnd(); return r < 0.15 ? "503" : r < 0.3 ? "503-retry-after" : "none" },
  timeouts: () => { const r = rnd(); return r < 0.2 ? "silent" : r < 0.4 ? "slow" : "none" },
  resets: () => (rnd() < 0.25 ? "reset" : "none"),
  down: () => "500"
}
const FLAKY = ["flaky", "timeouts", "resets"] as const

interface Receipt { readonly id: string; readonly caseId: string; readonly step: number }
interface Receiver { readonly name: string; readonly server: Server; url: string; readonly receipts: Array<Receipt>; readonly injected: Record<string, number>; badSignatures: number }

let dir: string
let db: string
let configFile: string
const receivers: Array<Receiver> = []
const kills: Array<string> = []
let allIds: Array<string> = []

const startReceiver = async (name: string): Promise<Receiver> => {
  const wh = new Webhook(SECRET)
  const r: Receiver = { name, server: createServer(), url: "", receipts: [], injected: {}, badSignatures: 0 }
  r.server.on("request", (req, res) => {
    let body = ""
    req.on("data", (c: Buffer) => body += c.toString()).on("end", () => {
      const fault = FAULTS[name]!()
      r.injected[fault] = (r.injected[fault] ?? 0) + 1
      if (fault === "reset") return req.socket.destroy()
      if (fault === "silent") return // no answer: the deliverer's timeout
      let event: { id: string; caseId: string; payload: { why: string } }
      try {
        event = wh.verify(body, { "webhook-id": String(req.headers["webhook-id"]), "webhook-timestamp": String(req.headers["webhook-timestamp"]), "webhook-signature": String(req.headers["webhook-signature"]) }) as typeof event
      } catch {
        r.badSignatures += 1
        return res.writeHead(401).end()
      }
      if (fault === "500" || fault === "503") return res.writeHead(Number(fault)).end()
      if (fault === "503-retry-after") return res.writeHead(503, { "retry-after": "1" }).end()
      r.receipts.push({ id: String(req.headers["webhook-id"]), caseId: event.caseId, step: Number(event.payload.why.replace("step ", "")) })
      if (fault === "slow") return setTimeout(() => res.writeHead(204).end(), 150)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((ok) => r.server.listen(0, "127.0.0.1", ok))
  r.url = `http://127.0.0.1:${(r.server.address() as { port: number }).port}/events`
  return r
}

const withStore = <A>(f: (s: Store["Service"]) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(Store, f).pipe(Effect.provide(SqlStore.layer({ url: db, encryptionKey: Redacted.make(KEY), create: true })))))

/**
 * The deliveries' counts, read with the sqlite3-free driver the store uses, through one
 * connection kept open (opening a store per check would block this process, and its receivers,
 * for the migration check).
 */
const counter = async () => {
  const { default: Database } = await import("better-sqlite3")
  const conn = new Database(db, { readonly: true })
  const query = conn.prepare("select destination, status, count(*) as n from outbox_deliveries group by destination, status")
  return {
    counts: () => {
      const out: Record<string, Record<string, number>> = {}
      for (const row of query.all() as Array<{ destination: string; status: string; n: number }>) (out[row.destination] ??= {})[row.status] = row.n
      return out
    },
    close: () => conn.close()
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "delivery-chaos-"))
  db = join(dir, "recert.sqlite")
  for (const name of Object.keys(FAULTS)) receivers.push(await startReceiver(name))
  // The outbox: each case's events appended in order (what renewals would have written).
  allIds = await withStore((s) => Effect.gen(function*() {
    const ids: Array<string> = []
    for (let step = 1; step <= EVENTS_PER_CASE; step++) {
      for (let c = 1; c <= CASES; c++) {
        const e = yield* s.appendEvent({ type: "case.escalated", caseId: `case-${String(c).padStart(3, "0")}`, payload: { requestId: null, why: `step ${step}`, caseworkerAction: "call the client" } })
        ids.push(e.id)
      }
    }
    return ids
  }))
  configFile = join(dir, "recert.json")
  writeFileSync(configFile, JSON.stringify({
    truv: { clientId: "chaos", secret: "chaos-truv-secret", baseUrl: "http://127.0.0.1:9" },
    destinations: receivers.map((r) => ({ name: r.name, url: r.url, secretEnv: "AGENCY_WHSEC", timeout: "1s", concurrency: 4 })),
    delivery: { poll: "100ms", retry: { base: "100ms", cap: "1s", maxAttempts: 8 } }
  }))
}, 60_000)

afterAll(async () => {
  for (const r of receivers) {
    r.server.closeAllConnections()
    r.server.close()
  }
  rmSync(dir, { recursive: true, force: true })
})

const env = { RECERT_ENCRYPTION_KEY: KEY, AGENCY_WHSEC: SECRET }

describe("delivery chaos", () => {
  it("delivers every event at least once, in order per case, duplicates by webhook-id, dead letters listed", async () => {
    const started = Date.now()
    const workers = Array.from({ length: WORKERS }, () => ({ child: null as ReturnType<typeof spawnApp> | null, starts: 0 }))
    const start = async (i: number) => {
      const w = workers[i]!
      w.starts += 1
      w.child = spawnApp("scheduler", ["serve", "--config", configFile, "--db", db, "--port", String(await freePort()), "--admin-port", "0", "--host", "127.0.0.1",
        "--interval", "1h", "--worker-id", `dc-${i}-${w.starts}`], { env })
    }
    for (let i = 0; i < WORKERS; i++) await start(i)
    const progress = await counter()
    const settled = async () => {
      const counts = progress.counts()
      return FLAKY.every((n) => counts[n]?.["delivered"] === CASES * EVENTS_PER_CASE) && counts["down"]?.["dead"] === CASES
    }
    let nextKill = Date.now() + 2000 + rnd() * 2000
    while (!(await settled())) {
      if (Date.now() - started > DEADLINE_MS) throw new Error(`not settled in ${DEADLINE_MS} ms: ${JSON.stringify(progress.counts())}\n${workers.map((w) => w.child?.err().slice(-2000)).join("\n")}`)
      if (Date.now() >= nextKill && kills.length < KILLS) {
        const i = Math.floor(rnd() * WORKERS)
        workers[i]!.child?.kill("SIGKILL")
        kills.push(`worker ${i} at ${((Date.now() - started) / 1000).toFixed(1)} s`)
        await start(i)
        nextKill = Date.now() + 3000 + rnd() * 3000
      }
      await new Promise((r) => setTimeout(r, 500))
    }
    progress.close()
    const elapsed = Date.now() - started
    for (const w of workers) w.child?.kill("SIGTERM")
    await Promise.all(workers.map((w) => new Promise((r) => w.child === null || w.child.exitCode !== null ? r(null) : w.child.on("close", r))))

    const failedCli = await runApp("admin-cli", ["events", "--failed", "--json", "--limit", "1000", "--db", db], { env })
    const run = await runApp("scheduler", ["run", "--config", configFile, "--db", db, "--json", "--drain-deadline", "2s"], { env })
    const deadListed = (JSON.parse(failedCli.stdout) as { events: Array<{ caseId: string }> }).events
    const report = JSON.parse(run.stdout) as { delivery: { deadLetters: Array<{ destination: string }> } }

    const rows = receivers.map((r) => {
      const firsts = new Map<string, Receipt>()
      for (const x of r.receipts) if (!firsts.has(x.id)) firsts.set(x.id, x)
      const byCase = new Map<string, Array<number>>()
      for (const x of firsts.values()) byCase.set(x.caseId, [...(byCase.get(x.caseId) ?? []), x.step])
      const outOfOrder = [...byCase.values()].filter((steps) => steps.some((s, i) => i > 0 && s <= steps[i - 1]!)).length
      const failures = Object.entries(r.injected).filter(([f]) => f !== "none" && f !== "slow").reduce((a, [, n]) => a + n, 0)
      return { name: r.name, requests: Object.values(r.injected).reduce((a, n) => a + n, 0), failures, slow: r.injected["slow"] ?? 0, unique: firsts.size,
        duplicates: r.receipts.length - firsts.size, missing: allIds.filter((id) => !firsts.has(id)).length, outOfOrder, badSignatures: r.badSignatures }
    })
    console.log([
      `delivery chaos: ${CASES * EVENTS_PER_CASE} events (${CASES} cases x ${EVENTS_PER_CASE}), ${WORKERS} serve workers, ${kills.length} SIGKILLs (${kills.join(", ")}), settled in ${(elapsed / 1000).toFixed(1)} s`,
      "destination  requests  injected failures  slow  delivered  duplicates  missing  out of order  bad signatures",
      ...rows.map((r) => `${r.name.padEnd(12)} ${String(r.requests).padStart(8)}  ${String(r.failures).padStart(17)}  ${String(r.slow).padStart(4)}  ${String(r.unique).padStart(9)}  ${String(r.duplicates).padStart(10)}  ${String(r.missing).padStart(7)}  ${String(r.outOfOrder).padStart(12)}  ${String(r.badSignatures).padStart(14)}`),
      `dead letters: ${deadListed.length} listed by recert events --failed, ${report.delivery.deadLetters.length} in the run report`
    ].join("\n"))

    expect(kills.length).toBeGreaterThan(0)
    for (const r of rows.filter((x) => x.name !== "down")) expect([r.name, r.unique, r.missing, r.outOfOrder, r.badSignatures]).toEqual([r.name, CASES * EVENTS_PER_CASE, 0, 0, 0])
    expect(rows.find((r) => r.name === "down")!.unique).toBe(0)
    expect(deadListed.length).toBe(CASES)
    expect(report.delivery.deadLetters.filter((d) => d.destination === "down").length).toBe(CASES)
    expect(run.code).toBe(0)
  }, DEADLINE_MS + 60_000)
})
