/**
 * What one decision reads: the lineage, its ledger and the request. `now` and the policy
 * configuration come from outside (Effect's Clock and the PolicyConfig service, or the
 * facade's options), so the same input can be decided at any instant.
 */
import { z } from "zod"
import { Attempt } from "./attempt.js"
import { ValidityEstimate } from "../learning/validity-estimate.js"
import { Lineage } from "./lineage.js"
import { RefreshRequest } from "./request.js"

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
  validity: z.array(ValidityEstimate).optional()
})
export type DecisionInput = z.infer<typeof DecisionInput>
export type DecisionInputRaw = z.input<typeof DecisionInput>
