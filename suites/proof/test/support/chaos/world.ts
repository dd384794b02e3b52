/**
 * One chaos run's world: the Truv sandbox (in this process, with its faults), the webhook
 * forwarder in front of the workers, the database (a Postgres database of its own, or a SQLite
 * file), and the cases seeded in both: what Truv knows and what Recert knows.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import { type ClientsConfigInput, TruvSandbox } from "@recert/truv-sandbox"
import Database from "better-sqlite3"
import { Effect, Redacted } from "effect"
import pg from "pg"
import { POSTGRES_URL } from "../postgres.js"

export const SECRET = "sandbox-proof-chaos-secret-0123456789"
const DAY = 86_400_000
/** The sandbox's faults in every scenario (each rate drawn from the run's seed). */
export const FAULTS = {
  errorRate: 0.08, latencyMs: 5, latencySpikeRate: 0.05, latencySpikeMs: 1500, responseLossRate: 0.05,
  webhookDuplicateRate: 0.2, webhookReorderRate: 0.2, webhookLossRate: 0.1, webhookRetryDelayMs: 300,
  completionDelayMs: 50, rateLimitPerMinute: 100_000
}
const BEHAVIOURS = ["healthy", "healthy", "healthy", "healthy", "login-error", "no-data"] as const

/** Rows come back from either database; every value the checks read is compared as text or number. */
export interface Db {
  readonly kind: "postgres" | "sqlite"
  /** What the apps get as `--db`. */
  readonly url: string
  query<T>(sql: string): Promise<Array<T>>
  /** Drops the Postgres database (nothing for SQLite: its directory is removed by the run). */
  dispose(): Promise<void>
}

/**
 * Connects a client of the harness's own, waiting (up to 60 s) while the server has no connection
 * slot left (53300 "too many clients": the runs' workers, the other suites' tests beside them) or
 * is starting (57P03), as the workers themselves do; a check must not fail for the moment's load.
 */
export const connectWaiting = async (make: () => pg.Client): Promise<pg.Client> => {
  const until = Date.now() + 60_000
  for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
    const client = make()
    client.on("error", () => undefined)
    try {
      await client.connect()
      return client
    } catch (e) {
      await client.end().catch(() => undefined)
      const code = (e as { code?: unknown }).code
      if ((code !== "53300" && code !== "57P03") || Date.now() + wait > until) throw e
      await new Promise((r) => setTimeout(r, wait))
    }
  }
}

/** A statement on the server's maintenance database (`DATABASE_URL` or the local `test`); its rows. */
export const adminQuery = async <T = Record<string, unknown>>(sql: string): Promise<Array<T>> => {
  const client = await connectWaiting(() => new pg.Client({ connectionString: POSTGRES_URL }))
  try {
    return (await client.query(sql)).rows as Array<T>
  } finally {
    await client.end()
  }
}

/**
 * A Postgres database of the run's own (the scheduler's configuration has no schema setting).
 * `ownRole`: the apps connect as a login role of the run's own (same name), which owns the
 * database, not as the superuser: a database's connection limit (`crowdedDatabase`, faults.ts)
 * holds only for roles that are not superusers, as in production. The harness's own queries stay
 * the superuser's, so its checks are not refused by the limit they test.
 */
export const postgresDb = async (name: string, options: { readonly ownRole?: boolean } = {}): Promise<Db> => {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  if (options.ownRole === true) {
    await adminQuery(`DROP ROLE IF EXISTS ${name}`)
    await adminQuery(`CREATE ROLE ${name} LOGIN NOSUPERUSER`)
  }
  await adminQuery(`CREATE DATABASE ${name}${options.ownRole === true ? ` OWNER ${name}` : ""}`)
  const admin = new URL(POSTGRES_URL)
  admin.pathname = `/${name}`
  const adminUrl = admin.toString()
  const apps = new URL(adminUrl)
  if (options.ownRole === true) apps.username = name
  return {
    kind: "postgres", url: apps.toString(),
    query: async <T>(sql: string) => {
      // A terminated backend (the Postgres outage) emits `error` on an idle client: not ours to crash on (connectWaiting listens).
      const client = await connectWaiting(() => new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 }))
      try {
        return (await client.query(sql)).rows as Array<T>
      } finally {
        await client.end().catch(() => undefined)
      }
    },
    dispose: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e: unknown) => console.warn(`drop ${name} failed`, e))
      if (options.ownRole === true) await adminQuery(`DROP ROLE IF EXISTS ${name}`).catch((e: unknown) => console.warn(`drop role ${name} failed`, e))
    }
  }
}

export const sqliteDb = (path: string): Db => ({
  kind: "sqlite", url: path,
  query: async <T>(sql: string) => {
    const db = new Database(path, { fileMustExist: true, timeout: 5000 })
    try {
      return db.prepare(sql).all() as Array<T>
    } finally {
      db.close()
    }
  },
  dispose: async () => undefined
})

export interface SeededCase {
  readonly caseId: string
  readonly rootOrderId: string
  readonly userId: string
  readonly linkIds: ReadonlyArray<string>
  readonly behaviour: string
}

/** The sandbox and the webhook forwarder in front of the workers (what every world has). */
export interface Truv {
  readonly sandbox: TruvSandbox
  /** webhook_id -> the status of every delivery the forwarder made. */
  readonly deliveries: Map<string, Array<number>>
  /** Where webhooks go: the ports of the receivers alive now (none: 502, the sandbox retries). */
  receivers: () => ReadonlyArray<number>
  close(): Promise<void>
}

export interface World extends Truv {
  readonly seed: number
  readonly key: string
  readonly cases: ReadonlyArray<SeededCase>
  /** The env every app process gets. */
  readonly env: Readonly<Record<string, string>>
}

/**
 * Starts the sandbox (with `FAULTS`, overridden by `options.faults`; its clients scripted by
 * `options.clients`) and the forwarder: like a load balancer, a random live worker; one that
 * refuses the connection (still starting, or just killed) never saw the request, so the next one
 * is tried. Any other failure is a 502.
 */
export const startTruv = async (seed: number, options: { readonly faults?: Partial<typeof FAULTS>; readonly clients?: ClientsConfigInput } = {}): Promise<Truv> => {
  const pick = (() => {
    let s = seed * 7919
    return (n: number) => {
      s = (s * 1103515245 + 12345) % 2147483648
      return s % n
    }
  })()
  const deliveries = new Map<string, Array<number>>()
  const truv: { receivers: () => ReadonlyArray<number> } = { receivers: () => [] }
  const forward = async (body: Buffer, sign: string): Promise<number> => {
    const targets = [...truv.receivers()]
    while (targets.length > 0) {
      const port = targets.splice(pick(targets.length), 1)[0]!
      const status = await fetch(`http://127.0.0.1:${port}/webhooks/truv`, {
        method: "POST", body, headers: { "content-type": "application/json", "x-webhook-sign": sign }, signal: AbortSignal.timeout(10_000)
      }).then((r) => r.status, (e: unknown) => ((e as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED" ? "refused" : 502))
      if (status !== "refused") return status
    }
    return 502
  }
  const forwarder: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      const id = (() => {
        try {
          return String((JSON.parse(body.toString("utf8")) as { webhook_id?: unknown }).webhook_id)
        } catch {
          return "?"
        }
      })()
      void forward(body, String(req.headers["x-webhook-sign"] ?? "")).then((status) => {
        deliveries.set(id, [...(deliveries.get(id) ?? []), status])
        res.writeHead(status).end()
      })
    })
  })
  await new Promise<void>((r) => forwarder.listen(0, "127.0.0.1", r))
  const sandbox = await TruvSandbox.start({
    secret: SECRET, seed, ...(options.clients === undefined ? {} : { clients: options.clients }),
    faults: { ...FAULTS, ...options.faults, webhookUrl: `http://127.0.0.1:${(forwarder.address() as AddressInfo).port}/webhooks/truv` }
  })
  return Object.assign(truv, {
    sandbox, deliveries,
    close: async () => {
      await sandbox.close()
      await new Promise<void>((r) => forwarder.close(() => r()))
    }
  })
}

/** The env every app process of a world gets. */
export const appEnv = (sandbox: TruvSandbox, key: string): Readonly<Record<string, string>> =>
  ({ TRUV_BASE_URL: sandbox.url, TRUV_CLIENT_ID: sandbox.clientId, TRUV_SECRET: SECRET, RECERT_ENCRYPTION_KEY: key, TRUV_TIMEOUT_MS: "5000", RECERT_SHUTDOWN_GRACE: "2s" })

/** Starts the sandbox and the forwarder, and seeds `cases` cases due now in both the sandbox and `db`. */
export const makeWorld = async (seed: number, cases: number, db: Db): Promise<World> => {
  const truv = await startTruv(seed)
  const { sandbox } = truv
  const key = Redacted.value(generateEncryptionKey())
  const now = sandbox.clock.now()
  const seeded: Array<SeededCase> = []
  const items = Array.from({ length: cases }, (_, i) => {
    const behaviour = BEHAVIOURS[i % BEHAVIOURS.length]!
    const s = sandbox.seedLineage({
      orderType: "income", gse: false, createdAt: new Date(now - 30 * DAY).toISOString(),
      connections: Array.from({ length: 1 + (i % 2) }, () => ({ behaviour, authenticatedAt: new Date(now - 20 * DAY).toISOString() }))
    })
    const caseId = `chaos-case-${String(i).padStart(3, "0")}`
    seeded.push({ caseId, rootOrderId: s.orderId, userId: s.userId, linkIds: s.connections.map((c) => c.linkId), behaviour })
    return {
      lineage: {
        rootOrderId: s.orderId, orderType: "income" as const, gse: false, orderNumber: s.orderNumber, userId: s.userId,
        orders: [{ id: s.orderId, parentId: null, createdAt: new Date(now - 30 * DAY).toISOString() }],
        connections: s.connections.map((c) => ({ id: c.linkId, suborderId: c.suborderId, suborderNumber: c.suborderNumber, kind: c.kind, provider: c.provider, authKind: c.authKind, authenticatedAt: c.authenticatedAt }))
      },
      accessTokens: Object.fromEntries(s.connections.map((c) => [c.linkId, Redacted.make(c.accessToken)])),
      cases: [{ id: caseId, dueAt: new Date(now + DAY).toISOString(), cycle: "annual" as const, rootOrderId: s.orderId }]
    }
  })
  if (new Set(seeded.map((c) => c.userId)).size !== seeded.length) throw new Error("the sandbox gave two lineages one user: the checks tell refresh orders apart by user")
  await insertCases(db, key, items)
  return Object.assign(truv, { seed, key, cases: seeded, env: appEnv(sandbox, key) })
}

/** Creates the database's schema under `key` and imports `items` (what `recert cases import` stores). */
export const insertCases = (db: Db, key: string, items: Parameters<Store["Service"]["insertBulk"]>[0]): Promise<void> =>
  Effect.runPromise(Effect.gen(function*() {
    yield* (yield* Store).insertBulk(items)
  }).pipe(Effect.provide(SqlStore.layer({ url: db.url, encryptionKey: Redacted.make(key), create: true }))))
