/**
 * The one-case world of the runner tests under `TestClock`: `case-1`, due in 5 days, on the income
 * lineage `ord-1` with one OAuth employer connection `link-1` (authenticated 20 days ago).
 */
import type { CaseInput, LineageInput } from "@recert/core"

export const NOW = Date.parse("2026-11-22T10:00:00.000Z")
export const DAY = 86_400_000
export const iso = (ms: number): string => new Date(ms).toISOString()

export const lineage: LineageInput = {
  rootOrderId: "ord-1", orderType: "income", orderNumber: "4138538", userId: "user-1",
  orders: [{ id: "ord-1", parentId: null, createdAt: iso(NOW - 250 * DAY) }],
  connections: [{ id: "link-1", suborderId: "emp-1", provider: "adp", authKind: "oauth", authenticatedAt: iso(NOW - 20 * DAY) }]
}
export const kase: CaseInput = { id: "case-1", dueAt: iso(NOW + 5 * DAY), cycle: "annual", rootOrderId: "ord-1" }
