/**
 * Maps Truv's order JSON onto core's `TruvOrder`: suborders come from `employers[]` and
 * `financial_accounts[]`, each with its id, suborder number, link id and status, and (for a new
 * order's lineage, issue 16) its access token (Redacted), provider, data source and completion.
 */
import type { TruvOrder, TruvSuborder } from "@recert/core"
import { Redacted } from "effect"
import type { OrderJson, SuborderJson } from "./schemas.js"

const suborder = (s: SuborderJson, kind: TruvSuborder["kind"]): TruvSuborder => ({
  id: s.id,
  suborderNumber: s.suborder_number ?? null,
  linkId: s.link_id ?? null,
  status: s.status,
  kind,
  // The connection a new order gives the lineage that moves to it (issue 16); the token stays Redacted.
  accessToken: s.access_token == null || s.access_token === "" ? null : Redacted.make(s.access_token),
  provider: s.provider ?? null,
  dataSource: s.data_source ?? null,
  completedAt: s.completed_at ?? null
})

export const toTruvOrder = (o: OrderJson): TruvOrder => ({
  id: o.id,
  orderNumber: o.order_number ?? null,
  userId: o.user_id ?? null,
  initialOrder: o.initial_order ?? null,
  refreshOrder: o.refresh_order ?? null,
  products: o.products,
  createdAt: o.created_at,
  isExpired: o.is_expired ?? false,
  canceledAt: o.canceled_at ?? null,
  shareUrl: o.share_url ?? null,
  suborders: [
    ...(o.employers ?? []).map((s) => suborder(s, "employer")),
    ...(o.financial_accounts ?? []).map((s) => suborder(s, "financial_account"))
  ]
})
