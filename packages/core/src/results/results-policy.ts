/**
 * The `results` section of the policy configuration: the program window and the thresholds of
 * the change classification. It is optional in `PolicyConfig` and resolved with
 * `resultsPolicyOf`, so configurations written before it (and the policy version of every
 * decision made with them) stay as they were.
 *
 * A change of monthly income is material only when it exceeds EVERY threshold that is set:
 * more than `income.monthlyCents` AND more than `income.percent` % of the previous figure. Set
 * one to null to use only the other, so "not changed by more than $50 a month" is
 * `{ income: { monthlyCents: 5000, percent: null } }`. Exactly at a threshold is unchanged.
 */
import { z } from "zod"
import { ProgramWindow } from "./program-window.js"

/**
 * @example
 * ResultsPolicy.parse({})                                                  // the defaults below
 * ResultsPolicy.parse({ income: { monthlyCents: 5000, percent: null } })   // "$50 a month"
 */
export const ResultsPolicy = z.strictObject({
  /** The program window of the summary. Default: the last 90 days. */
  window: ProgramWindow.default({ kind: "last-days", days: 90 }),
  income: z.strictObject({
    /** Monthly income may move by this many cents and still be unchanged. Default $100. */
    monthlyCents: z.int().nonnegative().nullable().default(10_000),
    /** ...and by this percentage of the previous monthly income. Default 10 %. */
    percent: z.number().nonnegative().finite().nullable().default(10)
  }).prefault({}),
  /** Weekly hours falling by more than this percentage are `hours.down`. Default 10 %. */
  hoursDownPercent: z.number().nonnegative().max(100).default(10),
  /** An employment not ended whose last pay is more than this many days old is `pay.none`. Default 35 (a monthly payer with a slipped pay date). */
  noPayDays: z.int().positive().max(3_650).default(35),
  /** The class of a first verification with no previous snapshot or imported baseline. Default `review`. */
  withoutBaseline: z.enum(["review", "renew"]).default("review")
})
export type ResultsPolicy = z.infer<typeof ResultsPolicy>
export type ResultsPolicyInput = z.input<typeof ResultsPolicy>

export const DEFAULT_RESULTS_POLICY: ResultsPolicy = ResultsPolicy.parse({})

/** The `results` section of a configuration, with its defaults. */
export const resultsPolicyOf = (config: { readonly results?: ResultsPolicy | undefined }): ResultsPolicy =>
  config.results ?? DEFAULT_RESULTS_POLICY
