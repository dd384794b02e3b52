/**
 * @recert/core: the refresh policy engine. Pure (no I/O), depends only on `effect` and `zod`.
 *
 * - The input model as zod schemas (`Lineage`, `Attempt`, `RefreshRequest`, `PolicyConfig`, `Case`).
 * - The rules, one per file under `rules/`, and the engine that composes them into a `Decision`.
 * - The batch planner.
 * - The ports (`RenewalStore`, `TruvGateway`, `TruvBudget`) with in-memory implementations.
 * - A plain facade (`decide`, `plan`) for code that does not use Effect.
 */
export * from "./model/primitives.js"
export * from "./model/lineage.js"
export * from "./model/attempt.js"
export * from "./model/request.js"
export * from "./model/policy-config.js"
export * from "./model/case.js"
export * from "./model/decision-input.js"
export * from "./model/decision.js"
export * from "./errors.js"
export * from "./ports/truv-gateway.js"
export * from "./ports/renewal-store.js"
export * from "./ports/verification-record.js"
export * from "./ports/in-memory-store.js"
export * from "./ports/in-memory-truv.js"
export * from "./ports/truv-budget.js"
export * from "./ports/in-memory-truv-budget.js"
export { IN_MEMORY_GROSS_CENTS, inMemoryEmployer } from "./ports/in-memory-report.js"
export * from "./ledger/ordering.js"
export * from "./ledger/reservation.js"
export * from "./ledger/attempt-transition.js"
export * from "./ledger/attempt-outcome.js"
export * from "./ledger/refresh-account.js"
export * from "./rules/index.js"
export { decideAt, digestInput, policyVersion } from "./engine/decide.js"
export { prepareContext } from "./engine/prepare.js"
export { parseDecisionInput, parsePolicyConfig, parseWith, lineageIssues } from "./engine/validate.js"
export { canonicalJson, sha256Hex } from "./engine/digest.js"
export { didYouMean, knownKeysAt, unknownKeyMessage } from "./engine/key-hints.js"
export * from "./planner/plan.js"
export * from "./effect-api.js"
export * from "./facade.js"
export * from "./json-schema.js"
export * from "./results/index.js"
export * from "./duration.js"
export * from "./events/index.js"
export * from "./learning/index.js"
export * from "./simulate/index.js"
export * from "./requests/index.js"
