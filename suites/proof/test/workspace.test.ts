import { describe, expect, it } from "vitest"
import { decide } from "@recert/core"

describe("proof workspace", () => {
  it("resolves the workspace packages from source", () => {
    const decision = decide({
      lineage: {
        rootOrderId: "ord-1", orderType: "employment",
        orders: [{ id: "ord-1", parentId: null, createdAt: "2026-09-01T00:00:00Z" }],
        connections: [{ id: "link-1", suborderId: "emp-1", provider: "adp", authKind: "oauth", authenticatedAt: "2026-09-01T00:00:00Z" }]
      },
      request: { products: ["income"] }
    }, { now: "2026-11-22T10:00:00Z" })
    expect(decision.verdict).toBe("deny")
    expect(decision.reasons.map((r) => r.code)).toEqual(["product.not-allowed"])
  })
})
