/**
 * The engine: evaluates every rule on a context prepared once, and composes the findings into
 * a decision. `decideAt` is pure (input, instant, configuration in; decision out) and is what
 * both the Effect API and the plain facade call.
 */
import type { Decision } from "../model/decision.js"
import type { DecisionInput } from "../model/decision-input.js"
import type { PolicyConfig } from "../model/policy-config.js"
import { RULES } from "../rules/index.js"
import type { Finding } from "../rules/rule.js"
import { composeDecision } from "./compose.js"
import { canonicalJson, sha256Hex } from "./digest.js"
import { prepareContext } from "./prepare.js"

const versions = new WeakMap<PolicyConfig, string>()

/**
 * SHA-256 (hex) of the configuration in canonical JSON: the `policyVersion` of every decision
 * made with it. Cached per configuration object.
 *
 * @example
 * policyVersion(DEFAULT_POLICY_CONFIG) // "3f1c…" (64 hex characters)
 */
export const policyVersion = (config: PolicyConfig): string => {
  let version = versions.get(config)
  if (version === undefined) {
    version = sha256Hex(canonicalJson(config))
    versions.set(config, version)
  }
  return version
}

/**
 * SHA-256 (hex) of a decision input in canonical JSON, for the decision audit log: with the
 * instant and the policy version it identifies a decision exactly.
 *
 * @example
 * digestInput(parseDecisionInput(raw)) // "9c1e…" (64 hex characters)
 */
export const digestInput = (input: DecisionInput): string => sha256Hex(canonicalJson(input))

/**
 * Decides one (already validated) input at `now` (epoch ms) under `config`. Every rule runs.
 *
 * @example
 * const decision = decideAt(DecisionInput.parse(raw), Date.parse("2026-11-22T10:00:00Z"), DEFAULT_POLICY_CONFIG)
 * decision.verdict // "refresh" | "wait" | "reauthenticate" | "new-order" | "deny"
 */
export const decideAt = (input: DecisionInput, now: number, config: PolicyConfig): Decision => {
  const ctx = prepareContext(input, now, config)
  const findings: Array<Finding> = []
  for (let r = 0; r < RULES.length; r++) {
    const found = RULES[r]!.evaluate(ctx)
    for (let i = 0; i < found.length; i++) findings.push(found[i]!)
  }
  return composeDecision(ctx, findings, policyVersion(config))
}
