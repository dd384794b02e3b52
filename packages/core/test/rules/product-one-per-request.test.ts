import { describe, expect, it } from "vitest"
import { productOnePerRequest } from "@recert/core"
import { input, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

describe("product.one-per-request", () => {
  it.each([
    [[], "The request names no product; a refresh needs exactly one"],
    [["income", "employment"], "The request names 2 products (income, employment); a refresh takes exactly one"]
  ] as const)("%j is denied", (products, message) => {
    const raw = input(lineage(), [], { products: [...products] })
    expect(findingsOf(productOnePerRequest, raw, NOW)).toEqual([{
      code: "product.one-per-request", effect: "deny", connectionId: null, message, data: { products, limit: 1 }
    }])
    expect(decisionOf(raw, NOW).verdict).toBe("deny")
  })

  it("one product is fine", () => {
    expect(findingsOf(productOnePerRequest, input(), NOW)).toEqual([])
  })

  it("every rule still runs: a two-product request on a closed lineage lists both reasons", () => {
    const raw = input(lineage(undefined, { status: "canceled" }), [], { products: ["income", "employment"] })
    expect(decisionOf(raw, NOW).reasons.map((r) => r.code)).toEqual(["product.one-per-request", "lineage.closed"])
  })
})
