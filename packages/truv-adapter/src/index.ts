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
export { REFRESH_LIMIT_MESSAGE } from "./sandbox/responses.js"
export type { SentWebhook } from "./sandbox/webhook-dispatcher.js"
export { WEBHOOK_USER_AGENT } from "./sandbox/webhook-dispatcher.js"
export * from "./webhooks/signature.js"
