/**
 * The scheduler's HTTP server: the public bind routes `POST /webhooks/truv` to the webhook
 * receiver (`webhook-receiver.ts`); the admin bind (loopback by default) answers `GET /health`
 * and `GET /metrics` (`admin.ts`), which the public bind serves only behind an admin token. This
 * file owns the sockets: both binds get the limits of `limits.ts` (timeouts, a connection cap, a
 * body cap answered 413 early), and both start and close with a scope.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { Store } from "@recert/store"
import { WEBHOOK_SIGNATURE_HEADER } from "@recert/truv-adapter"
import { type Clock, Effect, type Redacted, type Scope } from "effect"
import { adminAnswer, type AdminOptions, type Answer } from "./admin.js"
import { declaredTooLarge, DEFAULT_HTTP_LIMITS, type HttpLimits, httpServerOptions, readBody, refuseTooLarge } from "./limits.js"
import { handleWebhook, WEBHOOK_PATH } from "./webhook-receiver.js"

export interface ServerOptions extends AdminOptions {
  readonly port: number
  readonly host?: string
  readonly secret: Redacted.Redacted<string>
  readonly store: Store["Service"]
  /** Called after an event was stored (newly): wakes the inbox consumer instead of its sleep. */
  readonly onStored?: () => void
  /** Both binds' limits (default DEFAULT_HTTP_LIMITS). */
  readonly limits?: HttpLimits
  /** Where `/health` and `/metrics` are served; absent: no admin bind (only the token opens them). */
  readonly admin?: { readonly host: string; readonly port: number }
}

export interface RunningServer {
  readonly url: string
  readonly port: number
  /** The admin bind's URL and port, when there is one. */
  readonly adminUrl?: string
  readonly adminPort?: number
}

type Bind = "public" | "admin"

const notFound: Answer = { status: 404, body: JSON.stringify({ error: "not found" }) }

const handler = (bind: Bind, options: ServerOptions, limits: HttpLimits, clock: Clock.Clock): RequestListener<typeof IncomingMessage> => (req, res) => {
  const reply = (a: Answer) => {
    res.writeHead(a.status, { "Content-Type": a.type ?? "application/json", "Content-Length": Buffer.byteLength(a.body), ...a.headers })
    res.end(a.body)
  }
  const path = new URL(req.url ?? "/", "http://receiver").pathname
  const admin = adminAnswer(req, path, bind, options)
  if (admin !== null) return void admin.then(reply)
  if (bind === "admin" || req.method !== "POST" || path !== WEBHOOK_PATH) return reply(notFound)
  if (declaredTooLarge(req, limits)) return refuseTooLarge(req, res, limits)
  readBody(req, limits).then(async (raw) => {
    if (raw === null) return refuseTooLarge(req, res, limits)
    const r = await handleWebhook({ ...options, now: () => clock.currentTimeMillisUnsafe() }, raw, req.headers[WEBHOOK_SIGNATURE_HEADER])
    reply(r)
  }).catch(() => reply({ status: 500, body: JSON.stringify({ error: "receiver error" }) }))
}

/** One listener for the lifetime of the scope. */
const listen = (bind: Bind, port: number, host: string, options: ServerOptions, limits: HttpLimits, clock: Clock.Clock) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const onRequest = handler(bind, options, limits, clock)
        const server: Server = createServer(httpServerOptions(limits), onRequest)
        server.maxConnections = limits.maxConnections
        // `Expect: 100-continue`: a body declared too large is refused before the client sends it.
        server.on("checkContinue", (req, res) => {
          if (declaredTooLarge(req, limits)) return refuseTooLarge(req, res, limits)
          res.writeContinue()
          onRequest(req, res)
        })
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject)
          server.listen(port, host, () => resolve())
        })
        return { server, port: (server.address() as AddressInfo).port }
      },
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }))
  ).pipe(Effect.map(({ port: bound }) => ({ url: `http://${host}:${bound}`, port: bound })))

/** Starts the public bind, and the admin bind when one is given, for the lifetime of the scope. */
export const startServer = (options: ServerOptions): Effect.Effect<RunningServer, Error, Scope.Scope> =>
  // The receiver stamps `receivedAt` with the Clock of the scope that started it (the tests' clock,
  // else the system's), so the inbox compares instants from one clock.
  Effect.gen(function*() {
    const clock = yield* Effect.clockWith(Effect.succeed)
    const limits = options.limits ?? DEFAULT_HTTP_LIMITS
    const main = yield* listen("public", options.port, options.host ?? "127.0.0.1", options, limits, clock)
    if (options.admin === undefined) return main
    const admin = yield* listen("admin", options.admin.port, options.admin.host, options, limits, clock)
    return { ...main, adminUrl: admin.url, adminPort: admin.port }
  })
