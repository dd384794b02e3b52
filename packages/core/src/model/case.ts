/**
 * A case: the user's own record that must be re-verified by a date, linked to one Truv order
 * lineage. The planner reads cases; the rules read lineages and ledgers.
 */
import { z } from "zod"
import { Id, Instant, Product } from "./primitives.js"

export const ReviewCycle = z.enum(["annual", "semiannual", "quarterly", "monthly", "ad-hoc"])
export type ReviewCycle = z.infer<typeof ReviewCycle>

/** Months per review cycle (`ad-hoc` cases are not rescheduled). */
export const CYCLE_MONTHS: Readonly<Record<ReviewCycle, number | null>> = {
  annual: 12, semiannual: 6, quarterly: 3, monthly: 1, "ad-hoc": null
}

/**
 * @example
 * Case.parse({ id: "case-17", dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: "ord-1" })
 */
export const Case = z.object({
  /** The caller's own id for the case (e.g. a benefits case number). */
  id: Id,
  dueAt: Instant,
  cycle: ReviewCycle,
  rootOrderId: Id,
  /** The product to re-verify; defaults to the lineage's order type. */
  product: Product.nullable().default(null),
  /** When the case was last re-verified; a case verified within the lead time of its due date is done. */
  lastVerifiedAt: Instant.nullable().default(null)
})
export type Case = z.infer<typeof Case>
export type CaseInput = z.input<typeof Case>
