/**
 * Validation of untrusted input: the zod schemas, plus the checks a schema cannot express
 * (unique ids, ledger entries that name connections of the lineage, a root order first). All
 * problems are collected into one `InvalidInput`, each with its path.
 */
import type { z } from "zod"
import { type InputIssue, InvalidInput, issuesFromZod } from "../errors.js"
import { DecisionInput } from "../model/decision-input.js"
import { PolicyConfig } from "../model/policy-config.js"
import { fastDecisionInput } from "./fast-parse.js"

const duplicates = (values: ReadonlyArray<string>): Array<number> => {
  const seen = new Set<string>()
  const result: Array<number> = []
  values.forEach((v, i) => (seen.has(v) ? result.push(i) : seen.add(v)))
  return result
}

/** Cross-field checks on a schema-valid input, with paths relative to `prefix`. */
export const lineageIssues = (input: DecisionInput, prefix = ""): Array<InputIssue> => {
  const p = (path: string) => (prefix === "" ? path : `${prefix}.${path}`)
  const issues: Array<InputIssue> = []
  const { orders, connections } = input.lineage
  if (orders[0]!.parentId !== null) issues.push({ path: p("lineage.orders[0].parentId"), message: "the first order is the root and must have parentId null" })
  if (orders[0]!.id !== input.lineage.rootOrderId) issues.push({ path: p("lineage.orders[0].id"), message: `the first order must be the root order ${input.lineage.rootOrderId}` })
  for (const i of duplicates(orders.map((o) => o.id))) issues.push({ path: p(`lineage.orders[${i}].id`), message: `duplicate order id ${orders[i]!.id}` })
  for (const i of duplicates(connections.map((c) => c.id))) issues.push({ path: p(`lineage.connections[${i}].id`), message: `duplicate connection id ${connections[i]!.id}` })
  for (const i of duplicates(input.ledger.map((a) => a.id))) issues.push({ path: p(`ledger[${i}].id`), message: `duplicate attempt id ${input.ledger[i]!.id}` })
  const ids = new Set(connections.map((c) => c.id))
  input.ledger.forEach((a, i) => a.connectionIds.forEach((id, j) => {
    if (!ids.has(id)) issues.push({ path: p(`ledger[${i}].connectionIds[${j}]`), message: `no connection ${id} in the lineage` })
  }))
  return issues
}

const fail = (what: string, issues: Array<InputIssue>): never => {
  throw new InvalidInput({ what, issues })
}

/**
 * Parses and checks a decision input. Throws `InvalidInput` listing every problem.
 *
 * @example
 * const input = parseDecisionInput(JSON.parse(text))
 */
export const parseDecisionInput = (raw: unknown): DecisionInput => fastDecisionInput(raw) ?? parseDecisionInputSlow(raw)

/** Zod's verdict, with every issue (the fast path's fallback). */
const parseDecisionInputSlow = (raw: unknown): DecisionInput => {
  const parsed = DecisionInput.safeParse(raw)
  if (!parsed.success) return fail("decision input", issuesFromZod(parsed.error))
  const issues = lineageIssues(parsed.data)
  return issues.length > 0 ? fail("decision input", issues) : parsed.data
}

/**
 * Validates one input of a batch: the parsed input, or its issues with paths prefixed `[i]`.
 * Shared by `decideBatch` and `decideManyEffect`.
 */
export const checkBatchInput = (raw: unknown, i: number, issues: Array<InputIssue>): DecisionInput | undefined => {
  const fast = fastDecisionInput(raw)
  if (fast !== undefined) return fast
  const parsed = DecisionInput.safeParse(raw)
  if (!parsed.success) {
    issues.push(...issuesFromZod(parsed.error, `[${i}]`))
    return undefined
  }
  issues.push(...lineageIssues(parsed.data, `[${i}]`))
  return parsed.data
}

/** Parses a policy configuration (every field optional; defaults from DESIGN.md). */
export const parsePolicyConfig = (raw: unknown): PolicyConfig => {
  const parsed = PolicyConfig.safeParse(raw ?? {})
  return parsed.success ? parsed.data : fail("policy configuration", issuesFromZod(parsed.error, "", PolicyConfig))
}

/** Parses `raw` with `schema`, throwing `InvalidInput` that names `what`. */
export const parseWith = <S extends z.ZodType>(schema: S, what: string, raw: unknown): z.infer<S> => {
  const parsed = schema.safeParse(raw)
  return parsed.success ? parsed.data : fail(what, issuesFromZod(parsed.error, "", schema))
}
