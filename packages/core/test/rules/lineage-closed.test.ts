import { describe, expect, it } from "vitest"
import { lineageClosed } from "@recert/core"
import { connection, input, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

describe("lineage.closed", () => {
  it.each([["canceled", "deny"], ["expired", "deny"], ["finalized", "deny"], ["open", "refresh"]] as const)("%s: %s", (status, verdict) => {
    const raw = input(lineage([connection("link-1"), connection("link-2")], { status }))
    const d = decisionOf(raw, NOW)
    expect(d.verdict).toBe(verdict)
    expect(d.connections.map((c) => c.verdict)).toEqual([verdict, verdict])
    expect(findingsOf(lineageClosed, raw, NOW)).toHaveLength(status === "open" ? 0 : 1)
  })

  it("explains", () => {
    expect(findingsOf(lineageClosed, input(lineage(undefined, { status: "finalized" })), NOW)).toEqual([{
      code: "lineage.closed", effect: "deny", connectionId: null,
      message: "Order ord-1 is finalized; a closed order cannot be refreshed, start a new order",
      data: { status: "finalized" }
    }])
  })
})
