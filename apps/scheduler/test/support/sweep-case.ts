/**
 * One case with one OAuth connection whose client must re-verify, for the request sweep's tests
 * (`request-sweep.test.ts`, `runner/sweep-retry.test.ts`): core's in-memory ports and the TestClock.
 */
import { InMemoryRenewalStore, InMemoryTruvGateway, type LineageInput } from "@recert/core"
import { Layer } from "effect"
import { TestClock } from "effect/testing"

export const HOUR = 3_600_000
/** Monday 2026-11-23 09:00 UTC. */
export const T0 = Date.parse("2026-11-23T09:00:00.000Z")
export const iso = (ms: number) => new Date(ms).toISOString()

export const lineage: LineageInput = {
  rootOrderId: "ord-1", orderType: "income", userId: "user-1", orderNumber: "N-1",
  orders: [{ id: "ord-1", parentId: null, createdAt: iso(T0 - 300 * 24 * HOUR) }],
  connections: [{ id: "link-1", suborderId: "sub-1", provider: "adp", authKind: "oauth", authenticatedAt: iso(T0 - 200 * 24 * HOUR) }]
}

/** `case-1` due in 5 days, its client Ann Lee with an email; Truv that knows its lineage; the TestClock. */
export const sweepWorld = () => Layer.mergeAll(
  InMemoryRenewalStore.layer({ cases: [{ id: "case-1", dueAt: iso(T0 + 5 * 24 * HOUR), cycle: "annual", rootOrderId: "ord-1" }], lineages: [lineage], accessTokens: { "link-1": "token-1" },
    contacts: { "case-1": { firstName: "Ann", lastName: "Lee", email: "ann@example.org" } } }),
  InMemoryTruvGateway.layer({ lineages: [lineage], behaviours: { "link-1": "done" }, accessTokens: { "link-1": "token-1" } }),
  TestClock.layer()
)
