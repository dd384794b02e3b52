/**
 * The sandbox's read-only account of what happened: calls per endpoint, refreshes accepted and
 * rejected (limit violations attempted apart), verifications billed and free, webhooks. This is
 * what end-to-end tests and benchmarks assert on ("no limit violations, no wasted billing").
 */

export interface VerificationCount {
  billed: number
  free: number
  /** Refreshes that ended `no_data`: not billed. */
  notBilled: number
}

export interface LimitViolation {
  readonly at: string
  readonly orderId: string | null
  readonly linkIds: ReadonlyArray<string>
}

/** What the sandbox did for and with one client (a case's `order_number`; clients/client-script.ts). */
export interface ClientCounts {
  /** New orders (`POST /v1/orders/`) and Bridge tokens (`POST /v1/users/{id}/tokens/`) created for the client. */
  orders: number
  tokens: number
  /** Orders of the client canceled (`POST /v1/orders/{id}/cancel/` or admin). */
  canceled: number
  /** Truv's messages to the client: the first notification of an order (per channel) and its reminders. */
  initialMessages: number
  reminders: number
  completed: number
  reauthenticated: number
  alreadyConnected: number
  /** Acted on a request that had expired or was canceled: nothing happened. */
  tooLate: number
  /** Orders whose messages could not be delivered (suborders `error`). */
  undelivered: number
  /**
   * Requests made of the client while an earlier one it could still act on was live (issue 16,
   * "exactly once"): a new order while another of its orders was open (not completed, canceled,
   * expired or closed), a Bridge token for a link while an earlier token for the same link was
   * within its 6 h and unused. A replacement made after the previous request closed is not one.
   * The client then holds two live links for one renewal: 0 is the goal.
   */
  overlapping: number
}

export interface OrderMessages {
  readonly orderNumber: string | null
  readonly clientKey: string
  initial: number
  reminders: number
}

export interface ClientsReport {
  readonly ordersCreated: number
  readonly tokensCreated: number
  readonly ordersCanceled: number
  /** Every message Truv sent to a client, by kind and by channel (one per channel per notification). */
  readonly messages: { readonly initial: number; readonly reminders: number; readonly email: number; readonly sms: number }
  /**
   * Requests (a full `order_number`, `<case>/<key>`) whose client got the first notification of
   * more than one order: the client was messaged twice for one request. 0 is the goal.
   */
  readonly requestsMessagedTwice: number
  /** Requests made while an earlier live one of the same client could still be acted on (`ClientCounts.overlapping`), in all. */
  readonly overlapping: number
  readonly actions: { readonly completed: number; readonly reauthenticated: number; readonly alreadyConnected: number; readonly tooLate: number; readonly undelivered: number }
  readonly byClient: Readonly<Record<string, ClientCounts>>
  readonly byOrder: Readonly<Record<string, OrderMessages>>
}

export interface SandboxReport {
  readonly calls: Readonly<Record<string, number>>
  readonly refreshes: {
    readonly accepted: number
    readonly rejectedForLimit: number
    readonly rejectedOther: number
    readonly acceptedByLink: Readonly<Record<string, number>>
  }
  /** Refresh requests that would have exceeded a token's 24 h limit (rejected, not counted). */
  readonly limitViolationsAttempted: number
  readonly limitViolations: ReadonlyArray<LimitViolation>
  readonly verifications: VerificationCount & {
    readonly byLineage: Readonly<Record<string, VerificationCount>>
    readonly byLink: Readonly<Record<string, VerificationCount>>
  }
  readonly tasks: { readonly created: number; readonly byStatus: Readonly<Record<string, number>> }
  readonly webhooks: {
    readonly events: number
    readonly sent: number
    readonly delivered: number
    readonly duplicated: number
    readonly dropped: number
    readonly reordered: number
    readonly failed: number
  }
  readonly ordersCreated: number
  readonly refreshOrdersCreated: number
  readonly bridgeTokensIssued: number
  /** Re-authentications refused because their Bridge token was older than 6 h (410 `expired_token`). */
  readonly expiredBridgeTokensRefused: number
  /** Lineages canceled (admin or `POST /v1/orders/{id}/cancel/`) and finalized (admin). */
  readonly lineagesCanceled: number
  readonly lineagesFinalized: number
  readonly injectedErrors: number
  /** Requests processed whose answer was then lost (`responseLossRate`): socket destroyed or 502. */
  readonly responsesLost: number
  /** Requests that got `latencySpikeMs` of extra delay (`latencySpikeRate`). */
  readonly latencySpikes: number
  readonly throttled: number
  /** The clients' side (issue 16): requests made of them, Truv's messages, what they did. */
  readonly clients: ClientsReport
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] }

const emptyCount = (): VerificationCount => ({ billed: 0, free: 0, notBilled: 0 })

export const EMPTY_CLIENT_COUNTS: Readonly<ClientCounts> = {
  orders: 0, tokens: 0, canceled: 0, initialMessages: 0, reminders: 0, completed: 0, reauthenticated: 0, alreadyConnected: 0, tooLate: 0, undelivered: 0, overlapping: 0
}

const emptyClient = (): ClientCounts => ({ ...EMPTY_CLIENT_COUNTS })

export type ClientCounter = "orders" | "tokens" | "canceled" | "completed" | "reauthenticated" | "alreadyConnected" | "tooLate" | "undelivered" | "overlapping"

/** Mutable counters behind the report; `snapshot()` returns a deep copy. */
export class ReportRecorder {
  private data: Mutable<SandboxReport> = ReportRecorder.empty()

  static empty(): Mutable<SandboxReport> {
    return {
      calls: {},
      refreshes: { accepted: 0, rejectedForLimit: 0, rejectedOther: 0, acceptedByLink: {} },
      limitViolationsAttempted: 0,
      limitViolations: [],
      verifications: { billed: 0, free: 0, notBilled: 0, byLineage: {}, byLink: {} },
      tasks: { created: 0, byStatus: {} },
      webhooks: { events: 0, sent: 0, delivered: 0, duplicated: 0, dropped: 0, reordered: 0, failed: 0 },
      ordersCreated: 0,
      refreshOrdersCreated: 0,
      bridgeTokensIssued: 0,
      expiredBridgeTokensRefused: 0,
      lineagesCanceled: 0,
      lineagesFinalized: 0,
      injectedErrors: 0,
      responsesLost: 0,
      latencySpikes: 0,
      throttled: 0,
      clients: {
        ordersCreated: 0, tokensCreated: 0, ordersCanceled: 0, messages: { initial: 0, reminders: 0, email: 0, sms: 0 },
        requestsMessagedTwice: 0, overlapping: 0, actions: { completed: 0, reauthenticated: 0, alreadyConnected: 0, tooLate: 0, undelivered: 0 }, byClient: {}, byOrder: {}
      }
    }
  }

  get mutable(): Mutable<SandboxReport> {
    return this.data
  }

  call(endpoint: string): void {
    this.data.calls[endpoint] = (this.data.calls[endpoint] ?? 0) + 1
  }

  refreshAccepted(linkIds: ReadonlyArray<string>): void {
    this.data.refreshes.accepted += 1
    for (const id of linkIds) this.data.refreshes.acceptedByLink[id] = (this.data.refreshes.acceptedByLink[id] ?? 0) + 1
  }

  limitViolation(violation: LimitViolation): void {
    this.data.refreshes.rejectedForLimit += 1
    this.data.limitViolationsAttempted += 1
    this.data.limitViolations.push({ ...violation, linkIds: [...violation.linkIds] })
  }

  verification(rootId: string | null, linkId: string, kind: keyof VerificationCount): void {
    const v = this.data.verifications
    v[kind] += 1
    if (rootId !== null) (v.byLineage[rootId] ??= emptyCount())[kind] += 1
    ;(v.byLink[linkId] ??= emptyCount())[kind] += 1
  }

  taskStatus(status: string): void {
    this.data.tasks.byStatus[status] = (this.data.tasks.byStatus[status] ?? 0) + 1
  }

  /** One more of `counter` for client `clientKey` (and in the totals). */
  client(clientKey: string, counter: ClientCounter): void {
    const c = this.data.clients
    ;(c.byClient[clientKey] ??= emptyClient())[counter] += 1
    if (counter === "orders") c.ordersCreated += 1
    else if (counter === "tokens") c.tokensCreated += 1
    else if (counter === "canceled") c.ordersCanceled += 1
    else if (counter === "overlapping") c.overlapping += 1
    else c.actions[counter] += 1
  }

  /** Truv sent a message about `orderId` to its client on `channel`: the order's first notification, or a reminder. */
  message(order: { readonly id: string; readonly orderNumber: string | null }, clientKey: string, channel: "email" | "sms", kind: "initial" | "reminder"): void {
    const c = this.data.clients
    const counts = (c.byClient[clientKey] ??= emptyClient())
    const byOrder = (c.byOrder[order.id] ??= { orderNumber: order.orderNumber, clientKey, initial: 0, reminders: 0 })
    c.messages[channel] += 1
    if (kind === "reminder") {
      c.messages.reminders += 1
      counts.reminders += 1
      byOrder.reminders += 1
      return
    }
    c.messages.initial += 1
    counts.initialMessages += 1
    byOrder.initial += 1
    if (order.orderNumber === null || byOrder.initial > 1) return
    // A second order of one request (the same full order_number) messaged: counted once per request.
    const messaged = Object.entries(c.byOrder).filter(([, o]) => o.orderNumber === order.orderNumber && o.initial > 0).length
    if (messaged === 2) c.requestsMessagedTwice += 1
  }

  snapshot(): SandboxReport {
    return structuredClone(this.data)
  }

  reset(): void {
    this.data = ReportRecorder.empty()
  }
}
