/**
 * `recert stats providers [--json]`: the validity learned from the ledger, per (provider, auth
 * kind): the authentication episodes observed, how many ended in a refresh that needed the user,
 * the Kaplan–Meier median lifetime and survival at 30/60/90/180 days, and the first day from which
 * the learning rule (default settings) sends the user a link instead of a billed refresh.
 */
import {
  DEFAULT_LEARNING_POLICY, evidenceAt, type LearningPolicy, medianDays, predictedSuccess, survivalAt, type ValidityEstimate
} from "@recert/core"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { orDash, paint, printJson, printLines, table } from "../output.js"

const DAYS = [30, 60, 90, 180] as const

/** The first whole day (up to the last observed one) at which the rule would speak, or null. */
export const firstAskDay = (e: ValidityEstimate, policy: LearningPolicy = DEFAULT_LEARNING_POLICY): number | null => {
  const last = e.steps.length === 0 ? -1 : e.steps[e.steps.length - 1]!.day
  for (let d = 0; d <= last; d++) {
    if (evidenceAt(e, d).atRisk >= policy.minSample && predictedSuccess(e, d) < policy.minSuccess) return d
  }
  return null
}

export interface ProviderEstimateJson {
  readonly provider: string
  readonly authKind: string
  readonly episodes: number
  readonly failures: number
  readonly medianDays: number | null
  readonly survival: Record<string, number>
  readonly asksUserFromDay: number | null
  readonly steps: ValidityEstimate["steps"]
}

const round = (x: number) => Math.round(x * 1000) / 1000

export const statsProviders = Command.make("providers", { db: Opt.db, json: Opt.json }, Effect.fn("stats providers")(function*({ db, json }) {
  const estimates = yield* withStore(db, "read", (store) => store.validityEstimates())
  const rows: Array<ProviderEstimateJson> = estimates.map((e) => ({
    provider: e.provider, authKind: e.authKind, episodes: e.episodes, failures: e.failures, medianDays: medianDays(e),
    survival: Object.fromEntries(DAYS.map((d) => [String(d), round(survivalAt(e, d))])),
    asksUserFromDay: firstAskDay(e), steps: e.steps
  }))
  if (json) return yield* printJson({ minSample: DEFAULT_LEARNING_POLICY.minSample, minSuccess: DEFAULT_LEARNING_POLICY.minSuccess, estimates: rows })
  if (rows.length === 0) return yield* printLines(["no refresh outcomes recorded yet: nothing learned"])
  const p = yield* paint
  yield* printLines([
    ...table(p, ["PROVIDER", "AUTH", "EPISODES", "FAILED", "MEDIAN", ...DAYS.map((d) => `S(${d}d)`), "LINK FROM"], rows.map((r) => [
      r.provider, r.authKind, String(r.episodes), String(r.failures), r.medianDays === null ? "-" : `${r.medianDays}d`,
      ...DAYS.map((d) => `${Math.round(r.survival[String(d)]! * 100)}%`), r.asksUserFromDay === null ? "-" : `day ${orDash(r.asksUserFromDay)}`
    ])),
    "",
    `S(t): share of logins still refreshable t days after login (Kaplan–Meier). LINK FROM: first day the rule sends a link instead of a refresh (at least ${DEFAULT_LEARNING_POLICY.minSample} episodes observed, predicted success below ${Math.round(DEFAULT_LEARNING_POLICY.minSuccess * 100)}%).`
  ])
})).pipe(
  Command.withDescription("Validity learned from the ledger, per provider and auth kind (Kaplan–Meier)"),
  Command.withExamples([
    { command: "recert stats providers", description: "The learned estimates as a table" },
    { command: "recert stats providers --json", description: "The estimates with their full tables" }
  ])
)
