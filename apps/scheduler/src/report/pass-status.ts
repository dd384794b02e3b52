/**
 * What a pass's report says of the pass as a whole, and the exit code of `run`: every due case
 * accounted for (`due`), and a status with its reasons.
 *
 * | status | exit | when (any of) |
 * |---|---|---|
 * | `failed` | 1 | Truv refused our credentials (401/403: the pass stops at the first); Truv unreachable (no call got an answer, or 8 in a row got none: the pass stops); the store failing (a full, read-only or failing disk: the pass stops at the first such error; or the pass itself could not go on); every due case was tried and none could be processed (each failed or could not be loaded) |
 * | `degraded` | 3 | some due cases could not be loaded (listed); some cases failed (listed, with why); some Truv calls failed (5xx, no answer, a body that does not validate, 404); Truv throttled us (429: the request budget ran out); Truv refused a refresh for its 24 h limit (our ledger missed one); some store operations failed |
 * | `ok` | 0 | none of the above (cases that need their user, wait for a rate window or a provider are results, not faults) |
 *
 * A stop the operator asked for (SIGINT/SIGTERM) is not a fault: the report says `stopped` and
 * counts what was not reached, and the status is what the rest says.
 */
import type { RunStats } from "../runner/run-stats.js"

export type PassStatus = "ok" | "degraded" | "failed"

export interface StatusReason {
  /** Stable: `truv.unauthorized`, `truv.unreachable`, `store.failing`, `pass.error`, `cases.none-processed` (failed); `cases.unloadable`, `cases.failed`, `truv.errors`, `truv.throttled`, `truv.limit-violations`, `store.errors` (degraded). */
  readonly code: string
  readonly message: string
}

/** `run`'s exit code for each status. */
export const EXIT_CODE: Readonly<Record<PassStatus, number>> = { ok: 0, failed: 1, degraded: 3 }

/**
 * Every due case of the pass, once: `total = processed + unloadable + notReached`.
 * - `processed`: the pass reached a result for it (its outcome in `cases.byOutcome`, `failed` included);
 * - `unloadable`: it could not be loaded (listed in `unloadable` with why);
 * - `notReached`: no result this pass: the pass stopped before it (a signal or a failure), or its
 *   renewal for today's eligibility already ran (an earlier pass today, or another worker).
 */
export interface DueAccount {
  readonly total: number
  readonly processed: number
  readonly unloadable: number
  readonly notReached: number
}

export interface CaseProblem {
  readonly caseId: string
  readonly reason: string
}

export const dueAccount = (s: RunStats): DueAccount => {
  let processed = 0
  for (const id of s.due) if (!s.unloadable.has(id) && s.outcomes.has(id)) processed++
  // The stream read every due case unless the pass stopped first; then the count at the start says how many there were.
  const total = s.dueStreamDone ? s.due.size : Math.max(s.due.size, s.dueAtStart ?? 0)
  return { total, processed, unloadable: s.unloadable.size, notReached: total - processed - s.unloadable.size }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** Cases whose outcome is `failed`, with why. */
export const failedCases = (s: RunStats): Array<CaseProblem> =>
  [...s.outcomes].filter(([, o]) => o === "failed").map(([caseId]) => ({ caseId, reason: s.failures.get(caseId) ?? "failed" }))
    .sort((a, b) => a.caseId.localeCompare(b.caseId))

export const unloadableCases = (s: RunStats): Array<CaseProblem> =>
  [...s.unloadable].map(([caseId, reason]) => ({ caseId, reason })).sort((a, b) => a.caseId.localeCompare(b.caseId))

/** Truv call failures that are faults of the moment (not a refusal of a request we made). */
const CALL_FAULTS = ["Transport", "ProviderUnavailable", "NotFound", "InvalidRequest"] as const

export const passStatus = (s: RunStats): { readonly status: PassStatus; readonly reasons: ReadonlyArray<StatusReason> } => {
  const failed: Array<StatusReason> = []
  const degraded: Array<StatusReason> = []
  if (s.fatal !== null) failed.push(s.fatal)
  if (s.fatal?.code !== "truv.unreachable" && s.truvUnanswered > 0 && s.truvAnswered === 0) {
    failed.push({ code: "truv.unreachable", message: `Truv unreachable: none of ${plural(s.truvUnanswered, "call")} got an answer (last: ${s.lastTruvError ?? "none"})` })
  }
  const due = dueAccount(s)
  const failures = failedCases(s)
  const dueFailed = failures.filter((f) => s.due.has(f.caseId)).length
  // Every due case was tried (none left for an earlier pass today, another worker or a stop) and none came through.
  if (due.total > 0 && due.notReached === 0 && due.processed - dueFailed === 0) {
    failed.push({ code: "cases.none-processed", message: `no due case could be processed: ${plural(dueFailed, "case")} failed, ${due.unloadable} could not be loaded` })
  }
  if (due.unloadable > 0) degraded.push({ code: "cases.unloadable", message: `${plural(due.unloadable, "due case")} could not be loaded (listed under unloadable)` })
  if (failures.length > 0) degraded.push({ code: "cases.failed", message: `${plural(failures.length, "case")} failed (listed under failed)` })
  const faults = CALL_FAULTS.reduce((n, tag) => n + (s.truvErrors[tag] ?? 0), 0)
  if (faults > 0) {
    const kinds = CALL_FAULTS.filter((t) => (s.truvErrors[t] ?? 0) > 0).map((t) => `${s.truvErrors[t]} ${t}`).join(", ")
    degraded.push({ code: "truv.errors", message: `${plural(faults, "Truv call")} failed (${kinds}; ${s.truvUnanswered} without an answer; last: ${s.lastTruvError ?? "none"})` })
  }
  const throttled = s.truvErrors["Throttled"] ?? 0
  if (throttled > 0) degraded.push({ code: "truv.throttled", message: `Truv's request budget ran out: ${plural(throttled, "call")} throttled (429)` })
  if (s.limitViolations > 0) {
    degraded.push({ code: "truv.limit-violations", message: `Truv refused ${plural(s.limitViolations, "refresh", "refreshes")} for its 24 h limit: the ledger missed a refresh` })
  }
  if (s.storeErrors > 0) degraded.push({ code: "store.errors", message: `${plural(s.storeErrors, "store operation")} failed (last: ${s.lastStoreError ?? "none"})` })
  const status: PassStatus = failed.length > 0 ? "failed" : degraded.length > 0 ? "degraded" : "ok"
  return { status, reasons: [...failed, ...degraded] }
}

/** The operator's one line for a pass that did not end `ok` (stderr). */
export const statusLine = (status: PassStatus, reasons: ReadonlyArray<StatusReason>): string =>
  `pass ${status}: ${reasons.filter((r) => status === "degraded" || FAILED_CODES.has(r.code)).map((r) => r.message).join("; ")}`

const FAILED_CODES: ReadonlySet<string> = new Set(["truv.unauthorized", "truv.unreachable", "store.failing", "pass.error", "cases.none-processed"])
