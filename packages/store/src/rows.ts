/**
 * Rows to core's model and back. Instants are stored as epoch milliseconds and read back as
 * `toISOString()` (millisecond precision, `Z`); booleans as 0/1; JSON as text.
 */
import {
  type Attempt, type Case, type CaseInput, type Connection, inConnectionOrder, type Lineage, type LineageOrder, type QueuedVerification,
  type VerificationRequest, type VerificationResolution, type VerificationState
} from "@recert/core"
import type { AttemptRow, CaseRow, ConnectionRow, NewCase, OrderRow, VerificationQueueRow } from "./database.js"

export const toMs = (instant: string): number => {
  const ms = Date.parse(instant)
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${instant}`)
  return ms
}
export const toMsOrNull = (instant: string | null | undefined): number | null => instant == null ? null : toMs(instant)
export const toIso = (ms: number): string => new Date(ms).toISOString()
export const toIsoOrNull = (ms: number | null): string | null => ms === null ? null : toIso(ms)

export const caseFromRow = (row: CaseRow): Case => ({
  id: row.id,
  dueAt: toIso(row.due_at),
  cycle: row.cycle as Case["cycle"],
  rootOrderId: row.root_order_id,
  product: row.product as Case["product"],
  lastVerifiedAt: toIsoOrNull(row.last_verified_at),
  ...(row.closing_date == null ? {} : { closingDate: row.closing_date })
})

export const caseToRow = (c: Case, now: number): NewCase => ({
  id: c.id,
  due_at: toMs(c.dueAt),
  cycle: c.cycle,
  root_order_id: c.rootOrderId,
  product: c.product,
  last_verified_at: toMsOrNull(c.lastVerifiedAt),
  created_at: now,
  // Only when set: a database still before migration 0012 (an upgrade test, an old file opened
  // read-only) stores review cases as before. `uniformRows` evens a batch out for one insert.
  ...(c.closingDate == null ? {} : { closing_date: c.closingDate })
})

/**
 * Case rows for one multi-row insert: every row with the same columns (a `closing_date` of null
 * where another row of the batch has one).
 */
export const uniformRows = <R extends NewCase>(rows: ReadonlyArray<R>): Array<R> => {
  const closing = rows.some((r) => r.closing_date != null)
  const closed = rows.some((r) => r.closed_at != null)
  if (!closing && !closed) return [...rows]
  return rows.map((r) => ({
    ...r,
    ...(closing ? { closing_date: r.closing_date ?? null } : {}),
    ...(closed ? { closed_at: r.closed_at ?? null, closed_reason: r.closed_reason ?? null } : {})
  }))
}

export type { CaseInput }

export const orderFromRow = (row: OrderRow): LineageOrder => ({
  id: row.id,
  parentId: row.parent_id,
  createdAt: toIso(row.created_at)
})

/** A connection row without its (encrypted) access token: what snapshots and reserve read. */
export type ConnectionRowWithoutToken = Omit<ConnectionRow, "access_token">

export const connectionFromRow = (row: ConnectionRowWithoutToken): Connection => ({
  id: row.id,
  suborderId: row.suborder_id,
  suborderNumber: row.suborder_number,
  kind: row.kind as Connection["kind"],
  provider: row.provider,
  authKind: row.auth_kind as Connection["authKind"],
  authenticatedAt: toIso(row.authenticated_at),
  lastTaskStatus: row.last_task_status as Connection["lastTaskStatus"],
  lastStatusAt: toIsoOrNull(row.last_status_at),
  mfaOnEveryLogin: row.mfa_on_every_login === 1,
  // Absent while the link lives (core digests an input without it as before 0016).
  ...(row.deleted_at == null ? {} : { deletedAt: toIso(row.deleted_at) })
})

/** Assembles a lineage from its order rows (any order) and connection rows. */
export const lineageFromRows = (orders: ReadonlyArray<OrderRow>, connections: ReadonlyArray<ConnectionRowWithoutToken>): Lineage => {
  const sorted = [...orders].sort((a, b) => a.seq - b.seq)
  const root = sorted[0]
  if (root === undefined) throw new Error("lineage without orders")
  return {
    rootOrderId: root.id,
    orderType: root.order_type as Lineage["orderType"],
    gse: root.gse === 1,
    orderNumber: root.order_number,
    userId: root.user_id,
    status: root.status as Lineage["status"],
    orders: sorted.map(orderFromRow),
    connections: [...connections].sort((a, b) => a.position - b.position).map(connectionFromRow)
  }
}

/** An attempt from its row and its connection ids, in core's connection order (not the database's collation). */
export const attemptFromRow = (row: AttemptRow, connectionIds: ReadonlyArray<string>): Attempt => ({
  id: row.id,
  at: toIso(row.at),
  product: row.product as Attempt["product"],
  connectionIds: inConnectionOrder(connectionIds),
  status: row.status as Attempt["status"],
  orderId: row.order_id,
  rejection: row.rejection as Attempt["rejection"],
  outcomes: JSON.parse(row.outcomes) as Attempt["outcomes"],
  resolvedAt: toIsoOrNull(row.resolved_at),
  gseFree: row.gse_free === 1
})

/** A verification-queue row as core's request, with its id and resolution. */
export const verificationFromRow = (r: VerificationQueueRow): QueuedVerification => ({
  id: Number(r.id), caseId: r.case_id, kind: r.kind as VerificationRequest["kind"], connectionIds: JSON.parse(r.connection_ids) as Array<string>,
  reason: r.reason, detail: r.detail, bridgeToken: r.bridge_token, shareUrl: r.share_url, orderId: r.order_id,
  createdAt: toIso(r.created_at), attemptId: r.attempt_id, resolvedAt: toIsoOrNull(r.resolved_at),
  resolution: r.resolution as VerificationResolution | null,
  // Intents only (migration 0008): rows stored already created keep the shape they always had.
  // A request without a key that the client completed (issue 16) says so too.
  ...(r.request_key == null ? (r.state === "completed" ? { state: "completed" as const } : {}) : {
    requestKey: r.request_key, state: (r.state ?? "created") as VerificationState, sentAt: toIsoOrNull(r.sent_at), leaseUntil: toIsoOrNull(r.lease_until)
  })
})
