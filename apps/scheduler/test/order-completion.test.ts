/**
 * Issue 16: whether a client's new order has finished, from its suborders (pure): every employer
 * terminal with one completed, some failed, none completed, none chosen yet, an order expired
 * or canceled with employers still open.
 */
import type { TruvOrder, TruvSuborder } from "@recert/core"
import { describe, expect, it } from "vitest"
import { orderCompletion } from "../src/workflow/order-completion.js"

const sub = (id: string, status: string, linkId: string | null = null): TruvSuborder => ({ id, suborderNumber: null, linkId, status, kind: "employer" })
const order = (suborders: ReadonlyArray<TruvSuborder>, over: Partial<TruvOrder> = {}): TruvOrder => ({
  id: "o-1", orderNumber: "N-1/rq-1", userId: "u-1", initialOrder: null, refreshOrder: null, products: ["income"], createdAt: "2026-11-23T09:00:00.000Z",
  isExpired: false, canceledAt: null, shareUrl: null, suborders, ...over
})

describe("orderCompletion", () => {
  it("every employer done, some failed, none, or still open", () => {
    expect(orderCompletion(order([sub("a", "completed", "l-a"), sub("b", "completed", "l-b")]))).toEqual({
      state: "completed", completed: [sub("a", "completed", "l-a"), sub("b", "completed", "l-b")], failed: []
    })
    expect(orderCompletion(order([sub("a", "completed", "l-a"), sub("b", "skipped"), sub("c", "error")]))).toEqual({
      state: "completed", completed: [sub("a", "completed", "l-a")], failed: [sub("b", "skipped"), sub("c", "error")]
    })
    expect(orderCompletion(order([sub("a", "expired"), sub("b", "no_data"), sub("c", "canceled")]))).toEqual({ state: "ended", statuses: ["expired", "no_data", "canceled"] })
    expect(orderCompletion(order([sub("a", "completed", "l-a"), sub("b", "sent")]))).toEqual({ state: "open", open: [sub("b", "sent")] })
    expect(orderCompletion(order([]))).toEqual({ state: "open", open: [] })
    // A completed suborder without a link cannot be read: it counts as failed.
    expect(orderCompletion(order([sub("a", "completed")]))).toEqual({ state: "ended", statuses: ["completed"] })
  })

  it("an order expired or canceled ends what is still open", () => {
    expect(orderCompletion(order([sub("a", "completed", "l-a"), sub("b", "pending")], { isExpired: true }))).toEqual({
      state: "completed", completed: [sub("a", "completed", "l-a")], failed: [sub("b", "pending")]
    })
    expect(orderCompletion(order([], { canceledAt: "2026-11-24T00:00:00.000Z" }))).toEqual({ state: "ended", statuses: [] })
  })
})
