/** ledger/ordering.ts: connection ids in code-unit order, attempts oldest first then by id. */
import { describe, expect, it } from "vitest"
import { byLedgerOrder, inConnectionOrder } from "@recert/core"

describe("ledger ordering", () => {
  it("sorts connection ids in code-unit order (not numeric, not a collation), without touching its input", () => {
    const ids = ["link-2", "link-10", "Link-3", "link-1"]
    expect(inConnectionOrder(ids)).toEqual(["Link-3", "link-1", "link-10", "link-2"])
    expect(ids).toEqual(["link-2", "link-10", "Link-3", "link-1"])
  })

  it("orders attempts by instant, then by id", () => {
    const a = (id: string, at: string) => ({ id, at })
    const list = [a("b", "2026-11-22T10:00:00.000Z"), a("c", "2026-11-22T09:00:00.000Z"), a("a", "2026-11-22T10:00:00.000Z")]
    expect([...list].sort(byLedgerOrder).map((x) => x.id)).toEqual(["c", "a", "b"])
  })
})
