/**
 * The Truv gateway port: what the renewal workflow needs from Truv. `@recert/truv-adapter`
 * provides the HTTP implementation as a Layer; `makeInMemoryTruvGateway` (in-memory-truv.ts) serves
 * tests. Every failure is one of the tagged errors below, so a caller can act on each.
 */
import { Context, type Effect, type Redacted, Schema } from "effect"
import type { Product, TaskStatus } from "../model/primitives.js"
import type { IncomeSnapshot } from "../results/income-snapshot.js"

/** Truv refused the refresh: "Refresh limit for the access_token exceeded". Not counted. */
export class RefreshLimitExceeded extends Schema.TaggedError<RefreshLimitExceeded>()("RefreshLimitExceeded", {
  message: Schema.String
}) {}
/** 429 `throttled`: the 300 requests/minute budget. `retryAfterMs` from `Retry-After` when given. */
export class Throttled extends Schema.TaggedError<Throttled>()("Throttled", {
  retryAfterMs: Schema.NullOr(Schema.Number),
  message: Schema.String
}) {}
/** 404: the id does not exist or belongs to another client. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  resource: Schema.String,
  message: Schema.String
}) {}
/** 400: Truv's per-field messages in `fields` (from `error.extra.invalid-params`). */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  code: Schema.String,
  message: Schema.String,
  fields: Schema.Array(Schema.Struct({ field: Schema.String, message: Schema.String }))
}) {}
/** 401 / 403: wrong or missing credentials, or no permission. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  status: Schema.Number,
  message: Schema.String
}) {}
/** 5xx from Truv, or a provider that is down. Safe to retry later. */
export class ProviderUnavailable extends Schema.TaggedError<ProviderUnavailable>()("ProviderUnavailable", {
  status: Schema.NullOr(Schema.Number),
  message: Schema.String
}) {}
/**
 * The call failed below HTTP (connection refused, timeout, reset, a response that does not
 * validate). `reachedTruv` is false only when the request provably never left (e.g. connection
 * refused): only then may a refresh POST be sent again.
 *
 * A 2xx answer whose body fails validation also sets `invalidFields` (the failing field paths,
 * never their values) and, when the body still gave an order's `id`, `orderId`: Truv created
 * that order (for a refresh POST, a billed refresh), so the caller records it.
 */
export class Transport extends Schema.TaggedError<Transport>()("Transport", {
  reachedTruv: Schema.Boolean,
  message: Schema.String,
  invalidFields: Schema.optionalKey(Schema.Array(Schema.String)),
  orderId: Schema.optionalKey(Schema.String)
}) {}

export type TruvError = RefreshLimitExceeded | Throttled | NotFound | InvalidRequest | Unauthorized | ProviderUnavailable | Transport

/** One employer / financial account of a Truv order, as the workflow needs it. */
export interface TruvSuborder {
  readonly id: string
  readonly suborderNumber: string | null
  readonly linkId: string | null
  readonly status: string
  readonly kind: "employer" | "financial_account"
  /**
   * What a completed suborder of a NEW order gives the lineage that moves to it (issue 16): the
   * connection's access token (a credential: Redacted, encrypted by the store), its provider and
   * data source, and when it completed. Absent where a reader does not need them.
   */
  readonly accessToken?: Redacted.Redacted<string> | null
  readonly provider?: string | null
  readonly dataSource?: string | null
  readonly completedAt?: string | null
}

/** A Truv order, reduced to what the workflow reads. */
export interface TruvOrder {
  readonly id: string
  readonly orderNumber: string | null
  readonly userId: string | null
  readonly initialOrder: string | null
  readonly refreshOrder: string | null
  readonly products: ReadonlyArray<string>
  readonly createdAt: string
  readonly isExpired: boolean
  readonly canceledAt: string | null
  readonly shareUrl: string | null
  readonly suborders: ReadonlyArray<TruvSuborder>
}

export interface RefreshOrderRequest {
  /** The newest order id of the lineage. */
  readonly orderId: string
  readonly product: Product
  /** Suborder ids of employers to refresh (omit for all). */
  readonly employers?: ReadonlyArray<string>
  readonly financialAccounts?: ReadonlyArray<string>
}

export interface NewOrderRequest {
  readonly products: ReadonlyArray<Product>
  readonly firstName: string
  readonly lastName: string
  readonly orderNumber: string | null
  /** Where Truv sends the link (truv-reports-notes §3.3); absent with `suppressNotifications`. */
  readonly email?: string
  /** E.164; Truv sends the link by SMS. */
  readonly phone?: string
  /** The agency's id of the client, the same on every order (Truv-side user continuity, §3.4). */
  readonly externalUserId?: string
  /**
   * Truv sends nothing to the client (`notification_settings.suppress_user_notifications`): the
   * agency delivers the order's `share_url` itself.
   */
  readonly suppressNotifications?: boolean
}

export interface BridgeTokenRequest {
  readonly userId: string
  readonly accessToken: Redacted.Redacted<string>
  readonly product: Product
  /** Sent as the token's `tracking_info` (truv-api-notes §6.1): the scheduler's own key of the request. */
  readonly trackingInfo?: string
}

/** A link refresh task (`/v1/refresh/tasks/`). */
export interface RefreshTask {
  readonly id: string
  readonly status: TaskStatus
  readonly createdAt: string
}

/**
 * A task as `GET /v1/tasks/{id}/` gives it (truv-api-notes §2), reduced to what tells one
 * failure from another: `status` as Truv sent it (an open enum: the workflow reads it against
 * core's `TaskStatus`) and what the task belongs to.
 */
export interface TruvTask {
  readonly id: string
  readonly status: string
  readonly linkId: string | null
  readonly orderId: string | null
}

/** One connection of a refresh order, as `findSuborderTask` looks it up. */
export interface SuborderRef {
  readonly orderId: string
  readonly suborderId: string
  readonly linkId: string | null
}

/** What to read once an order (a refresh) has finished: its report, for the case's verification. */
export interface ReportRequest {
  /** The order that finished (for a refresh: the NEW order id). */
  readonly orderId: string
  /** The product refreshed: `income` reads the income report; any other product the employment report. */
  readonly product: Product
  /** The instant of the read (ISO); it becomes the snapshot's `fetchedAt`. */
  readonly fetchedAt: string
  /**
   * Read these links' reports instead of the order's completed suborders (issue 16: a Bridge
   * re-authentication's initial pull, which no order of ours records as completed). The order is
   * not read; `orderId` only names the snapshot's source.
   */
  readonly linkIds?: ReadonlyArray<string>
}

/**
 * The order's report: core's provider-neutral snapshot and Truv's JSON as read (the order and the
 * link reports after it). A payload that cannot be read (not the shape, another order's) is NOT an
 * error: it is a snapshot with no employers and a blocking `DataIssue` naming the field, so the
 * classification says `review: report.not-usable` instead of the caller crashing or, worse,
 * counting a silently wrong income. The error channel is for Truv not answering (retry later).
 */
export interface FetchedReport {
  readonly snapshot: IncomeSnapshot
  readonly raw: unknown
}

/**
 * A link as its own report shows it (`GET /v1/links/{link_id}/income/report/`, truv-reports-notes
 * §1: `status`, `done` = usable; `finished_at`, when the link's last task finished). A client who
 * re-authenticated through Bridge leaves the link `done`, finished then: how a re-authentication
 * whose webhook was lost is found (issue 16). Null fields: Truv's report did not carry them.
 */
export interface TruvLinkState {
  readonly status: string | null
  readonly finishedAt: string | null
}

/**
 * @example
 * const program = Effect.gen(function*() {
 *   const truv = yield* TruvGateway
 *   const order = yield* truv.refreshOrder({ orderId: "ord-1", product: "income" })
 *   return order.id
 * })
 */
export class TruvGateway extends Context.Service<TruvGateway, {
  refreshOrder(request: RefreshOrderRequest): Effect.Effect<TruvOrder, TruvError>
  getOrder(orderId: string): Effect.Effect<TruvOrder, TruvError>
  createOrder(request: NewOrderRequest): Effect.Effect<TruvOrder, TruvError>
  /** Never repeated by the gateway unless the request provably never left (a token is created each time Truv processes it). */
  createBridgeToken(request: BridgeTokenRequest): Effect.Effect<{ readonly bridgeToken: string }, TruvError>
  /**
   * The orders whose `order_number` is exactly `orderNumber` (`GET /v1/orders/?order_number=`,
   * truv-reports-notes §4), oldest first: how a new order whose answer was lost is found by the
   * key the scheduler put in its order number, before another is created.
   */
  findOrdersByNumber(orderNumber: string): Effect.Effect<ReadonlyArray<TruvOrder>, TruvError>
  /** `POST /v1/orders/{id}/cancel/` (truv-reports-notes §4): the order as it is after. */
  cancelOrder(orderId: string): Effect.Effect<TruvOrder, TruvError>
  createRefreshTask(accessToken: Redacted.Redacted<string>, product: Product): Effect.Effect<{ readonly taskId: string }, TruvError>
  getRefreshTask(taskId: string): Effect.Effect<RefreshTask, TruvError>
  /** Reads a finished order's report (truv-reports-notes §1: the order, then each completed connection's report). */
  fetchReport(request: ReportRequest): Effect.Effect<FetchedReport, TruvError>
  /**
   * The task behind one connection of a refresh order, for a suborder whose status says only
   * `error` (the order JSON does not say which failure): the order's events name the connection's
   * task (`GET /v1/orders/{id}/events/`, its latest event with a `task_id`), and the task says
   * which failure (`GET /v1/tasks/{id}/`). Null when no event names a task for it (yet).
   */
  findSuborderTask(ref: SuborderRef): Effect.Effect<TruvTask | null, TruvError>
  /** The link's state from its own report (`TruvLinkState`): `income` reads the income report, any other product the employment report. */
  linkState(linkId: string, product: Product): Effect.Effect<TruvLinkState, TruvError>
}>()("@recert/core/TruvGateway") {}
