/**
 * Truv report payloads onto core's `IncomeSnapshot`, pure. Three entry points for the three
 * reads of truv-reports-notes §1: the order (`GET /v1/orders/{id}/`, the lead read), a link's
 * income or employment report, and the user report. Shape errors (not an object, a container that
 * is not an array, an order id other than the one asked for) are a typed `ReportPayloadError`
 * naming the field; everything inside an employment becomes data issues on the snapshot, and
 * core's useful-report check decides whether the report can be used. Never throws.
 */
import { type EmployerRecord, formatPath, type IncomeSnapshot, type SnapshotProduct, type SnapshotSource } from "@recert/core"
import { Data } from "effect"
import type { z } from "zod"
import { FieldReader } from "./field-reader.js"
import { mapEmployment } from "./map-employment.js"
import { type EmploymentJson, LinkReportJson, OrderReportJson, UserReportJson } from "./report-schemas.js"

/** The payload cannot be read as the report asked for. `path` names the field (`employers[0].employments`). */
export class ReportPayloadError extends Data.TaggedError("ReportPayloadError")<{
  readonly reason: "invalid-shape" | "order-mismatch"
  readonly path: string
  readonly message: string
}> {}

export type ReportMapping =
  | { readonly ok: true; readonly snapshot: IncomeSnapshot }
  | { readonly ok: false; readonly error: ReportPayloadError }

export interface MapOptions {
  /** The order the caller asked for (the new order id after a refresh). */
  readonly orderId: string
  /** When the payload was read (an ISO instant). */
  readonly fetchedAt: string
}

const shape = <T>(schema: z.ZodType<T>, payload: unknown): T | ReportPayloadError => {
  const r = schema.safeParse(payload)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  const path = formatPath(issue.path) || "(root)"
  return new ReportPayloadError({ reason: "invalid-shape", path, message: `${path}: ${issue.message}` })
}

const build = (
  source: Omit<SnapshotSource, "provider">, product: SnapshotProduct,
  groups: ReadonlyArray<{ readonly path: string; readonly employments: ReadonlyArray<EmploymentJson> }>
): ReportMapping => {
  const reader = new FieldReader()
  const employers: Array<EmployerRecord> = groups.flatMap((g) => g.employments.map((e, i) => mapEmployment(reader, e, `${g.path}employments[${i}]`)))
  return { ok: true, snapshot: { source: { provider: "truv", ...source }, product, employers, issues: reader.issues } }
}

/**
 * The order read: employments of the suborders whose `status` is `completed` (others have none).
 * The product is `income` when the order's `products` include it, else `employment`.
 *
 * @example
 * const m = mapOrderReport(json, { orderId: "ord-2", fetchedAt: "2026-11-23T16:05:00Z" })
 * if (m.ok) assessVerification(m.snapshot, { now, previous })
 */
export const mapOrderReport = (payload: unknown, options: MapOptions): ReportMapping => {
  const order = shape(OrderReportJson, payload)
  if (order instanceof ReportPayloadError) return { ok: false, error: order }
  if (order.id !== options.orderId) {
    return { ok: false, error: new ReportPayloadError({ reason: "order-mismatch", path: "id", message: `id: the payload is order ${order.id}, not the order ${options.orderId} that was read` }) }
  }
  const groups = (order.employers ?? []).flatMap((s, i) =>
    s.status === "completed" ? [{ path: `employers[${i}].`, employments: s.employments ?? [] }] : [])
  const product: SnapshotProduct = (order.products ?? []).includes("income") ? "income" : "employment"
  return build({ orderId: options.orderId, fetchedAt: options.fetchedAt, report: "order" }, product, groups)
}

/**
 * A link report (`/v1/links/{link_id}/income/report/` → product `income`, `.../employment/report/`
 * → `employment`). A report whose `status` is not `done` is not a usable read: `invalid-shape` on `status`.
 */
export const mapLinkReport = (payload: unknown, options: MapOptions & { readonly product: SnapshotProduct }): ReportMapping => {
  const report = shape(LinkReportJson, payload)
  if (report instanceof ReportPayloadError) return { ok: false, error: report }
  if (report.status !== undefined && report.status !== "done") {
    return { ok: false, error: new ReportPayloadError({ reason: "invalid-shape", path: "status", message: "status: the link report is not done yet" }) }
  }
  const kind = options.product === "income" ? "link-income-report" : "link-employment-report"
  return build({ orderId: options.orderId, fetchedAt: options.fetchedAt, report: kind }, options.product, [{ path: "", employments: report.employments ?? [] }])
}

/** The user report (every link of the Truv user; only for GSE consumers, see the notes). */
export const mapUserReport = (payload: unknown, options: MapOptions & { readonly product: SnapshotProduct }): ReportMapping => {
  const report = shape(UserReportJson, payload)
  if (report instanceof ReportPayloadError) return { ok: false, error: report }
  const groups = report.links.map((l, i) => ({ path: `links[${i}].`, employments: l.employments ?? [] }))
  return build({ orderId: options.orderId, fetchedAt: options.fetchedAt, report: "user-report" }, options.product, groups)
}
