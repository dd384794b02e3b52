/**
 * Renders sandbox orders as Truv's order JSON (truv-api-notes §1.4, §3): ids, `order_number`,
 * `initial_order` / `refresh_order`, and suborders under `employers` (payroll) and
 * `financial_accounts` (banks), each with `link_id` and the link's `access_token`.
 */
import { suborderEmployments } from "./pay/link-reports.js"
import type { SandboxOrder, SandboxState, SandboxSuborder } from "./state.js"
import { isoMillis } from "./truv-time.js"

const suborderJson = (state: SandboxState, s: SandboxSuborder): Record<string, unknown> => {
  const link = s.linkId === null ? undefined : state.links.get(s.linkId)
  return {
    id: s.id,
    suborder_number: s.suborderNumber,
    status: s.status,
    created_at: isoMillis(s.createdAt),
    company_name: s.companyName,
    link_id: s.linkId,
    access_token: link?.accessToken ?? null,
    provider: link?.provider ?? null,
    data_source: link?.dataSource ?? null,
    employments: []
  }
}

/** Truv's `is_expired`: the expiry instant passed and no suborder completed. */
export const isOrderExpired = (order: SandboxOrder, now: number): boolean =>
  now >= order.expiredAt && !order.suborders.some((s) => s.status === "completed")

export const orderJson = (state: SandboxState, order: SandboxOrder, now: number): Record<string, unknown> => {
  return {
    id: order.id,
    products: order.products,
    order_number: order.orderNumber,
    source: "api",
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
    initial_order: order.initialOrder,
    refresh_order: order.refreshOrder,
    employers: order.suborders.filter((s) => s.kind === "employer").map((s) => ({ ...suborderJson(state, s), employments: suborderEmployments(state, order, s) })),
    financial_accounts: order.suborders.filter((s) => s.kind === "financial_account").map((s) => suborderJson(state, s))
  }
}
