/** The `RenewalStore` contract (renewal-store-contract.ts) on the in-memory store. */
import { makeInMemoryRenewalStore } from "@recert/core"
import { Effect } from "effect"
import { renewalStoreContract, tokenOf } from "./renewal-store-contract.js"

renewalStoreContract("in-memory store", (seed) => Effect.sync(() => {
  const tokens = Object.fromEntries(seed.lineages.flatMap((l) => l.connections.map((c) => [c.id, tokenOf(c.id)])))
  const store = makeInMemoryRenewalStore({ cases: seed.cases, lineages: seed.lineages, accessTokens: tokens, ...(seed.baselines !== undefined ? { baselines: seed.baselines } : {}) })
  return {
    store,
    results: (caseId: string) => Effect.sync(() => store.snapshotState().results.filter((r) => r.caseId === caseId)),
    decisionCount: (caseId: string) => Effect.sync(() => store.snapshotState().decisions.filter((d) => d.caseId === caseId).length)
  }
}))
