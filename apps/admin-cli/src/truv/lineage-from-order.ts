/**
 * Truv's order JSON to a Recert lineage (pure). The root order gives the lineage (order type from
 * its product, order number, user id, status) and its connections: every suborder under
 * `employers` or `financial_accounts` with a `link_id` and an `access_token`. What Truv's order
 * JSON does not say is decided here, the same way every time (docs/decisions.md):
 *
 * - auth kind: the order JSON has no OAuth/session field (`data_source` says payroll or bank,
 *   `provider` names the provider), so every connection is `unknown` (core warns that its
 *   validity is not fixed; it never assumes a 180-day OAuth expiry it cannot know);
 * - authenticated at: the suborder's `completed_at` if Truv sends one, else the root order's
 *   `completed_at`, else the suborder's `created_at`, else the root's `created_at`;
 * - last task status: from the newest fetched order with a suborder for the link: `completed`
 *   is `done`, `no_data` is `no_data`, and a generic `error` is recorded as `login_error`
 *   (the order cannot tell a provider outage from a login the user must redo, and refreshing a
 *   connection that needs the user is billed for nothing: the cheaper truth); pending or sent
 *   suborders (a refresh in flight) leave it unset;
 * - GSE: not in the order JSON, so `false` (cost estimates count refreshes as billed).
 */
import { type CaseContact, CONTACT_FIELDS, type LineageInput, type LineageOrder, NORMALIZE, OrderType, type TaskStatus } from "@recert/core"
import type { OrderJson, SuborderJson } from "@recert/truv-adapter"
import { Redacted } from "effect"

export interface FoundConnection {
  readonly id: string
  readonly suborderId: string
  readonly kind: "employer" | "financial_account"
  readonly provider: string
  readonly authKind: "unknown"
  readonly authenticatedAt: string
  readonly lastTaskStatus: TaskStatus | null
}

export type ProblemCode = "order-not-found" | "order-canceled" | "order-expired" | "no-connected-suborder" | "unsupported-product" | "broken-lineage"

export type Finding =
  | {
    readonly ok: true
    readonly lineage: LineageInput & { readonly orders: ReadonlyArray<LineageOrder> }
    readonly connections: ReadonlyArray<FoundConnection>
    readonly accessTokens: Readonly<Record<string, Redacted.Redacted<string>>>
    /** The client as the root order names them (`contactFromOrder`). */
    readonly contact: CaseContact
  }
  | { readonly ok: false; readonly code: ProblemCode; readonly message: string }

export const problem = (code: ProblemCode, message: string): Finding => ({ ok: false, code, message })

type Suborder = SuborderJson
type Order = OrderJson

const suborders = (o: Order): Array<{ readonly s: Suborder; readonly kind: FoundConnection["kind"] }> => [
  ...(o.employers ?? []).map((s) => ({ s, kind: "employer" as const })),
  ...(o.financial_accounts ?? []).map((s) => ({ s, kind: "financial_account" as const }))
]

/** A suborder's status as the task status it implies (see the file's comment). */
export const statusOfSuborder = (status: string): TaskStatus | null =>
  status === "completed" ? "done" : status === "no_data" ? "no_data" : status === "error" ? "login_error" : null

/** The newest status of `linkId` among `newestFirst` orders, with the order it came from. */
const lastStatus = (linkId: string, newestFirst: ReadonlyArray<Order>): { status: TaskStatus | null; at: string | null } => {
  for (const o of newestFirst) {
    const found = suborders(o).find(({ s }) => s.link_id === linkId)
    if (found !== undefined) {
      const status = statusOfSuborder(found.s.status)
      return { status, at: status === null ? null : o.updated_at ?? o.created_at }
    }
  }
  return { status: null, at: null }
}

/**
 * The lineage of `root`, given its refresh chain (oldest first, root excluded) and the orders
 * fetched besides the root (`newestFirst`, for the connections' last statuses).
 */
export const lineageFromOrders = (root: Order, chain: ReadonlyArray<LineageOrder>, newestFirst: ReadonlyArray<Order>): Finding => {
  if (root.canceled_at != null) return problem("order-canceled", `order ${root.id} was canceled at Truv (${root.canceled_at}): it cannot be refreshed`)
  const orderType = OrderType.safeParse(root.products[0])
  if (!orderType.success) return problem("unsupported-product", `order ${root.id} is a ${root.products.join("+")} order, which Recert cannot refresh`)
  const connected = suborders(root).filter(({ s }) => s.link_id != null && s.link_id !== "" && s.access_token != null && s.access_token !== "")
  if (connected.length === 0) {
    return root.is_expired === true
      ? problem("order-expired", `order ${root.id} expired at Truv before any employer or account was connected`)
      : problem("no-connected-suborder", `order ${root.id} has no connected employer or account yet (no suborder with a link)`)
  }
  const accessTokens: Record<string, Redacted.Redacted<string>> = {}
  const statuses = [...newestFirst, root]
  const connections = connected.map(({ s, kind }): FoundConnection & { lastStatusAt: string | null; suborderNumber: string | null } => {
    accessTokens[s.link_id!] = Redacted.make(s.access_token!)
    const last = lastStatus(s.link_id!, statuses)
    return {
      id: s.link_id!, suborderId: s.id, suborderNumber: s.suborder_number ?? null, kind,
      provider: s.provider ?? s.data_source ?? "unknown", authKind: "unknown",
      authenticatedAt: s.completed_at ?? root.completed_at ?? s.created_at ?? root.created_at,
      lastTaskStatus: last.status, lastStatusAt: last.at
    }
  })
  const orders: Array<LineageOrder> = [{ id: root.id, parentId: null, createdAt: root.created_at }, ...chain]
  return {
    ok: true,
    lineage: {
      rootOrderId: root.id, orderType: orderType.data, gse: false, orderNumber: root.order_number ?? null, userId: root.user_id ?? null,
      status: "open", orders, connections
    },
    connections: connections.map(({ lastStatusAt: _at, suborderNumber: _n, ...c }) => c),
    accessTokens,
    contact: contactFromOrder(root)
  }
}

const ORDER_FIELDS = { firstName: "first_name", lastName: "last_name", email: "email", phone: "phone", externalUserId: "external_user_id" } as const

/**
 * The client as an order names them, through core's field rules (names NFC, phone to E.164); a
 * value that fails them is left out (null), as if Truv had none: the case file can supply it.
 */
export const contactFromOrder = (order: Order): CaseContact =>
  Object.fromEntries(CONTACT_FIELDS.map((f) => {
    const v = order[ORDER_FIELDS[f]]
    return [f, typeof v === "string" ? NORMALIZE[f](v) : null]
  })) as unknown as CaseContact
