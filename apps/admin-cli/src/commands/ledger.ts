/**
 * `recert ledger <case|connection>`: the refresh attempts of a case's lineage, or of one
 * connection (access token), oldest first, with what each counted against the limits and
 * whether it was billed. The ledger is the only input the limits read, so this is the answer to
 * "why is this connection waiting?".
 */
import { type Attempt, countsAgainstLimits } from "@recert/core"
import { openDatabase, type StoreShape } from "@recert/store"
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { type DatabaseTarget, withStore } from "../database.js"
import { CommandFailed } from "../errors.js"
import * as Opt from "../options.js"
import { orDash, type Paint, paint, printable, printJson, printLines, table } from "../output.js"

/** The `--json` shape of `ledger`. */
export interface LedgerJson {
  readonly kind: "case" | "connection"
  readonly id: string
  readonly attempts: ReadonlyArray<Attempt>
}

/**
 * Whether a connection exists. The store has no such read, so this is one query through the
 * store's kysely helper, on its own short-lived connection.
 */
const connectionExists = (target: DatabaseTarget, id: string) =>
  Effect.acquireUseRelease(
    Effect.try({
      try: () => openDatabase(target.url),
      catch: (e) => new CommandFailed({ code: "database", message: `open: ${e instanceof Error ? e.message : String(e)}` })
    }),
    ({ db }) => Effect.tryPromise({
      try: () => db.selectFrom("connections").select("id").where("id", "=", id).executeTakeFirst(),
      catch: (e) => new CommandFailed({ code: "database", message: `connection lookup: ${e instanceof Error ? e.message : String(e)}` })
    }),
    ({ db }) => Effect.promise(() => db.destroy())
  ).pipe(Effect.map((row) => row !== undefined))

const lookup = (store: StoreShape, target: DatabaseTarget, id: string) =>
  store.ledgerForCase(id).pipe(
    Effect.map((attempts): LedgerJson => ({ kind: "case", id, attempts })),
    Effect.catchTag("CaseNotFound", () => Effect.gen(function*() {
      const attempts = yield* store.ledgerForConnection(id)
      if (attempts.length === 0 && !(yield* connectionExists(target, id))) {
        return yield* new CommandFailed({ code: "not-found", message: `no case or connection with id "${id}"` })
      }
      return { kind: "connection", id, attempts } satisfies LedgerJson
    }))
  )

const billing = (a: Attempt): string => !countsAgainstLimits(a.status) ? "not billed" : a.gseFree ? "free (GSE)" : "billed"

const outcomes = (a: Attempt): string => {
  const entries = Object.entries(a.outcomes)
  return entries.length === 0 ? "-" : entries.map(([c, s]) => `${c}=${s}`).join(" ")
}

const statusCell = (p: Paint, a: Attempt) => ({
  text: a.rejection === null ? a.status : `${a.status} (${a.rejection})`,
  paint: a.status === "succeeded" ? p.green : a.status === "failed" || a.status === "rejected" ? p.red : p.yellow
})

export const ledger = Command.make("ledger", {
  id: Argument.String("case|connection").pipe(Argument.withDescription("A case id (its lineage's ledger) or a connection id (that access token's ledger)")),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("ledger")(function*({ id, db, json }) {
  const result = yield* withStore(db, "read", (store, target) => lookup(store, target, id))
  if (json) return yield* printJson(result)
  const p = yield* paint
  const counted = result.attempts.filter((a) => countsAgainstLimits(a.status)).length
  yield* printLines([
    `${p.bold(`${result.kind} ${printable(id)}`)}: ${result.attempts.length} attempt(s), ${counted} counted against the limits`,
    ...(result.attempts.length === 0 ? [] : ["", ...table(p, ["ATTEMPT", "AT", "PRODUCT", "CONNECTIONS", "STATUS", "ORDER", "BILLING", "OUTCOMES"],
      result.attempts.map((a) => [a.id, a.at, a.product, a.connectionIds.join(" "), statusCell(p, a), orDash(a.orderId), billing(a), outcomes(a)]))])
  ])
})).pipe(
  Command.withDescription("Show the refresh attempts (the ledger) of a case or of one connection"),
  Command.withExamples([
    { command: "recert ledger case-17", description: "Every refresh of the case's lineage" },
    { command: "recert ledger link-3 --json", description: "One connection's refreshes, as JSON" }
  ])
)
