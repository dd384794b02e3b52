/**
 * `product.not-allowed`: the refresh product must fit the root order type. An income order
 * refreshes `income` or `employment`; an employment order only `employment`; assets, insurance
 * and transactions orders only themselves (the table is `productsByOrderType` in the config).
 */
import { defineRule, NONE } from "./rule.js"

export const productNotAllowed = defineRule("product.not-allowed", (ctx) => {
  const allowed = ctx.config.productsByOrderType[ctx.lineage.orderType] ?? []
  const refused = ctx.request.products.filter((p) => !allowed.includes(p))
  if (refused.length === 0) return NONE
  return [{
    code: "product.not-allowed",
    effect: "deny",
    connectionId: null,
    message: `A ${ctx.lineage.orderType} order can refresh only ${allowed.join(" or ")}; ${refused.join(", ")} was requested`,
    data: { orderType: ctx.lineage.orderType, requested: refused, allowed }
  }]
})
