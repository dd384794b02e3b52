/**
 * What one decision reads: the lineage, its ledger and the request. `now` and the policy
 * configuration come from outside (Effect's Clock and the PolicyConfig service, or the
 * facade's options), so the same input can be decided at any instant.
 */
import { z } from "zod"
import { Attempt } from "./attempt.js"
import { ValidityEstimate } from "../learning/validity-estimate.js"
import { Lineage } from "./lineage.js"
import { Instant } from "./primitives.js"
import { RefreshRequest } from "./request.js"

/**
 * A loan's GSE history beyond its current lineage (the lender pre-closing mode): the case is the
 * loan, and when a new order moved it to a new lineage (`Store.moveLineage`), Truv's free GSE
 * re-verifications (5 within 90 days) are still counted per loan, from its first order and over
 * every lineage it has been on. Given by the store for GSE lineages whose case has earlier ones.
 *
 * @example
 * LoanHistory.parse({ firstOrderAt: "2027-05-01T00:00:00Z", attempts: [] })
 */
export const LoanHistory = z.object({
  /** The creation of the loan's first order (the root of its first lineage). */
  firstOrderAt: Instant,
  /** The loan's attempts on the lineages it has left (the current lineage's are the input's `ledger`). */
  attempts: z.array(Attempt).default([])
})
export type LoanHistory = z.infer<typeof LoanHistory>

/**
 * @example
 * DecisionInput.parse({
 *   lineage: { rootOrderId: "ord-1", orderType: "income", orders: [{ id: "ord-1", parentId: null, createdAt: "2026-09-01T00:00:00Z" }],
 *              connections: [{ id: "link-1", suborderId: "emp-1", provider: "adp", authKind: "oauth", authenticatedAt: "2026-09-01T00:00:00Z" }] },
 *   ledger: [],
 *   request: { products: ["income"] }
 * })
 */
export const DecisionInput = z.object({
  lineage: Lineage,
  ledger: z.array(Attempt).default([]),
  request: RefreshRequest,
  /**
   * Validity learned from the ledger, per (provider, auth kind) (`learning/`): optional, computed
   * by the store and refreshed per pass. Without it the learning rule is silent.
   */
  validity: z.array(ValidityEstimate).optional(),
  /** The loan's GSE history on earlier lineages (`LoanHistory`): optional; without it the quota counts the lineage's ledger. */
  loan: LoanHistory.optional()
})
export type DecisionInput = z.infer<typeof DecisionInput>
export type DecisionInputRaw = z.input<typeof DecisionInput>
