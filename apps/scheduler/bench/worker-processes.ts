/**
 * Renewals with W `recert-scheduler serve` processes on one Postgres database, as an operator
 * runs several workers: each its own Node process (its own core when there is one), sharing the
 * job table and the webhook inbox. The sandbox runs in its own process and sends every webhook to
 * worker 0's receiver (the inbox is shared, so every worker processes events).
 *
 * One run: a fresh database; `cases` healthy cases seeded with a due date a year away; the
 * workers started (`--interval 1s`, the shortest) and healthy; then one UPDATE makes every case
 * due now, and the database is polled (every 20 ms) until every case has its refreshed report
 * stored. The clock starts at the first decision a worker records (its first reservation: the
 * pass that found the cases has enqueued its first page), not at the UPDATE, which would count
 * up to one interval of a worker waiting for its next pass.
 * CPU is the workers' user + system time (from /proc), summed.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { createServer, type AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { generateEncryptionKey, openDatabase, type Store } from "@recert/store"
import type { RenewalStore } from "@recert/core"
import { Effect, Redacted } from "effect"
import { sql } from "kysely"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo } from "../src/demo/seed.js"
import { clockFrom, getStore, openLayer, POSTGRES_URL, storeLayer } from "../test/support/world.js"
import { startRemoteSandbox } from "./remote-sandbox.js"

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const TSX = createRequire(import.meta.url).resolve("tsx")
const healthy = SCENARIOS.find((s) => s.name === "healthy")!
const CLOCK_TICKS_PER_S = 100

export interface ProcessRunResult {
  readonly rate: number
  readonly steady: number
  readonly cpuMsPerRenewal: number
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })

/** user + system CPU of a process so far, in ms (Linux /proc; 0 elsewhere). */
const cpuMsOf = (pid: number | undefined): number => {
  if (pid === undefined) return 0
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S
  } catch {
    return 0
  }
}

const waitHealthy = async (port: number, child: ChildProcess): Promise<void> => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`worker on port ${port} exited with ${child.exitCode}`)
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`worker on port ${port} not healthy in 60 s`)
}

const databaseUrl = (name: string): string => {
  const u = new URL(POSTGRES_URL)
  u.pathname = `/${name}`
  return u.toString()
}

export const runWorkerProcesses = async (o: { readonly workers: number; readonly cases: number; readonly latencyMs: number; readonly concurrency: number }): Promise<ProcessRunResult> => {
  const name = `recert_bench_${randomBytes(4).toString("hex")}`
  const admin = openDatabase(POSTGRES_URL, { poolSize: 1 }).db
  await sql`create database ${sql.id(name)}`.execute(admin)
  const url = databaseUrl(name)
  const secret = `sandbox-${randomBytes(12).toString("hex")}`
  const key = generateEncryptionKey()
  const sandbox = await startRemoteSandbox({ secret, seed: 5 })
  const store = await openLayer<Store | RenewalStore>(storeLayer({ url, cleanup: async () => {} }, key, 2), clockFrom(Date.now))
  const db = openDatabase(url, { poolSize: 1 }).db
  const children: Array<ChildProcess> = []
  try {
    await store.run(Effect.gen(function*() {
      yield* seedDemo(yield* getStore, sandbox, { now: Date.now(), scenarios: [{ ...healthy, count: o.cases }] })
    }))
    await sql`update cases set due_at = ${Date.now() + 365 * 86_400_000}`.execute(db)
    const ports = await Promise.all(Array.from({ length: o.workers }, () => freePort()))
    // `/health` is on the admin bind (loopback), one port per worker.
    const adminPorts = await Promise.all(Array.from({ length: o.workers }, () => freePort()))
    for (const [i, port] of ports.entries()) {
      children.push(spawn(process.execPath, ["--import", TSX, "--conditions=@recert/source", MAIN, "serve", "--interval", "1s", "--host", "127.0.0.1", "--port", String(port), "--admin-port", String(adminPorts[i])], {
        stdio: ["ignore", "ignore", "pipe"],
        env: {
          PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", NO_COLOR: "1",
          DATABASE_URL: url, RECERT_ENCRYPTION_KEY: Redacted.value(key), RECERT_CONCURRENCY: String(o.concurrency), RECERT_WORKER_ID: `bench-${i}`,
          TRUV_BASE_URL: sandbox.url, TRUV_CLIENT_ID: sandbox.clientId, TRUV_SECRET: secret, TRUV_MAX_REQUESTS_PER_MINUTE: "1000000"
        }
      }))
    }
    const stderr = children.map((c) => {
      let text = ""
      c.stderr?.on("data", (b: Buffer) => { text = (text + b.toString("utf8")).slice(-4000) })
      return () => text
    })
    await Promise.all(children.map((c, i) => waitHealthy(adminPorts[i]!, c))).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${stderr.map((f) => f()).join("\n")}`)
    })
    await sandbox.configureFaults({ latencyMs: o.latencyMs, rateLimitPerMinute: 1_000_000, completionDelayMs: 5, webhookDelayMs: 5, webhookUrl: `http://127.0.0.1:${ports[0]}/webhooks/truv` })
    const cpu0 = children.reduce((n, c) => n + cpuMsOf(c.pid), 0)
    await sql`update cases set due_at = ${Date.now()}`.execute(db)
    const crossed: Array<number | null> = [null, null]
    const marks = [Math.floor(o.cases * 0.1), Math.floor(o.cases * 0.9)]
    const deadline = Date.now() + 600_000
    let done = 0
    while (done < o.cases) {
      if (Date.now() > deadline) throw new Error(`${done} of ${o.cases} cases refreshed in 600 s`)
      for (const c of children) if (c.exitCode !== null) throw new Error(`a worker exited with ${c.exitCode}`)
      await new Promise((r) => setTimeout(r, 20))
      const row = await db.selectFrom("case_results").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
      done = Number(row.n)
      for (const k of [0, 1]) if (crossed[k] === null && done >= marks[k]!) crossed[k] = Date.now()
    }
    const end = Date.now()
    const first = await db.selectFrom("decisions").select((eb) => eb.fn.min<number>("at").as("at")).executeTakeFirstOrThrow()
    const start = Number(first.at)
    const cpu = children.reduce((n, c) => n + cpuMsOf(c.pid), 0) - cpu0
    return {
      rate: o.cases / ((end - start) / 1000),
      steady: (marks[1]! - marks[0]!) / ((crossed[1]! - crossed[0]!) / 1000),
      cpuMsPerRenewal: cpu / o.cases
    }
  } finally {
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null) return resolve()
      c.once("exit", () => resolve())
      c.kill("SIGTERM")
    })))
    await db.destroy()
    await store.close()
    await sandbox.close()
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin)
    await admin.destroy()
  }
}
