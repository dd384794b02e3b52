/**
 * The plain facade for teams that do not use Effect: synchronous functions over JSON. Inputs are
 * typed with the zod schemas' input types (`DecisionInputRaw`, `PlanCaseInput`,
 * `PolicyConfigInput`), so a TypeScript caller gets a compile error for a wrong shape, and are
 * still validated at run time for JavaScript callers and parsed JSON (`any`); an invalid one
 * throws `InvalidInput` (an `Error` whose `issues` list every problem with its path). Results
 * are plain JSON-serialisable objects.
 */
import { decideAt } from "./engine/decide.js"
import { checkBatchInput, lineageIssues, parseDecisionInput, parsePolicyConfig } from "./engine/validate.js"
import { type InputIssue, InvalidInput, issuesFromZod } from "./errors.js"
import type { Decision } from "./model/decision.js"
import type { DecisionInput, DecisionInputRaw } from "./model/decision-input.js"
import { DEFAULT_POLICY_CONFIG, type PolicyConfig, type PolicyConfigInput } from "./model/policy-config.js"
import { Instant } from "./model/primitives.js"
import { type Plan, PlanCase, type PlanCaseInput, planAt } from "./planner/plan.js"

export interface FacadeOptions {
  /** The instant to decide at: an ISO string with a zone, a Date, or epoch milliseconds. */
  readonly now: string | Date | number
  /** The policy configuration (partial; defaults from DESIGN.md). */
  readonly config?: PolicyConfigInput | PolicyConfig
}

const configs = new WeakMap<object, PolicyConfig>()
const resolveConfig = (config: FacadeOptions["config"]): PolicyConfig => {
  if (config === undefined) return DEFAULT_POLICY_CONFIG
  let parsed = configs.get(config)
  if (parsed === undefined) {
    parsed = parsePolicyConfig(config)
    configs.set(config, parsed)
  }
  return parsed
}

/** The instants an input may name: years 0000 to 9999, as the ISO strings of the schemas. */
const FIRST_MS = Date.parse("0000-01-01T00:00:00.000Z")
const LAST_MS = Date.parse("9999-12-31T23:59:59.999Z")

const resolveNow = (now: FacadeOptions["now"]): number => {
  // Strings must be instants with a zone (the same `Instant` schema as the input), never local time.
  const ms = typeof now === "number" ? now
    : now instanceof Date ? now.getTime()
    : typeof now === "string" && Instant.safeParse(now).success ? Date.parse(now) : NaN
  if (!Number.isFinite(ms) || ms < FIRST_MS || ms > LAST_MS) {
    throw new InvalidInput({ what: "options", issues: [{ path: "now", message: `not an instant with a time zone in years 0000-9999: ${String(now)}` }] })
  }
  return ms
}

/**
 * Decides one refresh request at `now`.
 *
 * @example
 * import { decide } from "@recert/core"
 * const decision = decide({
 *   lineage: {
 *     rootOrderId: "ord-1", orderType: "income",
 *     orders: [{ id: "ord-1", parentId: null, createdAt: "2026-09-01T00:00:00Z" }],
 *     connections: [{ id: "link-1", suborderId: "emp-1", provider: "adp", authKind: "oauth", authenticatedAt: "2026-09-01T00:00:00Z" }]
 *   },
 *   ledger: [],
 *   request: { products: ["income"] }
 * }, { now: "2026-11-22T10:00:00Z" })
 * decision.verdict // "refresh"
 */
export const decide = (input: DecisionInputRaw, options: FacadeOptions): Decision =>
  decideAt(parseDecisionInput(input), resolveNow(options.now), resolveConfig(options.config))

/**
 * Decides a batch of refresh requests at one instant under one configuration (`now` and the
 * configuration are resolved once). A batch with any invalid input throws one `InvalidInput`
 * listing every problem, paths prefixed by the input's index (`[3].lineage.orders`), as
 * `decideManyEffect` does. Decisions come back in input order.
 *
 * @example
 * const decisions = decideBatch([raw1, raw2], { now: "2026-11-22T10:00:00Z" })
 * decisions[1].verdict // "refresh" | "wait" | ...
 */
export const decideBatch = (inputs: ReadonlyArray<DecisionInputRaw>, options: FacadeOptions): Array<Decision> => {
  const parsed = new Array<DecisionInput>(inputs.length)
  const issues: Array<InputIssue> = []
  for (let i = 0; i < inputs.length; i++) {
    const input = checkBatchInput(inputs[i], i, issues)
    if (input !== undefined) parsed[i] = input
  }
  if (issues.length > 0) throw new InvalidInput({ what: "decision inputs", issues })
  const now = resolveNow(options.now)
  const config = resolveConfig(options.config)
  const decisions = new Array<Decision>(parsed.length)
  for (let i = 0; i < parsed.length; i++) decisions[i] = decideAt(parsed[i]!, now, config)
  return decisions
}

/**
 * Like `decide`, but returns the problems instead of throwing. It never throws: an unexpected
 * failure (a bug) comes back as one issue at `(internal)` rather than an exception.
 *
 * @example
 * const r = safeDecide(raw, { now: new Date() })
 * if (!r.ok) for (const issue of r.issues) console.error(issue.path, issue.message)
 */
export const safeDecide = (input: DecisionInputRaw, options: FacadeOptions):
  { readonly ok: true; readonly decision: Decision } | { readonly ok: false; readonly issues: ReadonlyArray<InputIssue> } => {
  try {
    return { ok: true, decision: decide(input, options) }
  } catch (error) {
    if (error instanceof InvalidInput) return { ok: false, issues: error.issues }
    return { ok: false, issues: [{ path: "(internal)", message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}` }] }
  }
}

/**
 * Plans a batch of cases at `now`: one action per case and the expected billed and free
 * verifications. Throws `InvalidInput` listing every invalid case by index.
 *
 * @example
 * const { items, totals } = plan(cases, { now: "2026-12-01T00:00:00Z" })
 * totals.billedVerifications
 */
export const plan = (cases: ReadonlyArray<PlanCaseInput>, options: FacadeOptions): Plan => {
  const parsed: Array<PlanCase> = []
  const issues: Array<InputIssue> = []
  cases.forEach((raw, i) => {
    const r = PlanCase.safeParse(raw)
    if (!r.success) return void issues.push(...issuesFromZod(r.error, `[${i}]`))
    issues.push(...lineageIssues({ lineage: r.data.lineage, ledger: r.data.ledger, request: { products: [] } }, `[${i}]`))
    parsed.push(r.data)
  })
  if (issues.length > 0) throw new InvalidInput({ what: "plan cases", issues })
  return planAt(parsed, resolveNow(options.now), resolveConfig(options.config))
}
