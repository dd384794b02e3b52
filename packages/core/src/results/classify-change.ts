/**
 * The change classification, pure: a verification's snapshot against the case's baseline (the
 * previous verified snapshot's figures, or an imported baseline) at an explicit `now`. The class
 * is `review` when the report is not usable, or any change check finds a material change, or
 * there is no baseline and the policy says a first verification is reviewed; else `renew`.
 */
import { canonicalJson, sha256Hex } from "../engine/digest.js"
import { type Baseline, baselineOf } from "./baseline.js"
import { CHANGE_CHECKS, statusUncertain } from "./change-checks.js"
import type { ChangeReason, ChangeResult } from "./change-result.js"
import type { IncomeSnapshot } from "./income-snapshot.js"
import { DEFAULT_RESULTS_POLICY, type ResultsPolicy } from "./results-policy.js"
import { summarise } from "./summarise.js"
import { checkUsable, notUsableSentence } from "./usable-report.js"

const versions = new WeakMap<ResultsPolicy, string>()
/** SHA-256 (hex) of the results policy in canonical JSON. */
export const resultsPolicyVersion = (policy: ResultsPolicy): string => {
  let v = versions.get(policy)
  if (v === undefined) versions.set(policy, v = sha256Hex(canonicalJson(policy)))
  return v
}

const baselineNone = (policy: ResultsPolicy): ChangeReason => ({
  code: "baseline.none",
  message: `First verification of this case: there is no previous verification to compare with${policy.withoutBaseline === "review" ? ", so a caseworker reviews it" : ""}`,
  data: { withoutBaseline: policy.withoutBaseline }
})

export interface ClassifyOptions {
  /** The instant of the classification and of the current summary (epoch ms). */
  readonly now: number
  readonly policy?: ResultsPolicy
}

/**
 * Classify a snapshot against a baseline (null: first verification).
 *
 * @example
 * const result = classifyChange(current, baselineOf(previous, policy.window), { now: Date.parse("2026-11-23T16:05:00Z"), policy })
 * result.class               // "renew" | "review"
 * result.reasons.map((r) => r.code)   // e.g. ["income.down", "hours.down"]
 */
export const classifyChange = (current: IncomeSnapshot, baseline: Baseline | null, options: ClassifyOptions): ChangeResult => {
  const policy = options.policy ?? DEFAULT_RESULTS_POLICY
  const head = { at: new Date(options.now).toISOString(), policyVersion: resultsPolicyVersion(policy), baseline }
  const usability = checkUsable(current)
  if (!usability.usable) {
    const reason: ChangeReason = {
      code: "report.not-usable", message: notUsableSentence(usability.problems),
      data: { problems: usability.problems.map((p) => ({ code: p.code, path: p.path })) }
    }
    return { class: "review", ...head, reasons: [reason], notes: [], summary: null, problems: [...usability.problems] }
  }
  const summary = summarise(current, policy.window, options.now)
  const input = { summary, baseline, policy }
  const reasons = CHANGE_CHECKS.flatMap((check) => check(input))
  const notes = statusUncertain(input)
  if (baseline === null) (policy.withoutBaseline === "review" ? reasons : notes).unshift(baselineNone(policy))
  return { class: reasons.length === 0 ? "renew" : "review", ...head, reasons, notes, summary, problems: [] }
}

export interface AssessOptions extends ClassifyOptions {
  /** The case's previous verified snapshot, if any. */
  readonly previous?: IncomeSnapshot | null
  /** A baseline supplied by the case import; used when there is no previous snapshot. */
  readonly importedBaseline?: Baseline | null
}

/**
 * The renewal's result: the previous snapshot's figures (over the same window, at its own fetch
 * instant) if there is one, else the imported baseline, else none; then `classifyChange`.
 *
 * @example
 * assessVerification(current, { now: Date.parse("2026-11-23T16:05:00Z"), previous, policy: resultsPolicyOf(config) })
 */
export const assessVerification = (current: IncomeSnapshot, options: AssessOptions): ChangeResult => {
  const policy = options.policy ?? DEFAULT_RESULTS_POLICY
  const previous = options.previous ?? null
  const baseline = previous !== null ? baselineOf(previous, policy.window) : options.importedBaseline ?? null
  return classifyChange(current, baseline, { now: options.now, policy })
}
