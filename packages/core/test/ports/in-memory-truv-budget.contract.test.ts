/** The `TruvBudget` contract on the in-memory budget: every holder is the same instance (one shared map). */
import { makeInMemoryTruvBudget } from "@recert/core"
import { Effect } from "effect"
import { truvBudgetContract } from "./truv-budget-contract.js"

truvBudgetContract("in-memory budget", (holders) => Effect.sync(() => {
  const budget = makeInMemoryTruvBudget()
  return Array.from({ length: holders }, () => budget)
}))
