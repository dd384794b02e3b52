/**
 * The Effect API: the engine with `now` from Effect's Clock and the configuration from the
 * `Policy` service, so tests move time with `TestClock` and callers swap policies with a Layer.
 */
import { Clock, Effect } from "effect"
import { decideAt } from "./engine/decide.js"
import { fastDecisionInput } from "./engine/fast-parse.js"
import { checkBatchInput, lineageIssues, parsePolicyConfig } from "./engine/validate.js"
import { type InputIssue, InvalidInput, issuesFromZod } from "./errors.js"
import type { Decision } from "./model/decision.js"
import { DecisionInput } from "./model/decision-input.js"
import type { PolicyConfig } from "./model/policy-config.js"
import { type Plan, PlanCase, planAt } from "./planner/plan.js"
import { Policy } from "./rules/rule.js"

/**
 * Validates an untrusted decision input, failing with every problem.
 *
 * @example
 * const input = yield* validateDecisionInput(JSON.parse(text))
 */
export const validateDecisionInput = (raw: unknown): Effect.Effect<DecisionInput, InvalidInput> => {
  const fast = fastDecisionInput(raw)
  if (fast !== undefined) return Effect.succeed(fast)
  const parsed = DecisionInput.safeParse(raw)
  if (!parsed.success) return Effect.fail(new InvalidInput({ what: "decision input", issues: issuesFromZod(parsed.error) }))
  const issues = lineageIssues(parsed.data)
  return issues.length > 0 ? Effect.fail(new InvalidInput({ what: "decision input", issues })) : Effect.succeed(parsed.data)
}

/**
 * Validates an untrusted policy configuration (a file, a request body) for the `Policy` service:
 * unknown keys at any depth and out-of-range durations fail with every problem and its path.
 *
 * @example
 * const config = yield* validatePolicyConfig(JSON.parse(text))
 * program.pipe(Effect.provideService(Policy, config))
 */
export const validatePolicyConfig = (raw: unknown): Effect.Effect<PolicyConfig, InvalidInput> =>
  Effect.try({ try: () => parsePolicyConfig(raw), catch: (e) => e instanceof InvalidInput ? e : new InvalidInput({ what: "policy configuration", issues: [{ path: "(root)", message: String(e) }] }) })

/**
 * Decides one input now (Effect's Clock) under the `Policy` configuration.
 *
 * @example
 * const decision = yield* decideEffect(raw).pipe(Effect.provideService(Policy, config))
 */
export const decideEffect = (raw: unknown): Effect.Effect<Decision, InvalidInput> =>
  Effect.gen(function*() {
    const input = yield* validateDecisionInput(raw)
    const now = yield* Clock.currentTimeMillis
    return decideAt(input, now, yield* Policy)
  })

/**
 * Decides a batch at one instant: the clock and configuration are read once, every input is
 * validated first, and a batch with any invalid input fails whole, listing every problem with
 * its index (`[3].lineage.orders`).
 *
 * @example
 * const decisions = Effect.runSync(decideManyEffect([raw1, raw2]))
 */
export const decideManyEffect = Effect.fnUntraced(function*(raws: ReadonlyArray<unknown>): Effect.fn.Return<Array<Decision>, InvalidInput> {
  const inputs: Array<DecisionInput> = []
  const issues: Array<InputIssue> = []
  for (let i = 0; i < raws.length; i++) {
    const input = checkBatchInput(raws[i], i, issues)
    if (input !== undefined) inputs.push(input)
  }
  if (issues.length > 0) return yield* new InvalidInput({ what: "decision inputs", issues })
  const now = yield* Clock.currentTimeMillis
  const config = yield* Policy
  const decisions = new Array<Decision>(inputs.length)
  for (let i = 0; i < inputs.length; i++) decisions[i] = decideAt(inputs[i]!, now, config)
  return decisions
})

/**
 * Plans cases now (Effect's Clock) under the `Policy` configuration.
 *
 * @example
 * const { totals } = yield* planEffect(cases).pipe(Effect.provideService(Policy, config))
 */
export const planEffect = (raws: ReadonlyArray<unknown>): Effect.Effect<Plan, InvalidInput> =>
  Effect.gen(function*() {
    const cases: Array<PlanCase> = []
    const issues: Array<InputIssue> = []
    raws.forEach((raw, i) => {
      const parsed = PlanCase.safeParse(raw)
      if (parsed.success) cases.push(parsed.data)
      else issues.push(...issuesFromZod(parsed.error, `[${i}]`))
    })
    if (issues.length > 0) return yield* new InvalidInput({ what: "plan cases", issues })
    return planAt(cases, yield* Clock.currentTimeMillis, yield* Policy)
  })
