/** `product.one-per-request`: a refresh request carries exactly one product (Truv's rule). */
import { defineRule, NONE } from "./rule.js"

export const productOnePerRequest = defineRule("product.one-per-request", (ctx) => {
  const count = ctx.request.products.length
  if (count === 1) return NONE
  return [{
    code: "product.one-per-request",
    effect: "deny",
    connectionId: null,
    message: count === 0
      ? "The request names no product; a refresh needs exactly one"
      : `The request names ${count} products (${ctx.request.products.join(", ")}); a refresh takes exactly one`,
    data: { products: ctx.request.products, limit: 1 }
  }]
})
