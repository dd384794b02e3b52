/**
 * `@recert/truv-sandbox`: a local Truv for tests, the demo and benchmarks. A real HTTP server on
 * loopback with Truv's paths, bodies, errors, limits and signed webhooks, driven by a manual or
 * real clock, seeded lineages and scenario knobs. It is a test peer: production code (the apps'
 * `run` and `serve`) never imports it (`scripts/check-deps.mjs` checks that).
 */
export * from "./sandbox.js"
export * from "./seed.js"
export * from "./behaviour.js"
export * from "./faults.js"
export * from "./report.js"
export * from "./clock.js"
export * from "./rules.js"
export * from "./scenario.js"
export * from "./validity.js"
export type { ClosedLineage } from "./order-closing.js"
export type { ReauthenticateOptions } from "./lineage-admin.js"
export { SandboxRequestError } from "./request-error.js"
export { BRIDGE_TOKEN_LIFETIME_MS } from "./bridge-tokens.js"
export { REFRESH_LIMIT_MESSAGE } from "./responses.js"
export type { SentWebhook } from "./webhook-dispatcher.js"
export { WEBHOOK_USER_AGENT } from "./webhook-dispatcher.js"
export * from "./pay/index.js"
export * from "./clients/client-script.js"
export type { ClientOutcome, ClientRequestKind } from "./clients/client-records.js"
export { REMINDER_FRACTIONS } from "./clients/notifications.js"
