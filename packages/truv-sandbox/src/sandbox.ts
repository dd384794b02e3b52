/**
 * The Truv sandbox: a real HTTP server on loopback that behaves as Truv's documents say (see
 * truv-api-notes.md and the README's list of assumptions), with an admin API for tests, the
 * demo and benchmarks.
 *
 * @example
 * const sandbox = await TruvSandbox.start({ clock: { mode: "manual", start: "2026-11-22T10:00:00Z" } })
 * const lineage = sandbox.seedLineage({ orderType: "income", connections: [{ behaviour: "healthy" }] })
 * // point a TruvHttpGateway at sandbox.url with sandbox.clientId / sandbox.secret
 * await sandbox.idle()
 * sandbox.report().refreshes.accepted
 * await sandbox.close()
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { handleAdmin } from "./admin-routes.js"
import type { LinkBehaviour } from "./behaviour.js"
import { SandboxClients, type ClientOutcome, type ClientRequestKind } from "./clients/client-records.js"
import { type ClientAction, type ClientScript, type ClientScriptInput, ClientsConfig, type ClientsConfigInput } from "./clients/client-script.js"
import { SandboxClock, type SandboxClockMode } from "./clock.js"
import { SandboxEngine } from "./engine.js"
import { SandboxFaults, type SandboxFaultsInput } from "./faults.js"
import type { ReauthenticateOptions } from "./lineage-admin.js"
import type { ClosedLineage } from "./order-closing.js"
import type { ConnectionPayHistory } from "./pay/pay-records.js"
import type { PayHistorySpec } from "./pay/pay-spec.js"
import { notAcceptable, readJsonBody, slashRedirect } from "./http-checks.js"
import { PendingWork } from "./pending-work.js"
import { Prng } from "./prng.js"
import { type ClientCounts, EMPTY_CLIENT_COUNTS, ReportRecorder, type SandboxReport } from "./report.js"
import { SandboxRequestError } from "./request-error.js"
import { badGateway, badRequest, type SandboxResponse, serverError, throttled, unauthorized } from "./responses.js"
import type { SeededLineage } from "./seed.js"
import { SandboxState } from "./state.js"
import { isoMillis } from "./truv-time.js"
import { matchTruvRoute } from "./truv-routes.js"
import { ConnectionValidity, type ConnectionValidityInput } from "./validity.js"
import { type SentWebhook, WebhookDispatcher } from "./webhook-dispatcher.js"

export interface TruvSandboxOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number
  /** Loopback only by default. */
  readonly host?: string
  readonly clientId?: string
  /** The access secret clients must send, and the key webhooks are signed with. */
  readonly secret?: string
  /** PRNG seed: ids and every fault draw derive from it. */
  readonly seed?: number
  readonly clock?: { readonly mode?: SandboxClockMode | undefined; readonly start?: number | string | undefined }
  readonly faults?: SandboxFaultsInput
  /** Connection lifetimes by auth kind (default: OAuth 180 days, session-based 90; see validity.ts). */
  readonly connectionValidity?: ConnectionValidityInput
  /** How the cases' clients act when asked (clients/client-script.ts); default: nobody acts unless scripted. */
  readonly clients?: ClientsConfigInput
}

/** One client as the sandbox sees it: its script, each request made of it and what became of it. */
export interface SandboxClientInfo {
  /** The case's `order_number`. */
  readonly orderNumber: string
  /** Its own script; null: the configured default applies. */
  readonly script: ClientScript | null
  readonly requests: ReadonlyArray<{
    readonly kind: ClientRequestKind
    /** The order id, or the link id of a Bridge token. */
    readonly id: string
    readonly requestKey: string
    readonly createdAt: string
    /** Null: unscripted (the default `none`). */
    readonly action: ClientAction | null
    readonly actsAt: string | null
    readonly outcome: ClientOutcome
    readonly actedAt: string | null
    /** The client's earlier requests it could still act on when this one was made (two live links; `ClientCounts.overlapping`). */
    readonly liveAlongside: ReadonlyArray<string>
  }>
  readonly counts: ClientCounts
}

export const DEFAULT_SANDBOX_CLIENT_ID = "sandbox-client-id"
export const DEFAULT_SANDBOX_SECRET = "sandbox-0123456789abcdef"

export interface SandboxLinkInfo {
  readonly linkId: string
  readonly userId: string
  readonly behaviour: LinkBehaviour
  readonly authenticatedAt: string
  readonly lastStatus: string | null
  readonly refreshes: ReadonlyArray<string>
}

export class TruvSandbox {
  readonly clock: SandboxClock
  readonly clientId: string
  readonly secret: string
  private currentFaults: SandboxFaults
  private readonly recorder = new ReportRecorder()
  private readonly work = new PendingWork()
  private readonly dispatcher: WebhookDispatcher
  private readonly engine: SandboxEngine
  private readonly prng: Prng
  private readonly requestTimes: Array<number> = []
  private server: Server | null = null
  private baseUrl = ""

  private constructor(options: TruvSandboxOptions) {
    const start = options.clock?.start
    this.clock = new SandboxClock({
      ...(options.clock?.mode === undefined ? {} : { mode: options.clock.mode }),
      ...(start === undefined ? {} : { start: typeof start === "number" ? start : Date.parse(start) })
    })
    this.clientId = options.clientId ?? DEFAULT_SANDBOX_CLIENT_ID
    this.secret = options.secret ?? DEFAULT_SANDBOX_SECRET
    this.currentFaults = SandboxFaults.parse(options.faults ?? {})
    this.prng = new Prng(options.seed ?? 1)
    this.dispatcher = new WebhookDispatcher(() => this.currentFaults, this.secret, this.prng, this.work, this.recorder)
    this.engine = new SandboxEngine(
      new SandboxState(), this.clock, this.prng, this.work, this.recorder, this.dispatcher, () => this.currentFaults,
      ConnectionValidity.parse(options.connectionValidity ?? {}), new SandboxClients(ClientsConfig.parse(options.clients ?? {}), options.seed ?? 1)
    )
  }

  /** Starts the sandbox's HTTP server and resolves once it listens. */
  static async start(options: TruvSandboxOptions = {}): Promise<TruvSandbox> {
    const sandbox = new TruvSandbox(options)
    const server = createServer((req, res) => void sandbox.serve(req, res))
    // Node's client agent keeps a socket for the server's `Keep-Alive: timeout` hint minus one
    // second: at 1 s every request opened a new connection. 5 s is Node's default; `close()`
    // ends idle connections itself.
    server.keepAliveTimeout = 5_000
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve())
    })
    sandbox.server = server
    const address = server.address() as AddressInfo
    sandbox.baseUrl = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`
    return sandbox
  }

  /** Base URL to give the client (`http://127.0.0.1:<port>`); Truv's paths start with `/v1/`. */
  get url(): string {
    return this.baseUrl
  }

  get port(): number {
    return Number(new URL(this.baseUrl).port)
  }

  seedLineage(input: unknown = {}): SeededLineage {
    return this.engine.seedLineage(input)
  }

  setBehaviour(linkId: string, behaviour: unknown): LinkBehaviour {
    return this.engine.setBehaviour(linkId, behaviour)
  }

  /**
   * The user re-authenticated the link through Bridge. With `bridgeToken`, the token must have been
   * issued for the link's user (and this link, in update mode) less than 6 h ago of sandbox time:
   * otherwise a `SandboxRequestError` (400 `incorrect_parameters`, or 410 `expired_token`) and no change.
   */
  reauthenticate(linkId: string, options: ReauthenticateOptions = {}): ReturnType<SandboxEngine["reauthenticate"]> {
    return this.engine.reauthenticate(linkId, options)
  }

  completeOrder(orderId: string, connections: ReadonlyArray<unknown> = []): SeededLineage {
    return this.engine.completeOrder(orderId, connections)
  }

  /**
   * Cancels the lineage of `orderId` (any order of it): every order gets `canceled_at`, pending
   * suborders become `canceled`, and refreshes are refused with 400. Canceling again changes nothing.
   */
  cancelOrder(orderId: string): ClosedLineage {
    return this.engine.cancelOrder(orderId)
  }

  /** Finalizes the lineage of `orderId`: one `order-finalized` webhook, and refreshes are refused with 400. */
  finalizeOrder(orderId: string): ClosedLineage {
    return this.engine.finalizeOrder(orderId)
  }

  /**
   * A connection's pay history: by default what its link report shows (as of its last data pull),
   * with `at` the current spec's history at that instant. Recompute with `payHistoryAt(spec, seed, at)`.
   */
  payHistory(linkId: string, at?: string | number): ConnectionPayHistory {
    return this.engine.payHistory(linkId, at === undefined ? undefined : typeof at === "number" ? at : Date.parse(at))
  }

  /** Sets a pay knob (README, "Pay histories") for employment `employment` of the link (0: its first). */
  changePay(linkId: string, change: unknown, employment = 0): PayHistorySpec {
    return this.engine.changePay(linkId, change, employment)
  }

  /**
   * Scripts the client of the case whose `order_number` is `orderNumber` (replacing its script):
   * what it does with each later request (client-script.ts). Throws a zod error for a bad script.
   *
   * @example
   * sandbox.scriptClient("4138538", { kind: "completes", afterHours: 30 })
   * sandbox.scriptClient("4138539", { requests: [{ kind: "never" }, { kind: "completes", afterHours: 2 }] })
   */
  scriptClient(orderNumber: string, script: ClientScriptInput): SandboxClientInfo {
    this.engine.clients.script(orderNumber, script)
    return this.client(orderNumber)
  }

  /** The client of `orderNumber`: its script, its requests and their outcomes, its counts. */
  client(orderNumber: string): SandboxClientInfo {
    const r = this.engine.clients.find(orderNumber) ?? { script: null, requests: [] }
    const iso = (ms: number | null) => (ms === null ? null : isoMillis(ms))
    return {
      orderNumber, script: r.script,
      requests: r.requests.map((q) => ({
        kind: q.kind, id: q.id, requestKey: q.requestKey, createdAt: isoMillis(q.createdAt), action: q.action,
        actsAt: iso(q.actsAt), outcome: q.outcome, actedAt: iso(q.actedAt), liveAlongside: q.liveAlongside
      })),
      counts: { ...EMPTY_CLIENT_COUNTS, ...this.recorder.mutable.clients.byClient[orderNumber] }
    }
  }

  /** Every client the sandbox has heard of (scripted, or asked something), in the order first seen. */
  clients(): ReadonlyArray<SandboxClientInfo> {
    return this.engine.clients.all().map((r) => this.client(r.key))
  }

  link(linkId: string): SandboxLinkInfo {
    const link = this.engine.state.links.get(linkId)
    if (link === undefined) throw new Error(`unknown link ${linkId}`)
    return {
      linkId, userId: link.userId, behaviour: link.behaviour, authenticatedAt: isoMillis(link.authenticatedAt),
      lastStatus: link.lastStatus, refreshes: link.refreshes.map(isoMillis)
    }
  }

  configureFaults(faults: SandboxFaultsInput): SandboxFaults {
    this.currentFaults = SandboxFaults.parse({ ...this.currentFaults, ...faults })
    return this.currentFaults
  }

  faults(): SandboxFaults {
    return this.currentFaults
  }

  clockInfo(): { readonly now: string; readonly mode: SandboxClockMode } {
    return { now: isoMillis(this.clock.now()), mode: this.clock.mode }
  }

  report(): SandboxReport {
    return this.recorder.snapshot()
  }

  /** Every webhook event produced so far (delivered, dropped or with no URL configured). */
  webhooks(): ReadonlyArray<SentWebhook> {
    return [...this.dispatcher.produced]
  }

  /**
   * Resolves when every scheduled task completion and webhook delivery (with retries) is done and
   * no Truv request is in flight (one waiting inside injected latency included).
   */
  idle(): Promise<void> {
    return this.work.idle()
  }

  async close(): Promise<void> {
    this.work.close()
    this.dispatcher.close()
    const server = this.server
    this.server = null
    if (server === null) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Like Truv, every answer says when it was written (`Date`): on the sandbox's clock, so a
    // client can read the clock Truv's rules run on (issue 15).
    const send = (res: ServerResponse, response: SandboxResponse): void => sendAt(res, response, this.clock.now())
    try {
      const url = new URL(req.url ?? "/", "http://sandbox")
      const raw = await readBody(req)
      const method = req.method ?? "GET"
      if (url.pathname.startsWith("/_sandbox/")) {
        let body: unknown = undefined
        try {
          body = raw.length > 0 ? JSON.parse(raw) : undefined
        } catch {
          return send(res, badRequest([{ field: "body", message: "JSON parse error." }]))
        }
        return send(res, await this.admin(method, url.pathname, body))
      }
      const release = this.work.hold()
      try {
        const { response, processed, route } = await this.truv(req, method, url, raw)
        const losable = this.currentFaults.responseLossEndpoints.length === 0 || this.currentFaults.responseLossEndpoints.includes(route)
        if (processed && losable && this.prng.chance(this.currentFaults.responseLossRate)) {
          // Processed (a refresh accepted, counted, billed), then the answer is lost on the way.
          this.recorder.mutable.responsesLost += 1
          if (this.currentFaults.responseLossMode === "destroy") return void req.socket.destroy()
          return send(res, badGateway())
        }
        send(res, response)
      } finally {
        release()
      }
    } catch (e) {
      send(res, { status: 500, body: { error: { code: "sandbox_error", message: e instanceof Error ? e.message : String(e) } } })
    }
  }

  private async admin(method: string, path: string, body: unknown): Promise<SandboxResponse> {
    try {
      return await handleAdmin(this, method, path, body)
    } catch (e) {
      if (e instanceof SandboxRequestError) return { status: e.status, body: e.body }
      return { status: 400, body: { error: e instanceof Error ? e.message : String(e) } }
    }
  }

  /**
   * Answers a Truv-surface request in Truv's order (http-checks.ts): unknown path 404 and missing
   * trailing slash 301 (routing, before authentication), then 401, 429, injected 500, 405, 406,
   * and only then the body (415, 400). `processed` is true when it reached Truv's logic.
   */
  private async truv(req: IncomingMessage, method: string, url: URL, raw: string): Promise<{ readonly response: SandboxResponse; readonly processed: boolean; readonly route: string }> {
    const faults = this.currentFaults
    const spike = this.prng.chance(faults.latencySpikeRate)
    if (spike) this.recorder.mutable.latencySpikes += 1
    const delayMs = faults.latencyMs + (spike ? faults.latencySpikeMs : 0)
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
    const route = matchTruvRoute(method, url.pathname)
    const name = "name" in route ? route.name : `${method} ${url.pathname}`
    const refused = (response: SandboxResponse) => ({ response, processed: false, route: name })
    this.recorder.call(name)
    if (!("name" in route) && !route.notAllowed) return refused({ status: 404, body: { detail: "Not Found." } })
    if (!url.pathname.endsWith("/")) return refused(slashRedirect(url))
    const id = req.headers["x-access-client-id"]
    const secret = req.headers["x-access-secret"]
    if (id === undefined || secret === undefined) return refused(unauthorized("Authentication credentials were not provided."))
    if (id !== this.clientId || secret !== this.secret) return refused(unauthorized("Invalid client id or secret."))
    const retryAfter = this.throttle(faults.rateLimitPerMinute)
    if (retryAfter !== null) {
      this.recorder.mutable.throttled += 1
      return refused(throttled(retryAfter))
    }
    if (this.prng.chance(faults.errorRate)) {
      this.recorder.mutable.injectedErrors += 1
      return refused(serverError())
    }
    if (!("name" in route)) return refused({ status: 405, body: { detail: `Method "${method}" not allowed.` } })
    const refusal = notAcceptable(req)
    if (refusal !== null) return refused(refusal)
    const parsed = readJsonBody(req, method, raw)
    if (!parsed.ok) return refused(parsed.response)
    this.engine.sweep()
    return { response: route.handle(this.engine, parsed.body, url.searchParams), processed: true, route: name }
  }

  /** Truv's 300 requests per rolling minute per secret (real time): seconds to wait, or null. */
  private throttle(limit: number): number | null {
    const now = Date.now()
    while (this.requestTimes.length > 0 && this.requestTimes[0]! <= now - 60_000) this.requestTimes.shift()
    if (this.requestTimes.length >= limit) {
      const oldest = this.requestTimes[this.requestTimes.length - limit]!
      return Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000))
    }
    this.requestTimes.push(now)
    return null
  }
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const sendAt = (res: ServerResponse, response: SandboxResponse, nowMs: number): void => {
  // 301 and 204 (a deleted link) have no body.
  const text = response.status === 301 || response.status === 204 ? "" : JSON.stringify(response.body)
  res.writeHead(response.status, {
    "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), Date: new Date(nowMs).toUTCString(), ...response.headers
  })
  res.end(text)
}
