/**
 * The sandbox's in-memory world: orders (each knowing its lineage root), their suborders,
 * links with access tokens and the instants of their accepted refreshes, and tasks.
 */
import type { AuthKind, Product, TaskStatus } from "@recert/core"
import type { LinkBehaviour } from "./behaviour.js"
import type { PayRecord } from "./pay/pay-record.js"

export interface SandboxLink {
  readonly id: string
  readonly accessToken: string
  readonly userId: string
  /** Truv's provider object on the suborder (`{ id, name, logo_url }`); `name` is what tests seed. */
  readonly provider: { readonly id: string; readonly name: string; readonly logoUrl: string }
  readonly dataSource: "payroll" | "financial_accounts"
  readonly authKind: AuthKind
  authenticatedAt: number
  /** The connection's own lifetime from its seed (validity.ts): undefined follows the rule, null never expires. */
  readonly validityDays?: number | null | undefined
  /**
   * The `tracking_info` of the Bridge token the link was made with. For a link made through an
   * order, Truv tells integrators it is the order's `employer_id`: the suborder's id.
   */
  trackingInfo: string | null
  behaviour: LinkBehaviour
  /** Instants of every refresh Truv accepted for this access token (rejected ones are not here). */
  readonly refreshes: Array<number>
  lastStatus: TaskStatus | null
}

export type SuborderStatus = "pending" | "sent" | "completed" | "error" | "canceled" | "expired" | "no_data" | "skipped"

export interface SandboxSuborder {
  readonly id: string
  readonly suborderNumber: string
  readonly kind: "employer" | "financial_account"
  linkId: string | null
  status: SuborderStatus
  readonly createdAt: number
  /** When the suborder reached `completed` (the user connected, or a refresh task ended `done`). */
  completedAt?: number
  readonly companyName: string
}

export interface OrderEvent {
  readonly type: string
  readonly orderId: string
  readonly isRefresh: boolean
  readonly timestamp: number
  readonly suborderId: string | null
  readonly taskId: string | null
  readonly linkId: string | null
}

export interface SandboxOrder {
  readonly id: string
  readonly rootId: string
  readonly parentId: string | null
  readonly orderNumber: string | null
  readonly products: ReadonlyArray<Product>
  readonly userId: string
  readonly firstName: string
  readonly lastName: string
  readonly email: string | null
  /** The client's phone for Truv's SMS (new orders; null when not given). */
  readonly phone?: string | null
  /** `notification_settings.suppress_user_notifications` (new orders): Truv sends nothing; `PATCH` turns it off. */
  suppressNotifications?: boolean
  /** When Truv first notified the client (email/SMS) about this order; null or absent: never. */
  notifiedAt?: number | null
  /** Created with `POST /v1/orders/` (a new order, a verification link for the client), not seeded or a refresh. */
  readonly isNewOrder?: boolean
  readonly createdAt: number
  updatedAt: number
  readonly expiredAt: number
  canceledAt: number | null
  /** Set on every order of a lineage when the lineage is finalized (Truv's order JSON has no such field). */
  finalizedAt: number | null
  refreshOrder: string | null
  /** Set when the order's expiry was announced (order-expiry.ts), for an order without suborders. */
  expiryAnnounced?: boolean
  readonly initialOrder: string | null
  readonly suborders: Array<SandboxSuborder>
  /** Set on the root when seeded: the lineage has GSE free re-verifications. */
  readonly gse: boolean
  readonly bridgeToken: string
  readonly events: Array<OrderEvent>
}

export interface SandboxTask {
  readonly id: string
  readonly linkId: string
  /** The refresh order the task belongs to; null for a link refresh task. */
  readonly orderId: string | null
  readonly suborderId: string | null
  readonly product: Product
  readonly createdAt: number
  /** Sent as `tracking_info` on the task's webhooks: the refresh order's suborder id, or the link's. */
  readonly trackingInfo: string | null
  status: TaskStatus
  /** The terminal status decided when the refresh was accepted. */
  readonly outcome: TaskStatus
  readonly free: boolean
}

/** A Bridge token issued by `POST /v1/users/{user_id}/tokens/` (bridge-tokens.ts checks them). */
export interface IssuedBridgeToken {
  readonly userId: string
  /** The link of the `access_token` it was issued with (update mode); null for a plain token. */
  readonly linkId: string | null
  readonly issuedAt: number
  /** What the caller passed as `tracking_info`; a link re-authenticated with the token carries it. */
  readonly trackingInfo: string | null
}

export class SandboxState {
  readonly orders = new Map<string, SandboxOrder>()
  readonly links = new Map<string, SandboxLink>()
  readonly linksByToken = new Map<string, SandboxLink>()
  readonly tasks = new Map<string, SandboxTask>()
  readonly users = new Set<string>()
  /** Bridge tokens issued by `POST /v1/users/{user_id}/tokens/` (orders' own tokens live on the order). */
  readonly bridgeTokens = new Map<string, IssuedBridgeToken>()
  /** Refresh order ids per lineage root, oldest first. */
  readonly refreshOrdersByRoot = new Map<string, Array<string>>()
  /** Truv users by the caller's `external_user_id` (a user persists across orders with the same one). */
  readonly usersByExternalId = new Map<string, string>()
  /** Pay histories of payroll connections, by link id (pay/pay-records.ts). */
  readonly payRecords = new Map<string, PayRecord>()

  addLink(link: SandboxLink): void {
    this.links.set(link.id, link)
    this.linksByToken.set(link.accessToken, link)
    this.users.add(link.userId)
  }

  lineageOrders(rootId: string): Array<SandboxOrder> {
    const ids = [rootId, ...(this.refreshOrdersByRoot.get(rootId) ?? [])]
    return ids.flatMap((id) => {
      const order = this.orders.get(id)
      return order === undefined ? [] : [order]
    })
  }
}
