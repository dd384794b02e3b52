/**
 * The gateway's `fetchReport` over the HTTP client: the order (`GET /v1/orders/{id}/`), then each
 * completed connection's link report, one after the other (a refresh has a few connections; the
 * client's budget paces them). Truv not answering (5xx, timeouts, 429 after the client's retries)
 * fails with the client's `TruvError`, so the follow-up runs again later; a link Truv does not
 * know (404) and every payload problem are issues inside the snapshot (`verification-report.ts`).
 * The raw JSON comes back without access or Bridge tokens, SSNs and account numbers masked to
 * their last four (mask-identifiers.ts). With `linkIds` (a Bridge re-authentication, issue 16) only
 * those links' reports are read, and `raw.order` is null.
 */
import type { FetchedReport, ReportRequest, TruvError } from "@recert/core"
import { Effect } from "effect"
import type { TruvClientApi } from "../client/truv-client.js"
import { maskIdentifiers } from "./mask-identifiers.js"
import { redactCredentials } from "./redact-credentials.js"
import { type LinkRead, planReads, type ReadPlan, snapshotOfReads } from "./verification-report.js"

/**
 * @example
 * const { snapshot, raw } = yield* fetchReportWith(client)({ orderId: "ord-2", product: "income", fetchedAt: "2026-11-23T16:05:00.000Z" })
 */
export const fetchReportWith = (client: TruvClientApi) => (request: ReportRequest): Effect.Effect<FetchedReport, TruvError> =>
  Effect.gen(function*() {
    const options = { orderId: request.orderId, fetchedAt: request.fetchedAt, product: request.product === "income" ? "income" as const : "employment" as const }
    // Given links (a Bridge re-authentication's initial pull): their reports alone, no order read.
    const plan: ReadPlan = request.linkIds === undefined
      ? planReads(yield* client.getOrderText(request.orderId), options)
      : { kind: "read-links", order: null, linkIds: request.linkIds, issues: [] }
    // The raw JSON is kept beside the snapshot without its credentials (redact-credentials.ts), its identifiers masked.
    if (plan.kind === "unreadable") return { snapshot: plan.snapshot, raw: maskIdentifiers(redactCredentials({ order: plan.order, links: {} })) }
    const reads: Array<LinkRead> = []
    for (const linkId of plan.linkIds) {
      const text = yield* client.getLinkReportText(linkId, options.product).pipe(
        Effect.catchTag("NotFound", () => Effect.succeed(null)))
      reads.push({ linkId, text })
    }
    const { snapshot, links } = snapshotOfReads(plan, reads, options)
    return { snapshot, raw: maskIdentifiers(redactCredentials({ order: plan.order, links })) }
  })
