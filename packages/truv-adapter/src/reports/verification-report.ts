/**
 * A finished order's report as a verification reads it (truv-reports-notes §1), pure: the ORDER
 * (`GET /v1/orders/{id}/`) says which connections completed, and each completed connection's
 * LINK REPORT (income or employment, per the product refreshed) is the snapshot's source, since
 * the notes name it the source for the review screen and it carries the connection's own `done`
 * status. Two steps because the second read depends on the first: `planReads` (the order's text
 * → the links to read), then `snapshotOfReads` (their texts → one snapshot).
 *
 * Nothing here fails or throws: a body that is not JSON, a payload of the wrong shape, another
 * order's payload, a completed suborder without a link, a link report that is missing or not
 * done each become a BLOCKING `DataIssue` naming the field (`links[<link id>].employments[0]
 * .statements[2].gross_pay`), so core's useful-report check makes the verification `review:
 * report.not-usable` rather than a silently wrong (e.g. one employer short) income.
 */
import type { DataIssue, IncomeSnapshot, SnapshotProduct } from "@recert/core"
import type { ReportPayloadError } from "./map-report.js"
import { mapLinkReport, mapOrderReport } from "./map-report.js"
import { OrderReportJson } from "./report-schemas.js"

export interface ReportReadOptions {
  readonly orderId: string
  readonly fetchedAt: string
  readonly product: SnapshotProduct
}

/** The order as read: its JSON (or its text when it is not JSON), and what to read next. */
export type ReadPlan =
  | { readonly kind: "unreadable"; readonly order: unknown; readonly snapshot: IncomeSnapshot }
  | { readonly kind: "read-links"; readonly order: unknown; readonly linkIds: ReadonlyArray<string>; readonly issues: ReadonlyArray<DataIssue> }

const blocking = (path: string, problem: DataIssue["problem"], message: string): DataIssue => ({ path, problem, severity: "blocking", message })

const issueOf = (error: ReportPayloadError, prefix = ""): DataIssue => {
  const path = `${prefix}${error.path}`
  return error.reason === "order-mismatch"
    ? blocking(path, "wrong-order", "names another order than the one read; its figures are not counted")
    : blocking(path, "wrong-type", `is not in the shape of Truv's report (${error.message.slice(error.path.length + 2)})`)
}

/** A snapshot with nothing to count and the reasons why, for a report that cannot be read. */
export const unreadableSnapshot = (options: ReportReadOptions, issues: ReadonlyArray<DataIssue>): IncomeSnapshot => ({
  source: { provider: "truv", orderId: options.orderId, fetchedAt: options.fetchedAt, report: "order" },
  product: options.product, employers: [], issues: [...issues]
})

const parseJson = (text: string): { readonly ok: true; readonly json: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, json: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

/**
 * The order read: which links to read (completed suborders, in `employers[]` order).
 *
 * @example
 * const plan = planReads(orderText, { orderId: "ord-2", fetchedAt: "2026-11-23T16:05:00Z", product: "income" })
 * if (plan.kind === "read-links") plan.linkIds   // ["link-1"]
 */
export const planReads = (orderText: string, options: ReportReadOptions): ReadPlan => {
  const parsed = parseJson(orderText)
  if (!parsed.ok) return { kind: "unreadable", order: orderText, snapshot: unreadableSnapshot(options, [blocking("(order)", "wrong-type", "is not JSON")]) }
  const mapped = mapOrderReport(parsed.json, options)
  if (!mapped.ok) return { kind: "unreadable", order: parsed.json, snapshot: unreadableSnapshot(options, [issueOf(mapped.error)]) }
  // mapOrderReport accepted the shape, so this parse succeeds; it gives the typed suborders.
  const employers = OrderReportJson.parse(parsed.json).employers ?? []
  const linkIds: Array<string> = []
  const issues: Array<DataIssue> = []
  employers.forEach((s, i) => {
    if (s.status !== "completed") return
    if (typeof s.link_id === "string" && s.link_id !== "") linkIds.push(s.link_id)
    else issues.push(blocking(`employers[${i}].link_id`, "wrong-type", "is missing on a completed suborder, so its report cannot be read"))
  })
  return { kind: "read-links", order: parsed.json, linkIds, issues }
}

/** One link's read: its text, or null when Truv does not know the link (404). */
export type LinkRead = { readonly linkId: string; readonly text: string | null }

/**
 * The snapshot of the link reports read for a plan, and their JSON (by link id) for the raw record.
 *
 * @example
 * const { snapshot } = snapshotOfReads(plan, [{ linkId: "link-1", text }], options)
 */
export const snapshotOfReads = (
  plan: Extract<ReadPlan, { kind: "read-links" }>, reads: ReadonlyArray<LinkRead>, options: ReportReadOptions
): { readonly snapshot: IncomeSnapshot; readonly links: Record<string, unknown> } => {
  const issues: Array<DataIssue> = [...plan.issues]
  const snapshot: IncomeSnapshot = {
    source: { provider: "truv", orderId: options.orderId, fetchedAt: options.fetchedAt, report: options.product === "income" ? "link-income-report" : "link-employment-report" },
    product: options.product, employers: [], issues
  }
  const links: Record<string, unknown> = {}
  for (const read of reads) {
    const at = `links[${read.linkId}]`
    if (read.text === null) {
      links[read.linkId] = null
      issues.push(blocking(at, "wrong-type", "is not known to Truv (404), so this connection's report is missing"))
      continue
    }
    const parsed = parseJson(read.text)
    links[read.linkId] = parsed.ok ? parsed.json : read.text
    if (!parsed.ok) {
      issues.push(blocking(at, "wrong-type", "is not JSON"))
      continue
    }
    const mapped = mapLinkReport(parsed.json, options)
    if (!mapped.ok) {
      issues.push(issueOf(mapped.error, `${at}.`))
      continue
    }
    snapshot.employers.push(...mapped.snapshot.employers)
    issues.push(...mapped.snapshot.issues.map((i) => ({ ...i, path: `${at}.${i.path}` })))
  }
  return { snapshot, links }
}
