/**
 * Named fixtures shared by the core tests: a lineage with one or more connections, attempts,
 * and instants around one fixed `NOW`, so every expected value in a test can be read off.
 */
import type { AttemptInput, ConnectionInput, DecisionInputRaw, LineageInput } from "@recert/core"

export const NOW_ISO = "2026-11-22T10:00:00.000Z"
export const NOW = Date.parse(NOW_ISO)
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const iso = (ms: number): string => new Date(ms).toISOString()

/** A connection authenticated 30 days before NOW, OAuth, healthy. */
export const connection = (id: string, patch: Partial<ConnectionInput> = {}): ConnectionInput => ({
  id, suborderId: `sub-${id}`, provider: "adp", authKind: "oauth", authenticatedAt: iso(NOW - 30 * DAY), ...patch
})

export const lineage = (connections: ReadonlyArray<ConnectionInput> = [connection("link-1")], patch: Partial<LineageInput> = {}): LineageInput => ({
  rootOrderId: "ord-1", orderType: "income",
  orders: [{ id: "ord-1", parentId: null, createdAt: iso(NOW - 60 * DAY) }],
  connections: [...connections], ...patch
})

let attemptSeq = 0
/** An attempt at `at` (ms) for the given connections, `succeeded` with every outcome `done` by default. */
export const attempt = (at: number, connectionIds: ReadonlyArray<string> = ["link-1"], patch: Partial<AttemptInput> = {}): AttemptInput => {
  const status = patch.status ?? "succeeded"
  return {
    id: `att-${++attemptSeq}`, at: iso(at), product: "income", connectionIds: [...connectionIds], status,
    outcomes: status === "succeeded" ? Object.fromEntries(connectionIds.map((id) => [id, "done"])) : {},
    ...patch
  }
}

export const input = (l: LineageInput = lineage(), ledger: ReadonlyArray<AttemptInput> = [], request: DecisionInputRaw["request"] = { products: ["income"] }): DecisionInputRaw =>
  ({ lineage: l, ledger: [...ledger], request })
