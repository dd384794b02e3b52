/** Runs one rule, or the whole decision, on a raw input at an instant, as the tests read them. */
import { type Decision, type DecisionInputRaw, decide, type Finding, parseDecisionInput, PolicyConfig, type PolicyConfigInput, prepareContext, type Rule } from "@recert/core"

export const findingsOf = (rule: Rule, raw: DecisionInputRaw, now: number, config: PolicyConfigInput = {}): ReadonlyArray<Finding> =>
  rule.evaluate(prepareContext(parseDecisionInput(raw), now, PolicyConfig.parse(config)))

export const decisionOf = (raw: DecisionInputRaw, now: number, config: PolicyConfigInput = {}): Decision => decide(raw, { now, config })

/** The verdict of each connection, by id. */
export const verdicts = (d: Decision): Record<string, string> => Object.fromEntries(d.connections.map((c) => [c.connectionId, c.verdict]))
