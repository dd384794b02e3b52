/**
 * `recert due [--within 30d] [--at <instant>]`: the cases due for re-verification by
 * now + within (overdue ones included), soonest first, read from the store.
 */
import type { Case } from "@recert/core"
import { Effect, Stream } from "effect"
import { Command } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { orDash, paint, printJson, printLines, table } from "../output.js"
import { toIso } from "../time.js"

/** The `--json` shape of `due`. */
export interface DueJson {
  readonly at: string
  readonly until: string
  readonly count: number
  /** Each case with its lineage's order type and number of connections. */
  readonly cases: ReadonlyArray<Case & { readonly orderType: string; readonly connections: number }>
}

const DAY = 86_400_000

/** Whole days from `now` to `due`, as a caseworker says it: "in 3 days", "today", "2 days overdue". */
export const dueIn = (due: number, now: number): string => {
  const days = Math.floor(due / DAY) - Math.floor(now / DAY)
  if (days === 0) return "today"
  if (days > 0) return days === 1 ? "tomorrow" : `in ${days} days`
  return days === -1 ? "1 day overdue" : `${-days} days overdue`
}

export const due = Command.make("due", {
  within: Opt.duration("within", "Cases due within this long of now: 30d, 12h, 2w, 1d12h (units w d h m s ms, largest first; default 30d)", "30d"),
  at: Opt.at,
  db: Opt.db,
  json: Opt.json
}, Effect.fn("due")(function*({ within, at, db, json }) {
  const now = yield* Opt.nowOr(at)
  const until = toIso(now + within)
  const snapshots = yield* withStore(db, "read", (store) => Stream.runCollect(store.streamDueCases({ until })))
  const cases = snapshots.map((s) => ({ ...s.case, orderType: s.lineage.orderType, connections: s.lineage.connections.length }))
  if (json) return yield* printJson({ at: toIso(now), until, count: cases.length, cases } satisfies DueJson)
  const p = yield* paint
  if (cases.length === 0) return yield* printLines([`no case due by ${until}`])
  yield* printLines([
    ...table(p, ["CASE", "DUE", "WHEN", "CYCLE", "LINEAGE", "PRODUCT", "CONNECTIONS", "LAST VERIFIED"], cases.map((c) => {
      const when = dueIn(Date.parse(c.dueAt), now)
      return [c.id, c.dueAt, when.endsWith("overdue") ? { text: when, paint: p.red } : when, c.cycle, c.rootOrderId,
        c.product ?? c.orderType, String(c.connections), orDash(c.lastVerifiedAt)]
    })),
    "",
    `${cases.length} case(s) due by ${until}`
  ])
})).pipe(
  Command.withDescription("List the cases due for re-verification within a period (default 30 days)"),
  Command.withExamples([
    { command: "recert due", description: "Cases due in the next 30 days, and overdue ones" },
    { command: "recert due --within 7d --json", description: "Due this week, as JSON" },
    { command: "recert due --within 12h --at 2026-12-01", description: "Due within 12 hours of Dec 1" }
  ])
)
