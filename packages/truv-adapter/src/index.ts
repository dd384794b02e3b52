/**
 * `@recert/truv-adapter`: Recert's way to Truv. A `TruvGateway` Layer over Effect's HttpClient,
 * webhook signature verification and event parsing. The Truv sandbox (a test peer) lives in
 * its own workspace, `@recert/truv-sandbox`, which depends on this one and never the reverse.
 */
export * from "./webhooks/signature.js"
export * from "./webhooks/events.js"
export * from "./client/config.js"
export * from "./client/truv-client.js"
export * from "./client/http-gateway.js"
export * from "./client/order-mapping.js"
export * from "./client/schemas.js"
export { mapErrorResponse, REFRESH_LIMIT_TEXT } from "./client/error-mapping.js"
export { backoffDelayMs, parseRetryAfter } from "./client/backoff.js"
export { budgetKey, reserveSlot, resetRateBudgets } from "./client/rate-budget.js"
export { makeSharedBudget, type SharedBudget, type SharedBudgetOptions } from "./client/shared-budget.js"
export { truvTimeLayer } from "./client/truv-time.js"
export { type ClockSkew, ClockSkewEstimator, CORRECTION_DEADBAND_MS, correctionMs, SAMPLES as CLOCK_SKEW_SAMPLES, skewSample, truvTimeClock } from "./client/clock-skew.js"
export * from "./reports/report-schemas.js"
export { decimalToCents } from "./reports/decimal-cents.js"
export { truvDate } from "./reports/truv-date.js"
export { mapOrderReport, mapLinkReport, mapUserReport, ReportPayloadError } from "./reports/map-report.js"
export type { MapOptions, ReportMapping } from "./reports/map-report.js"
export { planReads, snapshotOfReads, unreadableSnapshot } from "./reports/verification-report.js"
export type { LinkRead, ReadPlan, ReportReadOptions } from "./reports/verification-report.js"
export { fetchReportWith } from "./reports/fetch-report.js"
