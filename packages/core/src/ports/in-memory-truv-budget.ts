/**
 * The `TruvBudget` port in memory, for tests: the same `grantPermits` rule the SQL store applies
 * under its lock, on a map keyed like the store's table. One instance is one shared budget (the
 * database several workers share); `state()` shows what it holds. Time comes from Effect's Clock.
 *
 * @example
 * const budget = makeInMemoryTruvBudget()
 * program.pipe(Effect.provideService(TruvBudget, budget), Effect.provide(TestClock.layer()))
 */
import { Clock, Effect } from "effect"
import { type BudgetGrantRecord, type BudgetState, grantPermits, type TruvBudget } from "./truv-budget.js"

export type InMemoryTruvBudget = TruvBudget["Service"] & {
  /** Every key's state (grants still kept, `notBefore`), and how many `acquire` calls were made. */
  readonly state: () => { readonly budgets: ReadonlyMap<string, BudgetState>; readonly acquires: number }
}

export const makeInMemoryTruvBudget = (): InMemoryTruvBudget => {
  const budgets = new Map<string, { notBefore: number; grants: Array<BudgetGrantRecord> }>()
  let acquires = 0
  const budgetOf = (key: string) => {
    let b = budgets.get(key)
    if (b === undefined) budgets.set(key, b = { notBefore: 0, grants: [] })
    return b
  }
  return {
    acquire: (request) => Effect.map(Clock.currentTimeMillis, (now) => {
      acquires++
      const b = budgetOf(request.key)
      b.grants = b.grants.filter((g) => g.countsUntil > now)
      const { grant, record } = grantPermits(b, request, now)
      if (record !== null) b.grants.push(record)
      return grant
    }),
    block: (key, until) => Effect.sync(() => {
      const b = budgetOf(key)
      b.notBefore = Math.max(b.notBefore, until)
    }),
    state: () => ({ budgets: new Map([...budgets].map(([k, b]) => [k, { notBefore: b.notBefore, grants: [...b.grants] }])), acquires })
  }
}
