/**
 * The useful-report check: is there enough in a snapshot for a caseworker to act on? A report
 * that fails it becomes a result of its own (`review`, "the report is not usable, because ..."),
 * never a silent success.
 *
 * - Income lineage: an employer with a name, and either a statement of a named employer with a
 *   pay date and a positive gross, or a named employment that has clearly ended (not active, with
 *   an end date: the report answers the question even without pay).
 * - Employment-only (VOE) lineage: there are no statements to ask for, so an employer with a name
 *   and a definite status (active or ended) is useful; an unknown status is not.
 * - Either: no `blocking` data issue (a malformed amount or date the income rests on).
 */
import { z } from "zod"
import type { EmployerRecord, IncomeSnapshot } from "./income-snapshot.js"

export const UsabilityProblemCode = z.enum(["employers.none", "employer.name-missing", "statements.none-paid", "status.unknown", "data.malformed"])
export type UsabilityProblemCode = z.infer<typeof UsabilityProblemCode>

export const UsabilityProblem = z.object({
  code: UsabilityProblemCode,
  /** The field at fault, when there is one. */
  path: z.string().nullable(),
  message: z.string()
})
export type UsabilityProblem = z.infer<typeof UsabilityProblem>

export type Usability =
  | { readonly usable: true }
  | { readonly usable: false; readonly problems: ReadonlyArray<UsabilityProblem> }

const named = (e: EmployerRecord): boolean => (e.name ?? "").trim() !== ""

/** A statement a caseworker can count: a pay date and a gross above zero. */
export const isPaidStatement = (s: { readonly payDate: string | null; readonly grossCents: number | null }): boolean =>
  s.payDate !== null && s.grossCents !== null && s.grossCents > 0

const contentProblem = (snapshot: IncomeSnapshot, withName: ReadonlyArray<EmployerRecord>): UsabilityProblem | null => {
  if (snapshot.product === "employment") {
    return withName.some((e) => e.status.state !== "unknown") ? null
      : { code: "status.unknown", path: null, message: "no employment has a known status (neither active nor clearly ended)" }
  }
  const paid = withName.some((e) => (e.statements ?? []).some(isPaidStatement))
  const ended = withName.some((e) => e.status.state === "ended")
  return paid || ended ? null
    : { code: "statements.none-paid", path: null, message: "no pay statement has a pay date and a positive gross, and no employment has clearly ended" }
}

/**
 * @example
 * const u = checkUsable(snapshot)
 * if (!u.usable) console.log(u.problems.map((p) => p.message).join("; "))
 */
export const checkUsable = (snapshot: IncomeSnapshot): Usability => {
  const problems: Array<UsabilityProblem> = snapshot.issues
    .filter((i) => i.severity === "blocking")
    .map((i) => ({ code: "data.malformed", path: i.path, message: `${i.path} ${i.message}` }))
  const withName = snapshot.employers.filter(named)
  if (snapshot.employers.length === 0) {
    problems.push({ code: "employers.none", path: null, message: "it lists no employment" })
  } else if (withName.length === 0) {
    problems.push({ code: "employer.name-missing", path: null, message: "no employment names its employer" })
  } else {
    const p = contentProblem(snapshot, withName)
    if (p !== null) problems.push(p)
  }
  return problems.length === 0 ? { usable: true } : { usable: false, problems }
}

/** "The report is not usable, because ...": one sentence for the caseworker. */
export const notUsableSentence = (problems: ReadonlyArray<UsabilityProblem>): string =>
  `The report is not usable, because ${problems.map((p) => p.message).join("; and ")}`
