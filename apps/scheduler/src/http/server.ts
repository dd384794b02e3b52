/**
 * The scheduler's HTTP server: routes `POST /webhooks/truv` to the webhook receiver
 * (`webhook-receiver.ts`), answers `GET /health` and renders `GET /metrics` (`metrics.ts`). This
 * file owns the socket side: reading a body within its size limits, keep-alive timeouts, start and
 * close within a scope.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { Store } from "@recert/store"
import { WEBHOOK_SIGNATURE_HEADER } from "@recert/truv-adapter"
import { Effect, type Redacted, type Scope } from "effect"
import type { RunStats } from "../runner/run-stats.js"
import { renderMetrics } from "./metrics.js"
import { handleWebhook, WEBHOOK_PATH } from "./webhook-receiver.js"

const MAX_BODY = 1_000_000
const HARD_LIMIT = 64 * MAX_BODY

export interface ServerOptions {
  readonly port: number
  readonly host?: string
  readonly secret: Redacted.Redacted<string>
  readonly store: Store["Service"]
  readonly stats: () => RunStats
  readonly health?: () => boolean
  /** A richer `/health` body (serve: database reachability, last pass); `ok: false` answers 503. */
  readonly healthDetail?: () => Promise<{ readonly ok: boolean } & Readonly<Record<string, unknown>>>
  /** Called after an event was stored (newly): wakes the inbox consumer instead of its sleep. */
  readonly onStored?: () => void
  /** What `/metrics` renders (default `stats()`): serve adds the passes before this one. */
  readonly metrics?: () => RunStats
}

export interface RunningServer {
  readonly url: string
  readonly port: number
}

/**
 * Reads the body, keeping at most MAX_BODY bytes. A larger body is read to its end and dropped
 * (null), so the sender gets a 413 rather than a reset connection; past HARD_LIMIT the connection
 * is cut, so an endless body cannot hold it.
 */
const readBody = (req: IncomingMessage): Promise<Buffer | null> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
      else if (size > HARD_LIMIT) {
        resolve(null)
        req.destroy()
      }
    })
    req.on("end", () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)))
    req.on("error", reject)
  })

/** Starts the server for the lifetime of the scope. */
export const startServer = (options: ServerOptions): Effect.Effect<RunningServer, Error, Scope.Scope> =>
  // The receiver stamps `receivedAt` with the Clock of the scope that started it (the tests' clock,
  // else the system's), so the inbox compares instants from one clock.
  Effect.flatMap(Effect.clockWith(Effect.succeed), (clock) => Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const server: Server = createServer((req, res) => {
          const reply = (status: number, body: string, type = "application/json") => {
            res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) })
            res.end(body)
          }
          const path = new URL(req.url ?? "/", "http://receiver").pathname
          if (req.method === "GET" && path === "/health" && options.healthDetail !== undefined) {
            return void options.healthDetail().then(
              (h) => reply(h.ok ? 200 : 503, JSON.stringify({ status: h.ok ? "ok" : "unhealthy", ...h })),
              (e) => reply(503, JSON.stringify({ status: "unhealthy", ok: false, error: String(e) }))
            )
          }
          if (req.method === "GET" && path === "/health") {
            const ok = options.health?.() ?? true
            return reply(ok ? 200 : 503, JSON.stringify({ status: ok ? "ok" : "stopping" }))
          }
          if (req.method === "GET" && path === "/metrics") return reply(200, renderMetrics((options.metrics ?? options.stats)()), "text/plain; version=0.0.4")
          if (req.method !== "POST" || path !== WEBHOOK_PATH) return reply(404, JSON.stringify({ error: "not found" }))
          readBody(req).then(async (raw) => {
            if (raw === null) return reply(413, JSON.stringify({ error: "body too large" }))
            const r = await handleWebhook({ ...options, now: () => clock.currentTimeMillisUnsafe() }, raw, req.headers[WEBHOOK_SIGNATURE_HEADER])
            reply(r.status, r.body)
          }).catch(() => reply(500, JSON.stringify({ error: "receiver error" })))
        })
        // Longer than any client keeps an idle socket: closing first races with a reused connection.
        server.keepAliveTimeout = 65_000
        server.headersTimeout = 66_000
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject)
          server.listen(options.port, options.host ?? "127.0.0.1", () => resolve())
        })
        const address = server.address() as AddressInfo
        return { server, url: `http://${options.host ?? "127.0.0.1"}:${address.port}`, port: address.port }
      },
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }))
  ).pipe(Effect.map(({ url, port }): RunningServer => ({ url, port }))))
