import { describe, expect, it } from "vitest"
import { connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf } from "./helpers.js"

describe("billing", () => {
  it("bills one verification per connection refreshed", () => {
    const raw = input(lineage([connection("link-1"), connection("link-2"), connection("link-3", { authenticatedAt: iso(NOW - 200 * DAY) })]))
    const d = decisionOf(raw, NOW)
    expect(d.cost).toEqual({ billedVerifications: 2, freeVerifications: 0, gseFreeRemaining: null })
    expect(d.connections.map((c) => c.billed)).toEqual([true, true, null])
  })

  it("a free GSE request makes every connection of it free", () => {
    const d = decisionOf(input(lineage([connection("link-1"), connection("link-2")], { gse: true })), NOW)
    expect(d.cost).toEqual({ billedVerifications: 0, freeVerifications: 2, gseFreeRemaining: 5 })
    expect(d.connections.map((c) => c.billed)).toEqual([false, false])
  })

  it("nothing refreshed: nothing billed", () => {
    const d = decisionOf(input(lineage([connection("link-1", { authenticatedAt: iso(NOW - 200 * DAY) })], { gse: true })), NOW)
    expect(d.cost).toEqual({ billedVerifications: 0, freeVerifications: 0, gseFreeRemaining: 5 })
  })
})
