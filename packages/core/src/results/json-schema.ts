/**
 * JSON Schema for the renewal results (snapshot, baseline, summary, change result, results
 * policy), generated from the zod schemas like core's decision schema (`jsonSchemas()`), for
 * other teams and for `recert schema`.
 */
import { z } from "zod"
import { Baseline } from "./baseline.js"
import { ChangeResult } from "./change-result.js"
import { IncomeSnapshot } from "./income-snapshot.js"
import { IncomeSummary } from "./income-summary.js"
import { ResultsPolicy } from "./results-policy.js"

/**
 * @example
 * JSON.stringify(resultsJsonSchemas().changeResult, null, 2)
 */
export const resultsJsonSchemas = () => ({
  incomeSnapshot: z.toJSONSchema(IncomeSnapshot, { io: "input" }),
  baseline: z.toJSONSchema(Baseline, { io: "input" }),
  incomeSummary: z.toJSONSchema(IncomeSummary, { io: "output" }),
  changeResult: z.toJSONSchema(ChangeResult, { io: "output" }),
  resultsPolicy: z.toJSONSchema(ResultsPolicy, { io: "input" })
})
