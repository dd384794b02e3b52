/**
 * What a rule is: a pure function from the decision context to findings, plus the same
 * function as an Effect program that reads `now` from Effect's Clock and the configuration from
 * the `Policy` service. The engine evaluates every rule (no short-circuit) on a context prepared
 * once per decision, so a decision lists every reason that applies.
 */
import { Clock, Context, Effect } from "effect"
import { prepareContext } from "../engine/prepare.js"
import type { DecisionInput } from "../model/decision-input.js"
import type { RuleCode } from "../model/decision.js"
import type { Connection } from "../model/lineage.js"
import { DEFAULT_POLICY_CONFIG, type PolicyConfig } from "../model/policy-config.js"

/**
 * What a finding does to a verdict. `deny` (invalid request or closed lineage) outranks
 * `reauthenticate`, which outranks `new-order`, then `wait`; `warn` never changes a verdict.
 */
export type FindingEffect = "deny" | "reauthenticate" | "new-order" | "wait" | "warn"

/** One rule's finding: for one connection, or for the whole lineage (`connectionId: null`). */
export interface Finding {
  readonly code: RuleCode
  readonly effect: FindingEffect
  readonly connectionId: string | null
  readonly message: string
  readonly data: Record<string, unknown>
  /** For `wait`: when this rule stops making the caller wait (epoch ms); null when unknown. */
  readonly until?: number | null
}

export type { LedgerEntry, RuleContext, ScopedConnection } from "./rule-context.js"
import type { RuleContext, ScopedConnection } from "./rule-context.js"

export interface Rule {
  readonly code: RuleCode
  /** The rule as a pure function of a prepared context (the engine's hot path). */
  readonly evaluate: (ctx: RuleContext) => ReadonlyArray<Finding>
  /**
   * The rule as an Effect program on a validated input: `now` from Effect's `Clock`, the
   * configuration from the `Policy` service.
   *
   * @example
   * const findings = yield* rateWindow.program(input)   // under TestClock and a Policy
   */
  readonly program: (input: DecisionInput) => Effect.Effect<ReadonlyArray<Finding>>
}

/**
 * The policy configuration as an Effect service. Rules and the engine read it only through
 * this reference; it defaults to DESIGN.md's configuration.
 *
 * @example
 * decideEffect(input).pipe(Effect.provideService(Policy, PolicyConfig.parse({ rateWindow: { limit: 2 } })))
 */
export const Policy = Context.Reference<PolicyConfig>("@recert/core/Policy", {
  defaultValue: () => DEFAULT_POLICY_CONFIG
})

/**
 * A rule as an Effect program: `now` from the Clock, the configuration from `Policy`.
 *
 * @example
 * const findings = yield* ruleProgram(rateWindow, (now, config) => prepareContext(input, now, config))
 */
export const ruleProgram = (
  rule: Pick<Rule, "evaluate">,
  prepare: (now: number, config: PolicyConfig) => RuleContext
): Effect.Effect<ReadonlyArray<Finding>> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const config = yield* Policy
    return rule.evaluate(prepare(now, config))
  })

/**
 * Shorthand used by every rule file: the pure evaluation, and the same as an Effect program.
 *
 * @example
 * export const lineageClosed = defineRule("lineage.closed", (ctx) => ctx.lineage.status === "open" ? NONE : [...])
 */
export const defineRule = (code: RuleCode, evaluate: (ctx: RuleContext) => ReadonlyArray<Finding>): Rule => ({
  code,
  evaluate,
  program: (input) => ruleProgram({ evaluate }, (now, config) => prepareContext(input, now, config))
})

/** The status a connection last reported, unless the user re-authenticated after it. */
export const currentStatus = (c: ScopedConnection): Connection["lastTaskStatus"] => {
  const status = c.connection.lastTaskStatus
  if (status === null) return null
  if (c.lastStatusAtMs !== null && c.authenticatedAtMs > c.lastStatusAtMs) return null
  return status
}

export const NONE: ReadonlyArray<Finding> = []
