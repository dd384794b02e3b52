/**
 * The order lineage: the root Truv order, the chain of refresh orders made from it, and the
 * connections (Truv links) of its employers and financial accounts. This is what the rules read
 * about the world besides the ledger.
 */
import { z } from "zod"
import { AuthKind, Id, Instant, OrderType, TaskStatus } from "./primitives.js"

/** One order of the lineage: the root (`parentId: null`) or a refresh made from the previous one. */
export const LineageOrder = z.object({
  id: Id,
  parentId: Id.nullable(),
  createdAt: Instant
})
export type LineageOrder = z.infer<typeof LineageOrder>

/**
 * One connection (Truv link) of the lineage: an employer (`employer`) or a bank account
 * (`financial_account`) with its own access token, which is what Truv's refresh limit counts.
 *
 * @example
 * Connection.parse({
 *   id: "link-1", suborderId: "emp-1", kind: "employer", provider: "adp", authKind: "oauth",
 *   authenticatedAt: "2026-09-01T00:00:00Z", lastTaskStatus: "done"
 * })
 */
export const Connection = z.object({
  /** The Truv link id; also the key of the per-access-token refresh limit. */
  id: Id,
  /** The employer / financial account id inside the order (what a refresh request selects). */
  suborderId: Id,
  suborderNumber: z.string().min(1).nullable().default(null),
  kind: z.enum(["employer", "financial_account"]).default("employer"),
  provider: z.string().min(1),
  authKind: AuthKind,
  /** When the user last logged in through Bridge (initial connect or re-authentication). */
  authenticatedAt: Instant,
  /** The last task status Truv reported for this connection, if any. */
  lastTaskStatus: TaskStatus.nullable().default(null),
  /** When `lastTaskStatus` was reported. */
  lastStatusAt: Instant.nullable().default(null),
  /** The provider asks for MFA at every login, so an unattended refresh cannot succeed. */
  mfaOnEveryLogin: z.boolean().default(false),
  /**
   * When Truv deleted the link (`DELETE /v1/links/{link_id}/`, or the client or agency deleted it:
   * the `link-deleted` webhook), if it did: it can never be refreshed nor re-authenticated
   * (`connection.deleted`). Absent, not null, while the link lives, so existing inputs digest as before.
   */
  deletedAt: Instant.nullable().optional()
})
export type Connection = z.infer<typeof Connection>
export type ConnectionInput = z.input<typeof Connection>

/**
 * `open` lineages can be refreshed. `canceled`, `expired` (expired without data) and `finalized`
 * (Truv's order-finalized: no further data collection or refresh) cannot.
 */
export const LineageStatus = z.enum(["open", "canceled", "expired", "finalized"])
export type LineageStatus = z.infer<typeof LineageStatus>

/** A lineage: root order, refresh chain (oldest first, so the last one is the newest id), connections. */
export const Lineage = z.object({
  rootOrderId: Id,
  orderType: OrderType,
  gse: z.boolean().default(false),
  orderNumber: z.string().min(1).nullable().default(null),
  /** Truv's user id of the order, needed for a Bridge update-mode token. */
  userId: z.string().min(1).nullable().default(null),
  status: LineageStatus.default("open"),
  /** The orders of the lineage, root first. The last one is the id later operations use. */
  orders: z.array(LineageOrder).min(1),
  connections: z.array(Connection).min(1)
})
export type Lineage = z.infer<typeof Lineage>
export type LineageInput = z.input<typeof Lineage>
