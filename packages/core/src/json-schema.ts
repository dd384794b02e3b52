/**
 * JSON Schema for the inputs and the decision, generated from the zod schemas (the zod schemas
 * are the single source of truth). `recert schema` prints these.
 */
import { z } from "zod"
import { Case } from "./model/case.js"
import { Decision } from "./model/decision.js"
import { DecisionInput } from "./model/decision-input.js"
import { PolicyConfig } from "./model/policy-config.js"
import { PlanCase } from "./planner/plan.js"

/**
 * @example
 * JSON.stringify(jsonSchemas().decisionInput, null, 2)
 */
export const jsonSchemas = () => ({
  decisionInput: z.toJSONSchema(DecisionInput, { io: "input" }),
  decision: z.toJSONSchema(Decision, { io: "output" }),
  policyConfig: z.toJSONSchema(PolicyConfig, { io: "input" }),
  case: z.toJSONSchema(Case, { io: "input" }),
  planCase: z.toJSONSchema(PlanCase, { io: "input" })
})
