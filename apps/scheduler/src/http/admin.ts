/**
 * The operator's endpoints, `GET /health` and `GET /metrics`, and who may read them. They are
 * served on the admin bind (loopback by default, `admin.host`/`admin.port`), never on the public
 * webhook bind unless an admin token is configured; with a token, every admin request, on either
 * bind, must carry `Authorization: Bearer <token>` (compared in constant time), else 401.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import type { IncomingMessage } from "node:http"
import { Redacted } from "effect"
import type { RunStats } from "../runner/run-stats.js"
import { type PassStatusSample, renderMetrics } from "./metrics.js"

export const ADMIN_PATHS: ReadonlySet<string> = new Set(["/health", "/metrics"])

export interface AdminOptions {
  readonly stats: () => RunStats
  readonly health?: () => boolean
  /** A richer `/health` body (serve: database reachability, last pass); `ok: false` answers 503. */
  readonly healthDetail?: () => Promise<{ readonly ok: boolean } & Readonly<Record<string, unknown>>>
  /** What `/metrics` renders (default `stats()`): serve adds the passes before this one. */
  readonly metrics?: () => RunStats
  /** Run before `/metrics` renders (serve: its own writes read back from the ledger). */
  readonly beforeMetrics?: () => Promise<void>
  /** The last pass's status and the passes by status (serve), for `/metrics`. */
  readonly passStatus?: () => PassStatusSample | undefined
  /** Truv's clock minus ours as the Truv client reads it (`recert_truv_clock_skew_seconds`), when known. */
  readonly truvClockSkew?: () => { readonly skewMs: number | null }
  /** When set, asked of every admin request, and the admin endpoints are also served on the public bind. */
  readonly adminToken?: Redacted.Redacted<string> | undefined
}

export interface Answer { readonly status: number; readonly body: string; readonly type?: string; readonly headers?: Readonly<Record<string, string>> }

// Digests of equal length, so the comparison takes the same time whatever the token's length.
const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest()

/** True when the request carries the configured token (constant-time comparison). */
export const hasAdminToken = (req: IncomingMessage, token: Redacted.Redacted<string>): boolean => {
  const header = req.headers.authorization
  const given = header !== undefined && /^Bearer /i.test(header) ? header.slice(7).trim() : ""
  return timingSafeEqual(digest(given), digest(Redacted.value(token))) && given !== ""
}

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) })

/** The answer to a `GET` of one of ADMIN_PATHS, once access was granted. */
const serveAdmin = async (path: string, options: AdminOptions): Promise<Answer> => {
  if (path === "/metrics") await options.beforeMetrics?.().catch(() => undefined)
  if (path === "/metrics") return { status: 200, body: renderMetrics((options.metrics ?? options.stats)(), options.passStatus?.(), options.truvClockSkew?.().skewMs ?? null), type: "text/plain; version=0.0.4" }
  if (options.healthDetail !== undefined) {
    return options.healthDetail().then(
      (h) => json(h.ok ? 200 : 503, { status: h.ok ? "ok" : "unhealthy", ...h }),
      (e) => json(503, { status: "unhealthy", ok: false, error: String(e) })
    )
  }
  const ok = options.health?.() ?? true
  return json(ok ? 200 : 503, { status: ok ? "ok" : "stopping" })
}

/**
 * The answer to an admin path on a bind (`public`: the webhook listener), or null when the path
 * is not an admin one. Without a token the public bind answers 404, as for any unknown path.
 */
export const adminAnswer = (req: IncomingMessage, path: string, bind: "public" | "admin", options: AdminOptions): Promise<Answer> | null => {
  if (!ADMIN_PATHS.has(path)) return null
  const token = options.adminToken
  if (token === undefined && bind === "public") return Promise.resolve(json(404, { error: "not found" }))
  if (req.method !== "GET") return Promise.resolve(json(405, { error: "method not allowed" }))
  if (token !== undefined && !hasAdminToken(req, token)) {
    return Promise.resolve({ ...json(401, { error: "admin token required" }), headers: { "WWW-Authenticate": "Bearer" } })
  }
  return serveAdmin(path, options)
}
