/**
 * The Truv requests the model sends, event by event, as the product sends them (issue 18: the
 * table's peak requests per minute must be the product's). Not parameters: each count is what the
 * scheduler's code does for the event, read from it (apps/scheduler/src, decision 177), and
 * `apps/scheduler/test/simulator-model-clients.test.ts` checks them kind by kind and night by
 * night against the sandbox's count of the requests the real scheduler made. The deployment
 * modelled is the one the model's clock assumes: one pass a night at 02:00 (`run` nightly, or
 * `serve --interval 24h`) with the webhook receiver, so Truv's webhooks are processed as they
 * arrive (`serve` between passes) and clients are reached by `truv-sends` (a new order; the
 * default).
 *
 * | event | requests | when | the product's code |
 * |---|---|---|---|
 * | a refresh | 1 refresh order (`POST /v1/orders/{id}/`; also when Truv refuses a 4th in 24 h) | the pass | `send-refresh.ts` |
 * | its outcome `done` | 1 order read + 1 report read (`GET /v1/orders/{id}/`, `GET /v1/links/{id}/{product}/report/`) | the pass (its webhook) | `follow-up.ts` → `record-verification.ts` → `fetchReport` |
 * | its outcome a failure | nothing (a login error's link is a link) | | `follow-up.ts` |
 * | a link | 1 new order (`POST /v1/orders/`) | the pass | `queue-verification.ts` |
 * | a link open at a later pass, not expiring in it | 1 order read | each pass | recovery's `request-check` (`jobs/request-check.ts`: open new orders older than 1 h, once per 6 h) |
 * | a link at its expiry | 1 order read (then a replacement's new order, or the escalation) | the pass | the request sweep's `expiry-at-truv.ts` (a cancel only when the order is still open at Truv: never here, Truv's expiry is ours) |
 * | a client's answer | 2 order reads + 1 report read | the client's login (its webhook) | `follow-request.ts` `followNewOrder` (the order, then `fetchReport`) |
 *
 * Every case has one connection, so one report a verification. Webhooks that need no read (an
 * order's `expired` after the sweep expired its request, a refresh's task events) cost nothing.
 */

/** What a request is, as the tables and the check group them (the sandbox's endpoints, both report products as one). */
export type TruvRequestKind = "refreshOrders" | "newOrders" | "orderReads" | "reportReads"

export const TRUV_REQUEST_KINDS: ReadonlyArray<TruvRequestKind> = ["refreshOrders", "newOrders", "orderReads", "reportReads"]

/** Requests by kind, and their sum. */
export type TruvRequestCounts = Readonly<Record<TruvRequestKind | "total", number>>

/** The requests each event of the model costs (see the table at the top). */
export const REQUESTS_PER_EVENT = {
  refresh: { refreshOrders: 1 },
  refreshDone: { orderReads: 1, reportReads: 1 },
  link: { newOrders: 1 },
  openLinkAtPass: { orderReads: 1 },
  linkAtExpiry: { orderReads: 1 },
  answer: { orderReads: 2, reportReads: 1 }
} as const satisfies Readonly<Record<string, Partial<Record<TruvRequestKind, number>>>>

export type TruvRequestEvent = keyof typeof REQUESTS_PER_EVENT

/**
 * Counts requests by kind.
 *
 * @example
 * const t = new RequestTally()
 * t.add(REQUESTS_PER_EVENT.answer)
 * t.counts() // { refreshOrders: 0, newOrders: 0, orderReads: 2, reportReads: 1, total: 3 }
 */
export class RequestTally {
  private readonly n: Record<TruvRequestKind, number> = { refreshOrders: 0, newOrders: 0, orderReads: 0, reportReads: 0 }

  /** Adds an event's requests; returns how many. */
  add(requests: Partial<Record<TruvRequestKind, number>>): number {
    let sum = 0
    for (const k of TRUV_REQUEST_KINDS) {
      const x = requests[k] ?? 0
      this.n[k] += x
      sum += x
    }
    return sum
  }

  counts(): TruvRequestCounts {
    return { ...this.n, total: TRUV_REQUEST_KINDS.reduce((a, k) => a + this.n[k], 0) }
  }
}
