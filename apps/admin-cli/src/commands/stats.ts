/**
 * `recert stats [--since <instant>]`: what happened since an instant (default: the last 24 h):
 * outcomes (cases by their latest verdict, attempts by status), the refresh account of those
 * attempts (core's `refreshAccountOf`: the same names and definitions as the scheduler's run
 * report and `/metrics`: sent, billed, free, not billed (no_data), awaiting outcome, unconfirmed),
 * limit violations attempted, and the open verification queue.
 */
import { REFRESH_ACCOUNT_FIELDS, REFRESH_ACCOUNT_TERMS } from "@recert/core"
import { Effect, Option } from "effect"
import { Command } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { paint, printJson, printLines } from "../output.js"
import { toIso } from "../time.js"
import { statsProviders } from "./stats-providers.js"

const counts = (record: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(record).sort(([a], [b]) => a.localeCompare(b))
  return entries.length === 0 ? "none" : entries.map(([k, n]) => `${n} ${k}`).join(", ")
}

export const stats = Command.make("stats", {
  since: Opt.instant("since", "Count from this instant (default: 24 hours ago)"),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("stats")(function*({ since, db, json }) {
  const from = Option.isSome(since) ? since.value : (yield* Opt.nowOr(Option.none())) - 86_400_000
  const s = yield* withStore(db, "read", (store) => store.stats({ since: toIso(from) }))
  if (json) return yield* printJson(s)
  const p = yield* paint
  const field = (name: string, value: string) => `  ${name.padEnd(40)}${value}`
  yield* printLines([
    `${p.bold("stats")} since ${s.since}`,
    field("cases by verdict", counts(s.casesByVerdict)),
    field("attempts by status", counts(s.attemptsByStatus)),
    `  refreshes`,
    ...REFRESH_ACCOUNT_FIELDS.map((k) => field(`  ${REFRESH_ACCOUNT_TERMS[k].label}`, String(s.refreshes[k]))),
    field("limit violations attempted", String(s.limitViolationsAttempted)),
    field("verification queue", `${s.verificationQueueOpen} open`)
  ])
})).pipe(
  Command.withDescription("Outcomes, the refresh account (sent, billed, free, not billed, awaiting, unconfirmed; the run report's names) and limit violations since an instant"),
  Command.withExamples([
    { command: "recert stats", description: "The last 24 hours" },
    { command: "recert stats --since 2026-11-01 --json", description: "This month, as JSON" },
    { command: "recert stats providers", description: "Validity learned from the ledger, per provider and auth kind" }
  ]),
  Command.withSubcommands([statsProviders])
)
