/**
 * `@recert/truv-adapter`: Recert's way to Truv. A `TruvGateway` Layer over Effect's HttpClient,
 * webhook signature verification and event parsing, and a Truv sandbox server that behaves as
 * Truv's documents say, for tests, the demo and benchmarks.
 */
export * from "./sandbox/sandbox.js"
export * from "./sandbox/seed.js"
export * from "./sandbox/behaviour.js"
export * from "./sandbox/faults.js"
export * from "./sandbox/report.js"
export * from "./sandbox/clock.js"
export * from "./sandbox/rules.js"
export * from "./sandbox/scenario.js"
export type { ClosedLineage } from "./sandbox/order-closing.js"
export { REFRESH_LIMIT_MESSAGE } from "./sandbox/responses.js"
export type { SentWebhook } from "./sandbox/webhook-dispatcher.js"
export { WEBHOOK_USER_AGENT } from "./sandbox/webhook-dispatcher.js"
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
