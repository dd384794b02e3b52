/**
 * Where the pay history is served (truv-reports-notes §1, §2.1): each completed employer suborder
 * of `GET /v1/orders/{id}/` (and of a refresh order) carries `employments[]` as of the instant it
 * completed; `GET /v1/links/{link_id}/income/report/` and `/employment/report/` give one link's
 * report as of its last successful pull. The employment report, any order of the `employment`
 * product and every report of an employment-only lineage have null income fields.
 */
import type { EngineContext } from "../engine-context.js"
import { notFound, ok, type SandboxResponse } from "../responses.js"
import type { SandboxOrder, SandboxState, SandboxSuborder } from "../state.js"
import { isoMillis } from "../truv-time.js"
import { employmentsJson, type ReportProduct } from "./employment-json.js"
import { payHistoryAt } from "./pay-history.js"
import type { PayPull, PayRecord } from "./pay-record.js"

const render = (record: PayRecord, pull: PayPull, product: ReportProduct) =>
  employmentsJson(payHistoryAt(pull.spec, record.seed, pull.at), pull.spec, record.seed, record.product === "employment" ? "employment" : product)

/** The suborder's `employments[]`: empty until it completed (or for a bank connection). */
export function suborderEmployments(state: SandboxState, order: SandboxOrder, s: SandboxSuborder): Array<Record<string, unknown>> {
  const record = s.linkId === null ? undefined : state.payRecords.get(s.linkId)
  const pull = record?.suborderPulls.get(s.id)
  if (record === undefined || pull === undefined || s.status !== "completed") return []
  return render(record, pull, order.products[0] === "employment" ? "employment" : "income")
}

/** `GET /v1/links/{link_id}/income/report/` and `/employment/report/`. */
export function linkReport(ctx: EngineContext, linkId: string, product: ReportProduct): SandboxResponse {
  const link = ctx.state.links.get(linkId)
  const record = ctx.state.payRecords.get(linkId)
  if (link === undefined || record === undefined) return notFound()
  const refreshed = [...ctx.state.tasks.values()].filter((t) => t.linkId === linkId && t.status !== "new")
  return ok({
    id: linkId,
    status: "done",
    finished_at: isoMillis(record.lastPull.at),
    completed_at: isoMillis(record.lastPull.at),
    access_token: link.accessToken,
    tracking_info: null,
    is_suspicious: false,
    refresh_status: refreshed.length === 0 ? null : refreshed[refreshed.length - 1]!.status,
    provider: { id: link.provider.id, name: link.provider.name, logo_url: link.provider.logoUrl },
    data_source: link.dataSource,
    pdf_report: `https://cdn.truv.com/sandbox/reports/${linkId}-${product}.pdf`,
    employments: render(record, record.lastPull, product)
  })
}
