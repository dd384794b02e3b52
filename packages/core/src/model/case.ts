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
  lastVerifiedAt: Instant.nullable().default(null),
  /**
   * Lender pre-closing mode: the closing (note) date, `YYYY-MM-DD`. The re-verification then
   * belongs within `timing.closing.businessDays` business days before it (not the review cycle's
   * window), and the product defaults to employment (`caseProduct`). Absent or null: a review case.
   */
  closingDate: z.iso.date().nullable().optional()
})
export type Case = z.infer<typeof Case>
export type CaseInput = z.input<typeof Case>

/**
 * The product a case re-verifies: the one it asks for; else, for a lender pre-closing case on an
 * income order, employment (the cheapest product that answers "is the borrower still employed?");
 * else the lineage's order type.
 *
 * @example
 * caseProduct({ product: null, closingDate: "2027-07-09" }, { orderType: "income" }) // "employment"
 */
export const caseProduct = (c: Pick<Case, "product" | "closingDate">, lineage: { readonly orderType: Product }): Product =>
  c.product ?? (c.closingDate != null && lineage.orderType === "income" ? "employment" : lineage.orderType)
