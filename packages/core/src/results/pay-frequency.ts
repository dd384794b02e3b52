/**
 * How often an employer pays, and how many pay periods make a year. Annualising weekly (x52),
 * bi-weekly (x26), semi-monthly (x24) and monthly (x12) pay differently is the classic trap
 * (a bi-weekly check is not half a month: two months a year hold three of them), so every
 * annualisation names its multiplier. Codes are Truv's (`W`, `BW`, `SM`, `M`, `SA`, `A`);
 * `irregular` is pay without a fixed cadence (Truv's `C`, commission, and gig pay), `unknown` a
 * missing or unrecognised code (the raw code is kept beside it on the employer).
 */
import { z } from "zod"

export const PayFrequency = z.enum(["W", "BW", "SM", "M", "SA", "A", "irregular", "unknown"])
export type PayFrequency = z.infer<typeof PayFrequency>

/** Pay periods per year of each fixed cadence; null for `irregular` and `unknown`. */
export const PERIODS_PER_YEAR: Readonly<Record<PayFrequency, number | null>> = {
  W: 52, BW: 26, SM: 24, M: 12, SA: 2, A: 1, irregular: null, unknown: null
}

/** Words for a caseworker. */
export const PAY_FREQUENCY_LABEL: Readonly<Record<PayFrequency, string>> = {
  W: "weekly", BW: "bi-weekly", SM: "semi-monthly", M: "monthly", SA: "semi-annual", A: "annual",
  irregular: "irregular", unknown: "unknown"
}
