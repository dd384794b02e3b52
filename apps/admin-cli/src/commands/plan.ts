/**
 * `recert plan [--at <instant>] [--closing]`: what a run would do, changing nothing. For each
 * case whose renewal window may be open (lead time, freshness window, business days before a
 * closing date), the core's planner picks one action (refresh, re-authenticate, new order, wait,
 * nothing) with its expected billed and free verifications, and totals them; each case's chosen
 * instant is listed with why. `--closing`: only lender pre-closing cases.
 */
import { planAt, planningHorizonDays, type Plan, type PlanItem } from "@recert/core"
import { Effect, Stream } from "effect"
import { Command, Flag } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { orDash, paint, printJson, printLines, table } from "../output.js"
import { loadPolicy, policyFlag } from "../policy.js"
import { verdictCell } from "../render/decision.js"
import { timingLine } from "./explain.js"
import { toIso } from "../time.js"

const DAY = 86_400_000

const connectionsOf = (item: PlanItem): string => {
  const c = item.connections
  const parts = [[c.refresh, "refresh"], [c.reauthenticate, "re-auth"], [c.newOrder, "new order"], [c.wait, "wait"]] as const
  return parts.filter(([ids]) => ids.length > 0).map(([ids, what]) => `${ids.length} ${what}`).join(", ") || "-"
}

/** The instant chosen for an item: "refresh 2027-05-02T00:00:00.000Z", "client ...", or "-" (already verified). */
const chosenOf = (item: PlanItem): string => (item.timing === null ? "-" : `${item.timing.choice} ${item.timing.chosenAt}`)

export const plan = Command.make("plan", {
  at: Opt.at,
  closing: Flag.Boolean("closing").pipe(
    Flag.withDescription("Only lender pre-closing cases (cases with a closing date), planned in their business-day window"),
    Flag.withDefault(false)
  ),
  policy: policyFlag,
  db: Opt.db,
  json: Opt.json
}, Effect.fn("plan")(function*({ at, closing, policy, db, json }) {
  const config = yield* loadPolicy(policy)
  const now = yield* Opt.nowOr(at)
  // Every case whose window may be open: the longest window (freshness, pre-closing) ahead of now.
  const until = toIso(now + planningHorizonDays(config) * DAY)
  const snapshots = yield* withStore(db, "read", (store) => Stream.runCollect(store.streamDueCases({ until })))
  const chosen = closing ? snapshots.filter((s) => s.case.closingDate != null) : snapshots
  const result: Plan = planAt(chosen.map((s) => ({ case: s.case, lineage: s.lineage, ledger: [...s.ledger] })), now, config)
  if (json) return yield* printJson(result)
  const p = yield* paint
  const t = result.totals
  const actions = Object.entries(t.actions).filter(([, n]) => n > 0).map(([a, n]) => `${n} ${a}`).join(", ")
  yield* printLines([
    `${p.bold("plan")} at ${result.at} (cases due by ${until}, lead time ${result.leadTimeDays} days)`,
    "",
    ...(result.items.length === 0 ? ["no case due"] : table(p, ["CASE", "DUE", "ACTION", "CONNECTIONS", "BILLED", "FREE", "NEXT ELIGIBLE", "CHOSEN", "WHY"], result.items.map((i) => [
      i.caseId, i.dueAt, verdictCell(p, i.action), connectionsOf(i), String(i.billedVerifications), String(i.freeVerifications), orDash(i.nextEligibleAt), chosenOf(i), i.why
    ]))),
    "",
    ...result.items.flatMap((i) => (i.timing === null ? [] : [`${i.caseId}: ${timingLine(i.timing)}`])),
    "",
    `${t.cases} case(s): ${actions || "none"}`,
    `expected cost: ${t.billedVerifications} billed, ${t.freeVerifications} free verification(s)`
  ])
})).pipe(
  Command.withDescription("Plan a run without changing anything: the action per due case and the expected billed and free verifications"),
  Command.withExamples([
    { command: "recert plan", description: "What would a run do now, and what would it cost?" },
    { command: "recert plan --at 2026-12-01", description: "What if we ran it on Dec 1?" },
    { command: "recert plan --json | jq .totals", description: "Just the totals" },
    { command: "recert plan --closing --at 2027-06-24", description: "Lender cases whose pre-closing window is open on June 24" }
  ])
)
