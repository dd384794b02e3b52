/**
 * `TruvHttpGateway`: core's `TruvGateway` port implemented over the Truv HTTP client. The Layer
 * also provides `TruvClient` for what the port does not cover (order events, raw order JSON) and
 * `TruvClock` (Truv's clock, read from its answers).
 *
 * @example
 * const live = TruvHttpGateway.layer({ clientId: "…", secret: Redacted.make(process.env.TRUV_SECRET!) })
 * const fromEnv = TruvHttpGateway.layerConfig // TRUV_BASE_URL, TRUV_CLIENT_ID, TRUV_SECRET
 * program.pipe(Effect.provide(live))
 */
import { TaskStatus, Transport, type TruvBudget, TruvGateway, type TruvLinkState, type TruvOrder } from "@recert/core"
import { type Config, Effect, Layer } from "effect"
import { truvClientConfigFromEnv, type TruvClientConfig } from "./config.js"
import { fetchReportWith } from "../reports/fetch-report.js"
import { toTruvOrder } from "./order-mapping.js"
import { findSuborderTaskWith } from "./suborder-task.js"
import { TruvClient, type TruvClientApi, type TruvClock } from "./truv-client.js"

/** Pages of `GET /v1/orders/?order_number=` read at most (100 orders each) before giving up. */
export const ORDER_LOOKUP_MAX_PAGES = 5

/**
 * The orders whose `order_number` equals `orderNumber`, oldest first. The filter is undocumented
 * (truv-reports-notes §4), so the answer is checked here too: an order with another number is never
 * taken for ours, whatever Truv's filter does; a Truv that ignored it is read up to
 * `ORDER_LOOKUP_MAX_PAGES` pages.
 */
const findOrdersByNumber = (client: TruvClientApi, orderNumber: string) =>
  Effect.gen(function*() {
    const found: Array<TruvOrder> = []
    for (let page = 1; page <= ORDER_LOOKUP_MAX_PAGES; page++) {
      const r = yield* client.listOrders({ orderNumber, page, pageSize: 100 })
      for (const o of r.results) if (o.order_number === orderNumber) found.push(toTruvOrder(o))
      if (r.next == null || r.results.length === 0) break
    }
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  })

const selectors = (ids: ReadonlyArray<string> | undefined) => (ids === undefined ? undefined : ids.map((id) => ({ id })))

/** Builds the port's implementation from a client. */
export const gatewayFromClient = (client: TruvClientApi): TruvGateway["Service"] => ({
  refreshOrder: (request) => {
    const employers = selectors(request.employers)
    const financialAccounts = selectors(request.financialAccounts)
    return Effect.map(
      client.refreshOrder(request.orderId, {
        products: [request.product],
        ...(employers === undefined ? {} : { employers }),
        ...(financialAccounts === undefined ? {} : { financial_accounts: financialAccounts })
      }),
      toTruvOrder
    )
  },
  getOrder: (orderId) => Effect.map(client.getOrder(orderId), toTruvOrder),
  createOrder: (request) =>
    Effect.map(
      client.createOrder({
        products: request.products,
        first_name: request.firstName,
        last_name: request.lastName,
        ...(request.orderNumber === null ? {} : { order_number: request.orderNumber }),
        ...(request.email === undefined ? {} : { email: request.email }),
        ...(request.phone === undefined ? {} : { phone: request.phone }),
        ...(request.externalUserId === undefined ? {} : { external_user_id: request.externalUserId }),
        ...(request.suppressNotifications === true ? { notification_settings: { suppress_user_notifications: true } } : {})
      }),
      toTruvOrder
    ),
  createBridgeToken: (request) =>
    Effect.map(
      client.createBridgeToken(request.userId, {
        product_type: request.product, access_token: request.accessToken,
        ...(request.trackingInfo === undefined ? {} : { tracking_info: request.trackingInfo })
      }),
      (r) => ({ bridgeToken: r.bridge_token })
    ),
  findOrdersByNumber: (orderNumber) => findOrdersByNumber(client, orderNumber),
  cancelOrder: (orderId) => Effect.map(client.cancelOrder(orderId), toTruvOrder),
  createRefreshTask: (accessToken, product) => Effect.map(client.createRefreshTask(accessToken, product), (r) => ({ taskId: r.task_id })),
  getRefreshTask: (taskId) =>
    Effect.flatMap(client.getRefreshTask(taskId), (t) => {
      const status = TaskStatus.safeParse(t.status)
      // The port's status is core's closed enum; `TruvClient` keeps a status Truv adds later as sent.
      return status.success
        ? Effect.succeed({ id: t.id, status: status.data, createdAt: t.created_at })
        : Effect.fail(new Transport({ reachedTruv: true, message: "GET /v1/refresh/tasks/{id}/: status is not a known task status", invalidFields: ["status"] }))
    }),
  fetchReport: fetchReportWith(client),
  findSuborderTask: findSuborderTaskWith(client),
  linkState: (linkId, product) =>
    Effect.map(client.getLinkReportText(linkId, product === "income" ? "income" : "employment"), linkStateOf)
})

/**
 * The link's `status` and `finished_at` from its report's text (truv-reports-notes §1); a field
 * missing or not a string is null (the caller then does not take the link as re-authenticated).
 */
export const linkStateOf = (text: string): TruvLinkState => {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { status: null, finishedAt: null }
  }
  const field = (name: string): string | null => {
    const v = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined
    return typeof v === "string" ? v : null
  }
  return { status: field("status"), finishedAt: field("finished_at") }
}

const gateway = Layer.effect(TruvGateway, Effect.map(TruvClient, gatewayFromClient))

/** `TruvGateway` (and `TruvClient`, `TruvClock`) over `node:http`, for the given config; the process's own budget. */
const layer = (config: TruvClientConfig): Layer.Layer<TruvGateway | TruvClient | TruvClock> =>
  gateway.pipe(Layer.provideMerge(TruvClient.layer(config)))

/**
 * The same on core's `TruvBudget` as well: every process built on the same budget (the scheduler's
 * workers on one database) shares Truv's limit per secret and its `Retry-After`.
 */
const layerShared = (config: TruvClientConfig): Layer.Layer<TruvGateway | TruvClient | TruvClock, never, TruvBudget> =>
  gateway.pipe(Layer.provideMerge(TruvClient.layerShared(config)))

/** The same as `layer`, configured from `TRUV_BASE_URL` (optional), `TRUV_CLIENT_ID` and `TRUV_SECRET`. */
const layerConfig: Layer.Layer<TruvGateway | TruvClient | TruvClock, Config.ConfigError> = Layer.unwrap(Effect.map(truvClientConfigFromEnv, layer))

export const TruvHttpGateway = { layer, layerShared, layerConfig } as const
