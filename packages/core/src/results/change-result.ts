/**
 * The change class of a verification, shaped like a decision: `renew` (nothing material changed)
 * or `review`, with every reason that applies (no short-circuit). A reason carries a stable code,
 * a sentence a caseworker can read and the numbers behind it. `notes` are informational (the
 * class does not depend on them).
 */
import { z } from "zod"
import { Instant } from "../model/primitives.js"
import { Baseline } from "./baseline.js"
import { IncomeSummary } from "./income-summary.js"
import { UsabilityProblem } from "./usable-report.js"

/** Every change code. A reader finds a check by its code in `change-checks.ts`. */
export const ChangeCode = z.enum([
  "report.not-usable", "baseline.none", "income.up", "income.down", "hours.down",
  "employment.ended", "employer.new", "employer.missing", "pay.none", "pay.frequency-changed", "status.uncertain"
])
export type ChangeCode = z.infer<typeof ChangeCode>

export const ChangeReason = z.object({
  code: ChangeCode,
  message: z.string(),
  data: z.record(z.string(), z.unknown())
})
export type ChangeReason = z.infer<typeof ChangeReason>

export const ChangeClass = z.enum(["renew", "review"])
export type ChangeClass = z.infer<typeof ChangeClass>

export const ChangeResult = z.object({
  class: ChangeClass,
  /** The instant the classification was made for (`now`). */
  at: Instant,
  /** SHA-256 of the results policy in canonical JSON, so a result can be replayed. */
  policyVersion: z.string(),
  reasons: z.array(ChangeReason),
  notes: z.array(ChangeReason),
  /** Null when the report is not usable (its figures would mislead). */
  summary: IncomeSummary.nullable(),
  /** What the verification was compared with; null for a first verification. */
  baseline: Baseline.nullable(),
  /** The useful-report check's problems; empty when usable. */
  problems: z.array(UsabilityProblem)
})
export type ChangeResult = z.infer<typeof ChangeResult>
