/**
 * `recert explain <case>`: the decision for a case now, or `--at` an instant (a what-if): the
 * verdict per connection, every reason in plain words, the next eligible instant, the cost. It
 * reads the case, its lineage and its ledger from the store and decides with the core, exactly
 * as the scheduler would; it writes nothing.
 */
import { type Case, caseProduct, decideAt, type Decision, type PlanAction, planCase, type Timing } from "@recert/core"
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { orDash, paint, printJson, printLines } from "../output.js"
import { loadPolicy, policyFlag } from "../policy.js"
import { renderDecision } from "../render/decision.js"

/** The `--json` shape of `explain`. */
export interface ExplainJson {
  readonly caseId: string
  readonly case: Case
  /** What a run at the same instant would do with the case (it may not be due yet). */
  readonly plan: { readonly action: PlanAction; readonly why: string; readonly timing: Timing | null }
  /** The last decision recorded for the case (by the scheduler's reserve), or null. */
  readonly lastRecorded: { readonly at: string; readonly verdict: Decision["verdict"]; readonly policyVersion: string } | null
  readonly decision: Decision
}

/** The first reason of a decision, in words, for one-line summaries. */
const firstReason = (d: Decision): string | null =>
  (d.reasons[0] ?? d.connections.flatMap((c) => c.reasons)[0])?.message ?? null

/** The instant chosen in the renewal's window, and why, on one line (`explain`, `plan`). */
export const timingLine = (t: Timing): string => `${t.choice} at ${t.chosenAt} (${t.code}): ${t.why}`

export const explain = Command.make("explain", {
  caseId: Argument.String("case").pipe(Argument.withDescription("The case id")),
  at: Opt.at,
  policy: policyFlag,
  db: Opt.db,
  json: Opt.json
}, Effect.fn("explain")(function*({ caseId, at, policy, db, json }) {
  const config = yield* loadPolicy(policy)
  const now = yield* Opt.nowOr(at)
  const [snapshot, recorded] = yield* withStore(db, "read", (store) => Effect.all([store.loadSnapshot(caseId), store.decisionsForCase(caseId, 1)]))
  const last = recorded[0]
  const lastRecorded = last === undefined ? null : { at: last.at, verdict: last.decision.verdict, policyVersion: last.policyVersion }
  const { case: c, lineage } = snapshot
  const ledger = [...snapshot.ledger]
  const product = caseProduct(c, lineage)
  const decision = decideAt({ lineage, ledger, request: { products: [product] } }, now, config)
  const planned = planCase({ case: c, lineage, ledger }, now, config)
  const plan = { action: planned.action, why: planned.why, timing: planned.timing }
  if (json) return yield* printJson({ caseId, case: c, plan, lastRecorded, decision } satisfies ExplainJson)
  const lines = renderDecision(yield* paint, `case ${caseId}`, decision, {
    rootOrderId: lineage.rootOrderId, orderType: lineage.orderType, gse: lineage.gse, newestOrderId: lineage.orders[lineage.orders.length - 1]!.id
  })
  lines.splice(2, 0,
    `  ${"case".padEnd(14)}due ${c.dueAt}, ${c.closingDate == null ? c.cycle : `closing ${c.closingDate}`}, product ${product}, last verified ${orDash(c.lastVerifiedAt)}`,
    `  ${"planned".padEnd(14)}${plan.action}: ${plan.why}`,
    ...(plan.timing === null ? [] : [`  ${"timing".padEnd(14)}${timingLine(plan.timing)}`]),
    `  ${"last decided".padEnd(14)}${last === undefined ? "-" : `${last.at}: ${[last.decision.verdict, firstReason(last.decision)].filter((x) => x !== null).join(", ")}`}`)
  yield* printLines(lines)
})).pipe(
  Command.withDescription("Explain the decision for a case: verdict per connection, every reason, next eligible instant, cost"),
  Command.withExamples([
    { command: "recert explain case-17", description: "Why is (or isn't) this case refreshed now?" },
    { command: "recert explain case-17 --at 2026-12-01", description: "What if we ran it on Dec 1?" },
    { command: "recert explain case-17 --json | jq .decision.nextEligibleAt", description: "When can it be refreshed?" }
  ])
)
