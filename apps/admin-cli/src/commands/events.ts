/**
 * `recert events [--case <id>] [--failed] [--json]`: the outbox, newest first: each event (id,
 * type, case, order_number, instant) and its deliveries per destination (delivered, pending with
 * the next try, or dead-lettered with the last error). `--failed`: only events with a dead letter.
 * `recert events redeliver <id>|--failed`: owes the event's deliveries again from now (or every
 * dead letter), with a fresh retry schedule; the running deliverer (`serve`, or the next `run`)
 * sends them, with the same `webhook-id`, so the receiver recognises a redelivery.
 */
import type { OutboxEntry } from "@recert/store"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { withStore } from "../database.js"
import { UsageError } from "../errors.js"
import * as Opt from "../options.js"
import { orDash, paint, printJson, printLines, table } from "../output.js"

/** The `--json` shape of `events`. */
export interface EventsJson {
  readonly events: ReadonlyArray<OutboxEntry>
}

/** The `--json` shape of `events redeliver`. */
export interface RedeliverJson {
  readonly redelivered: number
}

const deliveryCell = (e: OutboxEntry): string => e.deliveries.length === 0 ? "not fanned out yet"
  : e.deliveries.map((d) => `${d.destination}:${d.status}${d.status === "pending" ? `(${d.attempts} tries, next ${d.nextAttemptAt ?? "-"})` : d.status === "dead" ? `(${d.lastError ?? "?"})` : ""}`).join(" ")

const redeliver = Command.make("redeliver", {
  id: Argument.String("id").pipe(Argument.withDescription("The event's id (the first column of `recert events`)"), Argument.optional),
  failed: Flag.Boolean("failed").pipe(Flag.withDescription("Every dead-lettered delivery instead of one event"), Flag.withDefault(false)),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("events redeliver")(function*({ id, failed, db, json }) {
  if (Option.isSome(id) === failed) return yield* new UsageError({ message: "give an event id or --failed (one of them)" })
  const n = yield* withStore(db, "write", (store) => store.redeliver(Option.isSome(id) ? { eventId: id.value } : { failed: true }))
  if (json) return yield* printJson({ redelivered: n } satisfies RedeliverJson)
  yield* printLines([n === 0 ? "nothing to redeliver" : `${n} deliver${n === 1 ? "y" : "ies"} owed again from now: the deliverer (serve, or the next run) sends them`])
})).pipe(
  Command.withDescription("Deliver an event again (every destination), or every dead letter, from now on a fresh schedule"),
  Command.withExamples([
    { command: "recert events redeliver 01a202b2-c500-7000-8000-0a1b2c3d4e5f", description: "One event again" },
    { command: "recert events redeliver --failed --json", description: "Every dead letter, after fixing the destination" }
  ])
)

export const events = Command.make("events", {
  caseId: Flag.String("case").pipe(Flag.withDescription("Only this case's events"), Flag.optional),
  failed: Flag.Boolean("failed").pipe(Flag.withDescription("Only events with a dead-lettered delivery"), Flag.withDefault(false)),
  limit: Flag.Int("limit").pipe(Flag.withDescription("At most this many events (default 100)"), Flag.withDefault(100)),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("events")(function*({ caseId, failed, limit, db, json }) {
  if (limit < 1) return yield* new UsageError({ message: `--limit: expected 1 or more; got ${limit}` })
  const list = yield* withStore(db, "read", (store) => store.listEvents({ ...(Option.isSome(caseId) ? { caseId: caseId.value } : {}), failed, limit }))
  if (json) return yield* printJson({ events: list } satisfies EventsJson)
  if (list.length === 0) return yield* printLines([failed ? "no dead-lettered event" : "the outbox is empty"])
  const p = yield* paint
  yield* printLines(table(p, ["ID", "TYPE", "CASE", "ORDER NUMBER", "AT", "DELIVERIES"],
    list.map((e) => [e.id, e.type, e.caseId, orDash(e.orderNumber), e.occurredAt, deliveryCell(e)])))
})).pipe(
  Command.withDescription("List the events for the agency's system (newest first) and their deliveries"),
  Command.withExamples([
    { command: "recert events --case case-17", description: "One case's events" },
    { command: "recert events --failed --json", description: "Dead letters, as JSON" },
    { command: "recert events redeliver --failed", description: "Send every dead letter again" }
  ]),
  Command.withSubcommands([redeliver])
)
