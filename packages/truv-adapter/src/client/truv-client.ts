/**
 * The Truv HTTP client: every endpoint Recert uses, each response validated with zod, each
 * failure one of core's tagged errors. Every attempt takes a slot of the process-wide budget
 * (and, built with core's `TruvBudget`, a permit of the budget every process on the secret
 * shares) and has a timeout. Calls that may be repeated (GETs) are retried with capped exponential
 * backoff and jitter; every POST (refresh orders, refresh tasks, new orders, Bridge tokens, a
 * cancel) is re-sent only when it provably never reached Truv: Truv has no idempotency key
 * (truv-reports-notes §4), so a POST that creates something, sent twice, creates it twice (a
 * Bridge token asked again after a lost answer was a second token nobody ever saw). A link's
 * deletion (`DELETE`) is repeated like a GET: deleting a deleted link is a 404, read as done.
 * Every answer's `Date` header feeds the estimate of Truv's clock (`TruvClock`, clock-skew.ts).
 *
 * @example
 * const program = Effect.gen(function*() {
 *   const truv = yield* TruvClient
 *   const page = yield* truv.listOrderEvents("ord-1", { includeRefreshOrders: true })
 *   return page.results.length
 * }).pipe(Effect.provide(TruvClient.layer({ clientId: "id", secret: Redacted.make("sandbox-…") })))
 */
import { type Product, Transport, TruvBudget, type TruvError } from "@recert/core"
import { Clock, Context, Effect, Layer, Random, Redacted } from "effect"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { HttpClient, HttpClientRequest } from "effect/http"
import { z } from "zod"
import { backoffDelayMs } from "./backoff.js"
import { resolveConfig, type TruvClientConfig } from "./config.js"
import { mapErrorResponse } from "./error-mapping.js"
import { type ClockSkew, ClockSkewEstimator, truvTimeClock } from "./clock-skew.js"
import { blockBudget, budgetKey, takeBudget } from "./rate-budget.js"
import { makeSharedBudget, type SharedBudget } from "./shared-budget.js"
import {
  BridgeTokenJson, describeIssues, issuePaths, OrderEventsPageJson, OrderIdOnly, OrderJson, OrdersPageJson, RefreshTaskCreatedJson, RefreshTaskJson,
  TaskJson
} from "./schemas.js"
import { fromHttpClientError, timedOut } from "./transport.js"

/** A suborder selector of a refresh request: by id or by suborder number. */
export type SuborderSelector = { readonly id: string } | { readonly suborder_number: string }

export interface RefreshOrderBody {
  readonly products: readonly [Product]
  readonly employers?: ReadonlyArray<SuborderSelector>
  readonly financial_accounts?: ReadonlyArray<SuborderSelector>
}

export interface CreateOrderBody {
  readonly products: ReadonlyArray<Product>
  readonly first_name: string
  readonly last_name: string
  readonly order_number?: string
  readonly email?: string
  readonly phone?: string
  readonly external_user_id?: string
  /** `{ suppress_user_notifications: true }`: Truv sends no email/SMS (truv-reports-notes §3.3). */
  readonly notification_settings?: { readonly suppress_user_notifications: boolean }
  readonly employers?: ReadonlyArray<{ readonly company_name?: string; readonly company_mapping_id?: string }>
}

export interface BridgeTokenBody {
  readonly product_type: string
  readonly access_token?: Redacted.Redacted<string>
  readonly tracking_info?: string
}

/** Whether a failed call may be sent again. */
type RetryMode = "idempotent" | "only-if-unsent"

interface CallSpec<A> {
  readonly method: "GET" | "POST" | "DELETE"
  /** Path template for messages (`/v1/orders/{id}/`) and the real path. */
  readonly template: string
  readonly path: string
  readonly resource: string
  readonly body?: unknown
  readonly query?: Readonly<Record<string, string>>
  readonly retry: RetryMode
  readonly schema: z.ZodType<A>
  /** The answer is an order: when it fails validation, still report its `id` if it has one. */
  readonly salvageOrderId?: boolean
  /**
   * Hand the body over as text, unparsed (the report reads): a body that is not JSON is then a
   * report that cannot be read, named in the verification, not a failed call retried forever.
   */
  readonly text?: boolean
}

export interface TruvClientApi {
  refreshOrder(orderId: string, body: RefreshOrderBody): Effect.Effect<OrderJson, TruvError>
  getOrder(orderId: string): Effect.Effect<OrderJson, TruvError>
  createOrder(body: CreateOrderBody): Effect.Effect<OrderJson, TruvError>
  createBridgeToken(userId: string, body: BridgeTokenBody): Effect.Effect<BridgeTokenJson, TruvError>
  /** `GET /v1/orders/`, a page; `orderNumber` filters by `order_number` (the filter is an assumption, truv-reports-notes §4). */
  listOrders(options?: { readonly orderNumber?: string; readonly page?: number; readonly pageSize?: number }): Effect.Effect<OrdersPageJson, TruvError>
  /** `POST /v1/orders/{id}/cancel/`: the order after. */
  cancelOrder(orderId: string): Effect.Effect<OrderJson, TruvError>
  createRefreshTask(accessToken: Redacted.Redacted<string>, productType: string): Effect.Effect<{ readonly task_id: string }, TruvError>
  getRefreshTask(taskId: string): Effect.Effect<RefreshTaskJson, TruvError>
  listOrderEvents(orderId: string, options?: { readonly includeRefreshOrders?: boolean; readonly page?: number; readonly pageSize?: number }): Effect.Effect<OrderEventsPageJson, TruvError>
  /** `GET /v1/tasks/{id}/`: one task's status (any task: a refresh order's, a link refresh's, a Bridge login's). */
  getTask(taskId: string): Effect.Effect<TaskJson, TruvError>
  /** `GET /v1/orders/{id}/` as Truv sent it (text): the report read, validated by the report mapping. */
  getOrderText(orderId: string): Effect.Effect<string, TruvError>
  /**
   * `DELETE /v1/links/{link_id}/`: Truv removes the link and all its data and answers 204 with no
   * body (docs.truv.com/api-reference/links/delete_link_by_link_id). `not-found` when Truv has no
   * such link (already deleted: a retry after a lost 204 lands here). Safe to repeat.
   */
  deleteLink(linkId: string): Effect.Effect<"deleted" | "not-found", TruvError>
  /** `GET /v1/links/{link_id}/income/report/` or `.../employment/report/` as Truv sent it (text). */
  getLinkReportText(linkId: string, report: "income" | "employment"): Effect.Effect<string, TruvError>
}

const seg = (id: string): string => encodeURIComponent(id)

/** Truv's clock as the client reads it from the `Date` header of every answer (clock-skew.ts). */
export class TruvClock extends Context.Service<TruvClock, {
  /** The current estimate. */
  readonly skew: Effect.Effect<ClockSkew>
  /** The same, read synchronously (a `Clock` reads it at every call). */
  readonly skewUnsafe: () => ClockSkew
  /**
   * One cheap request (`GET /v1/webhooks/`, within the budget) to read Truv's `Date` now, when
   * nothing has been read yet; whatever Truv answers (even an error) carries it. Never fails.
   */
  readonly probe: Effect.Effect<ClockSkew>
  /** The newest answer's sample alone (Truv's clock minus ours, ms; null before any), read synchronously. */
  readonly latestUnsafe: () => number | null
}>()("@recert/truv-adapter/TruvClock") {}

/** What the client is built with besides its configuration. */
export interface TruvClientDeps {
  /** The budget every process on the secret shares (core's port); without it, the process's own. */
  readonly budget?: TruvBudget["Service"]
  /** Where the `Date` samples go; a fresh estimator when absent. */
  readonly clock?: ClockSkewEstimator
}

export const makeTruvClient = (config: TruvClientConfig, deps: TruvClientDeps = {}): Effect.Effect<TruvClientApi, never, HttpClient.HttpClient> =>
  Effect.map(makeTruvClientParts(config, deps), (parts) => parts.client)

const makeTruvClientParts = (config: TruvClientConfig, deps: TruvClientDeps) =>
  Effect.gen(function*() {
    const cfg = resolveConfig(config)
    const http = yield* HttpClient.HttpClient
    const key = budgetKey(cfg.secret)
    const estimator = deps.clock ?? new ClockSkewEstimator()
    // Our own clock, the one the client is built with: the `Date` samples are measured against it,
    // never against a clock already corrected by them (truv-time.ts provides that one to programs).
    const ownClock = yield* Clock.Clock
    // The shared budget's instants are Truv's time as measured (no deadband): every worker's the same.
    const budgetClock = truvTimeClock(ownClock, () => estimator.current.skewMs ?? 0)
    const shared: SharedBudget | null = deps.budget === undefined ? null
      : yield* makeSharedBudget(deps.budget, key, cfg.maxRequestsPerMinute, cfg.sharedBudget, budgetClock)
    // Truv answered, but not with what we expect: asking again would get the same answer.
    const invalidAnswers = new WeakSet<TruvError>()
    const invalidAnswer = (message: string, detail: { invalidFields?: ReadonlyArray<string>; orderId?: string } = {}): Effect.Effect<never, TruvError> => {
      const error = new Transport({ reachedTruv: true, message, ...detail })
      invalidAnswers.add(error)
      return Effect.fail(error)
    }

    const attempt = <A>(spec: CallSpec<A>): Effect.Effect<A, TruvError> => {
      const what = `${spec.method} ${spec.template}`
      const make = spec.method === "GET" ? HttpClientRequest.get : spec.method === "DELETE" ? HttpClientRequest.delete : HttpClientRequest.post
      let request = make(`${cfg.baseUrl}${spec.path}`).pipe(
        HttpClientRequest.setHeaders({
          "X-Access-Client-Id": cfg.clientId,
          "X-Access-Secret": Redacted.value(cfg.secret),
          Accept: "application/json"
        })
      )
      if (spec.query !== undefined) request = HttpClientRequest.setUrlParams(request, spec.query)
      if (spec.body !== undefined) request = HttpClientRequest.bodyText(request, JSON.stringify(spec.body), "application/json")
      const exchange = Effect.gen(function*() {
        const sentAt = ownClock.currentTimeMillisUnsafe()
        const response = yield* http.execute(request)
        const text = yield* response.text
        estimator.record(sentAt, ownClock.currentTimeMillisUnsafe(), response.headers["date"])
        if (estimator.shouldWarn(cfg.clockSkewWarningMs)) {
          const skew = estimator.current
          yield* Effect.logWarning(`Truv's clock differs from this machine's by ${((skew.skewMs ?? 0) / 1000).toFixed(1)} s (median of ${skew.samples} Date header(s)); check this machine's time (NTP)`)
        }
        return { status: response.status, text, retryAfter: response.headers["retry-after"], date: response.headers["date"] }
      }).pipe(
        Effect.mapError((e) => fromHttpClientError(e, what)),
        Effect.timeoutOrElse({ duration: cfg.timeoutMs, orElse: () => Effect.fail(timedOut(what, cfg.timeoutMs)) })
      )
      return Effect.gen(function*() {
        yield* takeBudget(key, cfg.maxRequestsPerMinute)
        if (shared !== null) yield* shared.take
        const r = yield* exchange
        // A `Retry-After` given as an HTTP date is on Truv's clock: read it against the answer's own `Date`.
        const answeredAt = r.date === undefined ? Number.NaN : Date.parse(r.date)
        const nowMs = Number.isFinite(answeredAt) ? answeredAt : Date.now()
        if (r.status < 200 || r.status >= 300) {
          const error = mapErrorResponse({ status: r.status, body: r.text, retryAfter: r.retryAfter, resource: spec.resource, nowMs })
          if (error._tag === "Throttled") {
            const afterMs = error.retryAfterMs ?? 1000
            blockBudget(key, (yield* Effect.clockWith((c) => c.currentTimeMillis)) + afterMs)
            if (shared !== null) yield* shared.block(afterMs)
          }
          return yield* Effect.fail(error)
        }
        // A text call's schema is `z.string()`: the body is its answer, read by the report mapping.
        if (spec.text === true) return r.text as A
        let json: unknown
        try {
          json = JSON.parse(r.text)
        } catch {
          return yield* invalidAnswer(`${what}: response is not JSON`)
        }
        const parsed = spec.schema.safeParse(json)
        if (!parsed.success) {
          // The body failed, but if it names the order, the order exists: say which (a refresh is billed).
          const salvaged = spec.salvageOrderId === true ? OrderIdOnly.safeParse(json) : undefined
          const orderId = salvaged?.success === true ? salvaged.data.id : undefined
          return yield* invalidAnswer(`${what}: unexpected response (${describeIssues(parsed.error)})${orderId === undefined ? "" : ` for order ${orderId}`}`, {
            invalidFields: issuePaths(parsed.error), ...(orderId === undefined ? {} : { orderId })
          })
        }
        return parsed.data
      })
    }

    const mayRetry = (error: TruvError, mode: RetryMode): boolean =>
      invalidAnswers.has(error)
        ? false
        : error._tag === "Transport" && !error.reachedTruv
        ? true
        : mode === "idempotent" && (error._tag === "Throttled" || error._tag === "ProviderUnavailable" || error._tag === "Transport")

    const call = <A>(spec: CallSpec<A>): Effect.Effect<A, TruvError> => {
      const loop = (n: number): Effect.Effect<A, TruvError> =>
        attempt(spec).pipe(Effect.catch((error: TruvError) => {
          if (n >= cfg.retry.maxRetries || !mayRetry(error, spec.retry)) return Effect.fail(error)
          // Throttled: the budget now blocks until Retry-After; the next attempt waits for it there.
          if (error._tag === "Throttled") return loop(n + 1)
          return Random.next.pipe(
            Effect.flatMap((r) => Effect.sleep(backoffDelayMs(n, cfg.retry.baseDelayMs, cfg.retry.maxDelayMs, r))),
            Effect.andThen(loop(n + 1))
          )
        }))
      return loop(0)
    }

    const client: TruvClientApi = {
      refreshOrder: (orderId, body) =>
        call({ method: "POST", template: "/v1/orders/{id}/", path: `/v1/orders/${seg(orderId)}/`, resource: `order ${orderId}`, body, retry: "only-if-unsent", schema: OrderJson, salvageOrderId: true }),
      getOrder: (orderId) =>
        call({ method: "GET", template: "/v1/orders/{id}/", path: `/v1/orders/${seg(orderId)}/`, resource: `order ${orderId}`, retry: "idempotent", schema: OrderJson, salvageOrderId: true }),
      createOrder: (body) =>
        call({ method: "POST", template: "/v1/orders/", path: "/v1/orders/", resource: "orders", body, retry: "only-if-unsent", schema: OrderJson, salvageOrderId: true }),
      createBridgeToken: (userId, body) =>
        call({
          method: "POST", template: "/v1/users/{id}/tokens/", path: `/v1/users/${seg(userId)}/tokens/`, resource: `user ${userId}`,
          body: { ...body, ...(body.access_token === undefined ? {} : { access_token: Redacted.value(body.access_token) }) },
          // Each processed request creates a token: a second one after a lost answer is a token
          // nobody sees (issue 15). Not billed, but never re-sent unless provably unsent.
          retry: "only-if-unsent", schema: BridgeTokenJson
        }),
      listOrders: (options = {}) =>
        call({
          method: "GET", template: "/v1/orders/", path: "/v1/orders/", resource: "orders",
          query: {
            ...(options.orderNumber === undefined ? {} : { order_number: options.orderNumber }),
            ...(options.page === undefined ? {} : { page: String(options.page) }),
            ...(options.pageSize === undefined ? {} : { page_size: String(options.pageSize) })
          },
          retry: "idempotent", schema: OrdersPageJson
        }),
      cancelOrder: (orderId) =>
        call({ method: "POST", template: "/v1/orders/{id}/cancel/", path: `/v1/orders/${seg(orderId)}/cancel/`, resource: `order ${orderId}`, retry: "only-if-unsent", schema: OrderJson }),
      createRefreshTask: (accessToken, productType) =>
        call({
          method: "POST", template: "/v1/refresh/tasks/", path: "/v1/refresh/tasks/", resource: "refresh task",
          body: { access_token: Redacted.value(accessToken), product_type: productType }, retry: "only-if-unsent", schema: RefreshTaskCreatedJson
        }),
      getRefreshTask: (taskId) =>
        call({ method: "GET", template: "/v1/refresh/tasks/{id}/", path: `/v1/refresh/tasks/${seg(taskId)}/`, resource: `refresh task ${taskId}`, retry: "idempotent", schema: RefreshTaskJson }),
      listOrderEvents: (orderId, options = {}) =>
        call({
          method: "GET", template: "/v1/orders/{id}/events/", path: `/v1/orders/${seg(orderId)}/events/`, resource: `order ${orderId}`,
          query: {
            ...(options.includeRefreshOrders === true ? { include_refresh_orders: "true" } : {}),
            ...(options.page === undefined ? {} : { page: String(options.page) }),
            ...(options.pageSize === undefined ? {} : { page_size: String(options.pageSize) })
          },
          retry: "idempotent", schema: OrderEventsPageJson
        }),
      getTask: (taskId) =>
        call({ method: "GET", template: "/v1/tasks/{id}/", path: `/v1/tasks/${seg(taskId)}/`, resource: `task ${taskId}`, retry: "idempotent", schema: TaskJson }),
      getOrderText: (orderId) =>
        call({ method: "GET", template: "/v1/orders/{id}/", path: `/v1/orders/${seg(orderId)}/`, resource: `order ${orderId}`, retry: "idempotent", schema: z.string(), text: true }),
      deleteLink: (linkId) =>
        call({ method: "DELETE", template: "/v1/links/{id}/", path: `/v1/links/${seg(linkId)}/`, resource: `link ${linkId}`, retry: "idempotent", schema: z.string(), text: true }).pipe(
          Effect.as("deleted" as const),
          Effect.catchTag("NotFound", () => Effect.succeed("not-found" as const))
        ),
      getLinkReportText: (linkId, report) =>
        call({
          method: "GET", template: `/v1/links/{id}/${report}/report/`, path: `/v1/links/${seg(linkId)}/${report}/report/`, resource: `link ${linkId}`,
          retry: "idempotent", schema: z.string(), text: true
        })
    }
    const probe: Effect.Effect<ClockSkew> = Effect.suspend(() => estimator.current.samples > 0
      ? Effect.succeed(estimator.current)
      : attempt({ method: "GET", template: "/v1/webhooks/", path: "/v1/webhooks/", resource: "webhooks", retry: "idempotent", schema: z.string(), text: true }).pipe(
        Effect.timeout(PROBE_TIMEOUT_MS), Effect.ignore, Effect.map(() => estimator.current)))
    return { client, clock: TruvClock.of({ skew: Effect.sync(() => estimator.current), skewUnsafe: () => estimator.current, probe, latestUnsafe: () => estimator.latest }) }
  })

/** How long the clock probe may take: at start-up, a Truv that does not answer must not hold the worker. */
const PROBE_TIMEOUT_MS = 5_000

const layerOf = <R>(config: TruvClientConfig, budget: Effect.Effect<TruvBudget["Service"] | undefined, never, R>): Layer.Layer<TruvClient | TruvClock, never, HttpClient.HttpClient | R> =>
  Layer.effectContext(Effect.gen(function*() {
    const b = yield* budget
    const parts = yield* makeTruvClientParts(config, b === undefined ? {} : { budget: b })
    return Context.make(TruvClient, parts.client).pipe(Context.add(TruvClock, parts.clock))
  }))

const nodeHttp = NodeHttpClient.layerNodeHttpOptions({ keepAlive: true })

/** The full Truv client as a service (more than core's port: order events, raw order JSON). */
export class TruvClient extends Context.Service<TruvClient, TruvClientApi>()("@recert/truv-adapter/TruvClient") {
  /** Needs an `HttpClient` (e.g. a test double). Also provides `TruvClock`. */
  static readonly layerWithHttp = (config: TruvClientConfig): Layer.Layer<TruvClient | TruvClock, never, HttpClient.HttpClient> =>
    layerOf(config, Effect.succeed(undefined))

  /**
   * Uses `node:http`/`https` with keep-alive connections (`NodeHttpClient.layerNodeHttpOptions`;
   * undici's layer crashes on Node 20). Against `fetch` this spends about half the CPU per call
   * and reuses connections instead of opening one per request.
   */
  static readonly layer = (config: TruvClientConfig): Layer.Layer<TruvClient | TruvClock> =>
    TruvClient.layerWithHttp(config).pipe(Layer.provide(nodeHttp))

  /**
   * The same client taking its permits from core's `TruvBudget` too (after this process's own):
   * every process built on the same budget (the scheduler's workers on one database) shares
   * Truv's 300 a minute, and a `Retry-After` reaches them all.
   */
  static readonly layerSharedWithHttp = (config: TruvClientConfig): Layer.Layer<TruvClient | TruvClock, never, HttpClient.HttpClient | TruvBudget> =>
    layerOf(config, Effect.map(TruvBudget, (b): TruvBudget["Service"] | undefined => b))

  static readonly layerShared = (config: TruvClientConfig): Layer.Layer<TruvClient | TruvClock, never, TruvBudget> =>
    TruvClient.layerSharedWithHttp(config).pipe(Layer.provide(nodeHttp))
}
