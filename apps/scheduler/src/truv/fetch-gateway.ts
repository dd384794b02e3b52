/**
 * A small HTTP `TruvGateway` over `fetch`, used until `@recert/truv-adapter` exports its own
 * Layer (then this file goes). It maps responses to core's tagged errors exactly as
 * truv-api-notes §5.3 says (the refresh limit by its message text, 429 `throttled` with
 * `Retry-After`), retries only idempotent GETs on 5xx and transport failures, and never retries
 * a refresh POST: an ambiguous POST is `Transport{reachedTruv:true}` and reconciled by the caller.
 */
import {
  InvalidRequest, NotFound, ProviderUnavailable, RefreshLimitExceeded, Throttled, Transport, type TruvError, TruvGateway,
  type TruvOrder, Unauthorized, type TaskStatus
} from "@recert/core"
import { Effect, Layer, Redacted } from "effect"

export interface FetchGatewayConfig {
  readonly baseUrl: string
  readonly clientId: string
  readonly secret: Redacted.Redacted<string>
  readonly timeoutMs?: number
  /** Retries of a GET after a 5xx or a transport failure. Default 3. */
  readonly getRetries?: number
}

interface Suborder { id: string; suborder_number?: string | null; link_id?: string | null; status?: string }
interface OrderJson {
  id: string; order_number?: string | null; user_id?: string | null; initial_order?: string | null; refresh_order?: string | null
  products?: Array<string>; created_at: string; is_expired?: boolean; canceled_at?: string | null; share_url?: string | null
  employers?: Array<Suborder>; financial_accounts?: Array<Suborder>
}

const toOrder = (j: OrderJson): TruvOrder => ({
  id: j.id, orderNumber: j.order_number ?? null, userId: j.user_id ?? null, initialOrder: j.initial_order ?? null,
  refreshOrder: j.refresh_order ?? null, products: j.products ?? [], createdAt: j.created_at, isExpired: j.is_expired ?? false,
  canceledAt: j.canceled_at ?? null, shareUrl: j.share_url ?? null,
  suborders: [
    ...(j.employers ?? []).map((s) => ({ id: s.id, suborderNumber: s.suborder_number ?? null, linkId: s.link_id ?? null, status: s.status ?? "pending", kind: "employer" as const })),
    ...(j.financial_accounts ?? []).map((s) => ({ id: s.id, suborderNumber: s.suborder_number ?? null, linkId: s.link_id ?? null, status: s.status ?? "pending", kind: "financial_account" as const }))
  ]
})

const mapError = (status: number, text: string, retryAfter: string | null, resource: string): TruvError => {
  let message = `HTTP ${status} from Truv`
  let code = `http_${status}`
  let fields: Array<{ field: string; message: string }> = []
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; extra?: { "invalid-params"?: Array<{ field: string; message: string }> } }; detail?: string }
    message = body.error?.message ?? body.detail ?? message
    code = body.error?.code ?? code
    fields = body.error?.extra?.["invalid-params"] ?? []
  } catch { /* not JSON: keep the status line */ }
  if (message.toLowerCase().includes("refresh limit for the access_token exceeded")) return new RefreshLimitExceeded({ message })
  if (status === 429) {
    const seconds = retryAfter === null ? NaN : Number(retryAfter)
    return new Throttled({ retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : null, message })
  }
  if (status === 404) return new NotFound({ resource, message: `${resource}: ${message}` })
  if (status === 401 || status === 403) return new Unauthorized({ status, message })
  if (status >= 500) return new ProviderUnavailable({ status, message })
  return new InvalidRequest({ code, message, fields })
}

export const makeFetchGateway = (config: FetchGatewayConfig): TruvGateway["Service"] => {
  const timeoutMs = config.timeoutMs ?? 30_000
  const call = <A>(method: "GET" | "POST", path: string, body: unknown, resource: string): Effect.Effect<A, TruvError> =>
    Effect.tryPromise({
      try: async (signal) => {
        let response: Response
        try {
          response = await fetch(`${config.baseUrl}${path}`, {
            method,
            headers: {
              "Content-Type": "application/json", Accept: "application/json",
              "X-Access-Client-Id": config.clientId, "X-Access-Secret": Redacted.value(config.secret)
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
          })
        } catch (e) {
          // Refused connections provably never reached Truv; anything else might have.
          const cause = (e as { cause?: { code?: string } }).cause?.code
          throw new Transport({ reachedTruv: cause !== "ECONNREFUSED", message: `${method} ${path}: ${e instanceof Error ? e.message : String(e)}` })
        }
        const text = await response.text().catch(() => "")
        if (!response.ok) throw mapError(response.status, text, response.headers.get("retry-after"), resource)
        try {
          return JSON.parse(text) as A
        } catch {
          throw new Transport({ reachedTruv: true, message: `${method} ${path}: response is not JSON` })
        }
      },
      catch: (e) => (typeof e === "object" && e !== null && "_tag" in e ? e as TruvError : new Transport({ reachedTruv: true, message: String(e) }))
    })
  const get = <A>(path: string, resource: string): Effect.Effect<A, TruvError> =>
    call<A>("GET", path, undefined, resource).pipe(
      Effect.retry({
        times: config.getRetries ?? 3,
        while: (e) => e._tag === "ProviderUnavailable" || e._tag === "Transport"
      })
    )
  return TruvGateway.of({
    refreshOrder: (r) => Effect.map(call<OrderJson>("POST", `/v1/orders/${r.orderId}/`, {
      products: [r.product],
      ...(r.employers === undefined ? {} : { employers: r.employers.map((id) => ({ id })) }),
      ...(r.financialAccounts === undefined ? {} : { financial_accounts: r.financialAccounts.map((id) => ({ id })) })
    }, `order ${r.orderId}`), toOrder),
    getOrder: (id) => Effect.map(get<OrderJson>(`/v1/orders/${id}/`, `order ${id}`), toOrder),
    createOrder: (r) => Effect.map(call<OrderJson>("POST", "/v1/orders/", {
      products: r.products, first_name: r.firstName, last_name: r.lastName,
      ...(r.orderNumber === null ? {} : { order_number: r.orderNumber }), ...(r.email === undefined ? {} : { email: r.email })
    }, "orders"), toOrder),
    createBridgeToken: (r) => Effect.map(call<{ bridge_token: string }>("POST", `/v1/users/${r.userId}/tokens/`, {
      product_type: r.product, access_token: Redacted.value(r.accessToken)
    }, `user ${r.userId}`), (j) => ({ bridgeToken: j.bridge_token })),
    createRefreshTask: (token, product) => Effect.map(call<{ task_id: string }>("POST", "/v1/refresh/tasks/", {
      access_token: Redacted.value(token), product_type: product
    }, "refresh task"), (j) => ({ taskId: j.task_id })),
    getRefreshTask: (id) => Effect.map(get<{ id: string; status: TaskStatus; created_at: string }>(`/v1/refresh/tasks/${id}/`, `task ${id}`),
      (j) => ({ id: j.id, status: j.status, createdAt: j.created_at }))
  })
}

export const fetchGatewayLayer = (config: FetchGatewayConfig): Layer.Layer<TruvGateway> =>
  Layer.succeed(TruvGateway, makeFetchGateway(config))
