/**
 * The sandbox's behaviour: Truv's endpoints as functions from a parsed request to a response,
 * over the in-memory state, plus the admin operations (seed, behaviours, re-authentication).
 * The HTTP server (sandbox.ts) only parses requests and writes these responses. The work lives
 * in one file per concern: refresh.ts, new-orders.ts, order-reads.ts, tasks.ts, lineage-admin.ts.
 */
import type { LinkBehaviour } from "./behaviour.js"
import type { SandboxClients } from "./clients/client-records.js"
import type { SandboxClock } from "./clock.js"
import type { EngineContext } from "./engine-context.js"
import type { SandboxFaults } from "./faults.js"
import * as admin from "./lineage-admin.js"
import * as closing from "./order-closing.js"
import { deleteLinkEndpoint } from "./link-deletion.js"
import * as newOrders from "./new-orders.js"
import * as expiry from "./order-expiry.js"
import * as reads from "./order-reads.js"
import { linkReport } from "./pay/link-reports.js"
import * as pay from "./pay/pay-records.js"
import type { PayHistorySpec } from "./pay/pay-spec.js"
import type { PendingWork } from "./pending-work.js"
import type { Prng } from "./prng.js"
import * as refresh from "./refresh.js"
import type { ReportRecorder } from "./report.js"
import type { SandboxResponse } from "./responses.js"
import type { SeededLineage } from "./seed.js"
import type { SandboxState } from "./state.js"
import * as tasks from "./tasks.js"
import type { ConnectionValidity } from "./validity.js"
import type { WebhookDispatcher } from "./webhook-dispatcher.js"

export class SandboxEngine {
  private readonly ctx: EngineContext

  constructor(
    readonly state: SandboxState,
    clock: SandboxClock,
    prng: Prng,
    work: PendingWork,
    report: ReportRecorder,
    webhooks: WebhookDispatcher,
    faults: () => SandboxFaults,
    validity: ConnectionValidity,
    readonly clients: SandboxClients
  ) {
    this.ctx = { state, clock, prng, work, report, webhooks, faults, validity, clients }
    clock.onMove(() => this.sweep())
  }

  private sweeping = false

  // ---------------------------------------------------------------- admin

  /** Creates a completed root order with connected links. No webhooks: nothing happened at Truv's side. */
  seedLineage(input: unknown): SeededLineage {
    return admin.seedLineage(this.ctx, input)
  }

  setBehaviour(linkId: string, behaviour: unknown): LinkBehaviour {
    return admin.setBehaviour(this.ctx, linkId, behaviour)
  }

  /**
   * The user re-authenticated the link through Bridge (update mode): authenticated now, healthy,
   * and Truv's initial pull completes (`task-status-updated: done`). Not a refresh: no slot used.
   */
  reauthenticate(linkId: string, options: admin.ReauthenticateOptions = {}): ReturnType<typeof admin.reauthenticate> {
    return admin.reauthenticate(this.ctx, linkId, options)
  }

  /** The user completed a new order (created with `POST /v1/orders/`): its suborders get links. */
  completeOrder(orderId: string, connections: ReadonlyArray<unknown> = []): SeededLineage {
    return admin.completeOrder(this.ctx, orderId, connections)
  }

  /** The whole lineage of `orderId` is canceled: it refuses refreshes from now on. */
  cancelOrder(orderId: string): closing.ClosedLineage {
    return closing.cancelLineage(this.ctx, orderId)
  }

  /** Truv finalizes the lineage of `orderId`: `order-finalized`, and no refresh from now on. */
  finalizeOrder(orderId: string): closing.ClosedLineage {
    return closing.finalizeLineage(this.ctx, orderId)
  }

  /** A pay knob from its date on (pay/pay-knobs.ts); `employment` 0 is the connection's first. */
  changePay(linkId: string, change: unknown, employment = 0): PayHistorySpec {
    return pay.changePay(this.state, linkId, change, employment)
  }

  payHistory(linkId: string, at?: number): pay.ConnectionPayHistory {
    return pay.connectionPayHistory(this.state, linkId, at)
  }

  // ---------------------------------------------------------------- Truv surface

  /** `GET /v1/links/{link_id}/income/report/` and `/employment/report/`. */
  linkReport(linkId: string, product: "income" | "employment"): SandboxResponse {
    return linkReport(this.ctx, linkId, product)
  }

  /**
   * Runs what sandbox time has reached, in the order of its instants: the clients' actions and
   * Truv's reminders (clients/), each after the orders that expired before it (order-expiry.ts).
   * Run when the clock moves and before each Truv request.
   */
  sweep(): void {
    if (this.sweeping) return
    this.sweeping = true
    try {
      const now = this.ctx.clock.now()
      for (let item = this.clients.takeDue(now); item !== undefined; item = this.clients.takeDue(now)) {
        expiry.sweepExpiredOrders(this.ctx, item.at)
        item.run()
      }
      expiry.sweepExpiredOrders(this.ctx, now)
    } finally {
      this.sweeping = false
    }
  }

  /** `POST /v1/orders/{id}/cancel/` (path from a third party, unverified: see the README). */
  cancelOrderEndpoint(id: string): SandboxResponse {
    return closing.cancelOrderEndpoint(this.ctx, id)
  }

  /** `DELETE /v1/links/{id}/` (link-deletion.ts): 204, and `link-deleted`. */
  deleteLink(id: string): SandboxResponse {
    return deleteLinkEndpoint(this.ctx, id)
  }

  getOrder(id: string): SandboxResponse {
    return reads.getOrder(this.ctx, id)
  }

  /** `POST /v1/orders/{id}/`: a data refresh order (truv-api-notes §1). */
  refreshOrder(id: string, body: unknown): SandboxResponse {
    return refresh.refreshOrder(this.ctx, id, body)
  }

  /** `POST /v1/orders/`: a new order, i.e. a new verification link for the user. */
  createOrder(body: unknown): SandboxResponse {
    return newOrders.createOrder(this.ctx, body)
  }

  /** `PATCH /v1/orders/{id}/` with `notification_settings`: Truv's messages off, or on (then sent now). */
  updateOrder(id: string, body: unknown): SandboxResponse {
    return newOrders.updateOrder(this.ctx, id, body)
  }

  /** `POST /v1/users/{user_id}/tokens/`: a Bridge token; with `access_token`, update mode. */
  createBridgeToken(userId: string, body: unknown): SandboxResponse {
    return newOrders.createBridgeToken(this.ctx, userId, body)
  }

  /** `POST /v1/refresh/tasks/`: refresh one link (truv-api-notes §2); same per-token limit. */
  createRefreshTask(body: unknown): SandboxResponse {
    return refresh.createRefreshTask(this.ctx, body)
  }

  getRefreshTask(id: string): SandboxResponse {
    return tasks.getRefreshTask(this.ctx, id)
  }

  /** `GET /v1/tasks/{id}/`: any task's status (how polling tells one failure from another). */
  getTask(id: string): SandboxResponse {
    return tasks.getTask(this.ctx, id)
  }

  /** `GET /v1/orders/`: the client's orders, newest first, paged; `order_number` filters exactly (an assumption: README). */
  listOrders(query: URLSearchParams): SandboxResponse {
    return reads.listOrders(this.ctx, query)
  }

  /** `GET /v1/orders/{id}/events/`; `include_refresh_orders=true` adds the lineage's refresh orders. */
  listOrderEvents(id: string, query: URLSearchParams): SandboxResponse {
    return reads.listOrderEvents(this.ctx, id, query)
  }
}
