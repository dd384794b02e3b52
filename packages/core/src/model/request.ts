/**
 * A refresh request as the caller asks it: the products (the rules insist on exactly one) and,
 * optionally, which employers or financial accounts to refresh. Selectors take an id or a
 * suborder number, as Truv's `POST /v1/orders/{id}/` does.
 */
import { z } from "zod"
import { Product } from "./primitives.js"

/** Selects one employer or financial account of the lineage, by id or by suborder number. */
export const Selector = z.union([
  z.object({ id: z.string().min(1) }).strict(),
  z.object({ suborder_number: z.string().min(1) }).strict()
])
export type Selector = z.infer<typeof Selector>

/**
 * @example
 * RefreshRequest.parse({ products: ["income"], employers: [{ id: "emp-1" }] })
 */
export const RefreshRequest = z.object({
  /** Checked by `product.one-per-request`, not by the schema, so a decision can explain it. */
  products: z.array(Product),
  employers: z.array(Selector).optional(),
  financial_accounts: z.array(Selector).optional()
})
export type RefreshRequest = z.infer<typeof RefreshRequest>
