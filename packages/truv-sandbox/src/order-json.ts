/**
 * Renders sandbox orders as Truv's order JSON (truv-api-notes §1.4, §3; the Orders reference's
 * examples): ids, `order_number`, `initial_order` / `refresh_order`, and suborders under
 * `employers` (payroll) and `financial_accounts` (banks), each with `link_id`, the link's
 * `access_token` and `provider` as Truv's object `{ id, name, logo_url }`. Instants are ISO with
 * milliseconds and `Z`; employment dates (`start_date`, `end_date`) are plain dates.
 */
import { createHash } from "node:crypto"
import { suborderEmployments } from "./pay/link-reports.js"
import type { SandboxOrder, SandboxState, SandboxSuborder } from "./state.js"
import { DAY_MS, isoMillis } from "./truv-time.js"

/** What the sandbox calls itself where Truv names the verification agency (`client_name`). */
export const SANDBOX_CLIENT_NAME = "Recert Sandbox"

const suborderJson = (state: SandboxState, order: SandboxOrder, s: SandboxSuborder): Record<string, unknown> => {
  const link = s.linkId === null ? undefined : state.links.get(s.linkId)
  const domain = `${s.companyName.toLowerCase().replace(/[^a-z0-9]+/g, "")}.example`
  return {
    id: s.id,
    product_type: order.products[0] ?? null,
    suborder_number: s.suborderNumber,
    status: s.status,
    created_at: isoMillis(s.createdAt),
    bridge_token: order.bridgeToken,
    company_name: s.companyName,
    company_address: { street: "1 Main St", city: "Springfield", state: "IL", zip: "62701" },
    company_domain: domain,
    company_logo: `https://cdn.truv.com/company_logos/${domain}.svg`,
    // The sandbox has no employment history: the job is assumed to have started 3 years before the suborder.
    start_date: isoMillis(s.createdAt - 3 * 365 * DAY_MS).slice(0, 10),
    end_date: null,
    link_id: s.linkId,
    access_token: link?.accessToken ?? null,
    provider: link === undefined ? null : { id: link.provider.id, name: link.provider.name, logo_url: link.provider.logoUrl },
    data_source: link?.dataSource ?? null,
    pdf_report: s.status === "completed" ? `https://cdn.truv.com/sandbox/reports/${s.id}.pdf` : null,
    is_suspicious: false,
    employments: []
  }
}

/** The first instant a suborder of the order completed: Truv's `completed_at` and `user_consent_at` (assumed). */
const firstCompletion = (order: SandboxOrder): string | null => {
  const times = order.suborders.flatMap((s) => (s.completedAt === undefined ? [] : [s.completedAt]))
  return times.length === 0 ? null : isoMillis(Math.min(...times))
}

/** Truv's `is_expired`: the expiry instant passed and no suborder completed. */
export const isOrderExpired = (order: SandboxOrder, now: number): boolean =>
  now >= order.expiredAt && !order.suborders.some((s) => s.status === "completed")

/**
 * The GSE report id of a completed order (`voie_report_id`, or `voa_report_id` for assets and
 * transactions): present once a suborder completed, and a new one after each further completion
 * (truv-api-notes §1.7, §4.3), so it is derived from the order id and the number completed.
 */
const reportIds = (order: SandboxOrder): Record<string, string> => {
  const completed = order.suborders.filter((s) => s.status === "completed").length
  if (completed === 0) return {}
  const id = createHash("sha256").update(`${order.id}:${completed}`).digest("hex").slice(0, 32)
  const product = order.products[0]
  return product === "assets" || product === "transactions" ? { voa_report_id: id } : { voie_report_id: id }
}

export const orderJson = (state: SandboxState, order: SandboxOrder, now: number): Record<string, unknown> => {
  return {
    id: order.id,
    products: order.products,
    order_number: order.orderNumber,
    source: "internal",
    custom_field: null,
    client_name: SANDBOX_CLIENT_NAME,
    first_name: order.firstName,
    last_name: order.lastName,
    email: order.email,
    user_id: order.userId,
    template_id: null,
    bridge_token: order.bridgeToken,
    share_url: `https://cdn.truv.com/sandbox/orders.html?bridge_token=${order.bridgeToken}&order_group_id=${order.rootId}`,
    created_at: isoMillis(order.createdAt),
    updated_at: isoMillis(order.updatedAt),
    expired_at: isoMillis(order.expiredAt),
    is_expired: isOrderExpired(order, now),
    canceled_at: order.canceledAt === null ? null : isoMillis(order.canceledAt),
    completed_at: firstCompletion(order),
    user_consent_at: firstCompletion(order),
    initial_order: order.initialOrder,
    refresh_order: order.refreshOrder,
    ...reportIds(order),
    employers: order.suborders.filter((s) => s.kind === "employer").map((s) => ({ ...suborderJson(state, order, s), employments: suborderEmployments(state, order, s) })),
    financial_accounts: order.suborders.filter((s) => s.kind === "financial_account").map((s) => suborderJson(state, order, s))
  }
}
