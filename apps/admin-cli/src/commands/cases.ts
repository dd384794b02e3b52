/**
 * `recert cases import <file.csv|file.json|file.jsonl>`: adds cases from a file, validated, all
 * or nothing. Any problem and nothing is written; problems are reported in line order with their
 * line and field, the first 50 of them and then how many more. Needs an existing database,
 * unless `--create` (then it creates and migrates it).
 * `recert cases remove <id>`: removes a case and what only it owns (its ledger, decisions,
 * results, verification requests, jobs, and its lineage when no other case uses it); refused
 * while a refresh of the case is in flight, or when its ledger also limits another case.
 * `recert cases move-closing <id> <date>`: a lender case's closing date moved (re-planned).
 */
import { CalendarDate } from "@recert/core"
import type { RemovedCase } from "@recert/store"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { clientReachFlag, resolveClientReach } from "../client-reach.js"
import { withStore } from "../database.js"
import { importFromTruv } from "./cases-from-truv.js"
import { closeCase } from "./cases-close.js"
import { CommandFailed, UsageError } from "../errors.js"
import { readText } from "../files.js"
import * as Opt from "../options.js"
import { printJson, printLines } from "../output.js"

/** The `--json` shape of `cases import`. */
export interface ImportJson {
  readonly imported: number
}

/** At most this many problems are printed; the rest are counted ("... and 70 more problems"). */
export const SHOWN_PROBLEMS = 50

// JSON Lines is read by the JSON reader (a file starting with `{`), so `.jsonl` and `.ndjson` are `json`.
const formatOf = (file: string, given: Option.Option<"csv" | "json">): Effect.Effect<"csv" | "json", UsageError> => {
  if (Option.isSome(given)) return Effect.succeed(given.value)
  const ext = /\.(csv|json|jsonl|ndjson)$/i.exec(file)?.[1]?.toLowerCase()
  return ext === "csv" ? Effect.succeed("csv")
    : ext !== undefined ? Effect.succeed("json")
    : Effect.fail(new UsageError({ message: `cannot tell the format of ${file}: name it .csv, .json or .jsonl, or pass --format csv|json` }))
}

const refused = (file: string, issues: ReadonlyArray<{ readonly line: number; readonly field: string; readonly message: string }>): CommandFailed => {
  const more = issues.length - SHOWN_PROBLEMS
  return new CommandFailed({
    code: "import-refused",
    message: `import of ${file} refused: ${issues.length} problem(s), nothing was written`,
    issues: [
      ...issues.slice(0, SHOWN_PROBLEMS).map((i) => ({ line: i.line, path: i.field, message: i.message })),
      ...(more > 0 ? [{ path: "(file)", message: `... and ${more} more problem(s)` }] : [])
    ]
  })
}

const importCases = Command.make("import", {
  file: Argument.String("file").pipe(Argument.withDescription("A CSV file (header id,dueAt,cycle,rootOrderId,product,lastVerifiedAt[,closingDate], and the client's firstName,lastName,email,phone,externalUserId), a JSON array of cases, or JSON Lines (one case per line); a lender case gives closingDate (dueAt and cycle may then be empty)")),
  format: Flag.Literals("format", ["csv", "json"]).pipe(Flag.withDescription("The file's format (default: from its extension)"), Flag.optional),
  create: Flag.Boolean("create").pipe(Flag.withDescription("Create the database if it does not exist"), Flag.withDefault(false)),
  fromTruv: Flag.Boolean("from-truv").pipe(
    Flag.withDescription("Onboarding: rootOrderId may be any Truv order id; fetch each order from Truv (TRUV_CLIENT_ID, TRUV_SECRET, TRUV_BASE_URL) and store its lineage with the cases"),
    Flag.withDefault(false)
  ),
  dryRun: Flag.Boolean("dry-run").pipe(Flag.withDescription("With --from-truv: ask Truv and report, write nothing"), Flag.withDefault(false)),
  clientReach: clientReachFlag,
  db: Opt.db,
  json: Opt.json
}, Effect.fn("cases import")(function*({ file, format, create, fromTruv, dryRun, clientReach, db, json }) {
  const kind = yield* formatOf(file, format)
  if (dryRun && !fromTruv) return yield* new UsageError({ message: "--dry-run works with --from-truv only" })
  const reach = yield* resolveClientReach(clientReach)
  const contents = yield* readText(file)
  if (fromTruv) {
    return yield* importFromTruv({ file, contents, format: kind, db, json, dryRun, create, reach }).pipe(
      Effect.catchTag("ImportFailed", (e) => Effect.fail(refused(file, e.issues)))
    )
  }
  const { imported } = yield* withStore(db, create ? "create" : "write", (store) =>
    Effect.andThen(create ? store.migrate() : Effect.void, store.importCases(contents, kind, { reach }))).pipe(
    Effect.catchTag("ImportFailed", (e) => Effect.fail(refused(file, e.issues)))
  )
  if (json) return yield* printJson({ imported } satisfies ImportJson)
  yield* printLines([`imported ${imported} case(s) from ${file}`])
})).pipe(
  Command.withDescription("Import cases from a CSV or JSON file: validated, all or nothing, errors with line numbers"),
  Command.withExamples([
    { command: "recert cases import cases.csv", description: "Import a CSV export" },
    { command: "recert cases import cases.json --db postgres://recert@db/recert", description: "Into Postgres" },
    { command: "recert cases import cases.csv --from-truv", description: "Onboarding: fetch each case's Truv order and store its lineage too" }
  ])
)

/** The `--json` shape of `cases remove`. */
export type RemoveJson = RemovedCase

const removeCase = Command.make("remove", {
  caseId: Argument.String("case").pipe(Argument.withDescription("The case id")),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("cases remove")(function*({ caseId, db, json }) {
  const removed = yield* withStore(db, "write", (store) => store.removeCase(caseId)).pipe(
    Effect.catchTag("CaseRemovalRefused", (e) => Effect.fail(new CommandFailed({ code: "removal-refused", message: e.message })))
  )
  if (json) return yield* printJson(removed satisfies RemoveJson)
  const r = removed.removed
  yield* printLines([
    `removed case ${caseId}: ${r.attempts} attempt(s), ${r.decisions} decision(s), ${r.results} result(s), ${r.verifications} verification request(s), ${r.jobs} job(s)`,
    removed.lineageRemoved
      ? `and its lineage ${removed.rootOrderId}: ${r.orders} order(s), ${r.connections} connection(s)`
      : `its lineage ${removed.rootOrderId} was kept (another case uses it, or it is not a lineage's root)`
  ])
})).pipe(
  Command.withDescription("Remove a case and what only it owns (refused while a refresh of it is in flight)"),
  Command.withExamples([
    { command: "recert cases remove case-17", description: "Remove a case imported by mistake" },
    { command: "recert cases remove case-17 --json", description: "What was removed, as JSON" }
  ])
)

/** The `--json` shape of `cases move-closing`. */
export interface MoveClosingJson {
  readonly caseId: string
  readonly from: string
  readonly to: string
  readonly dueAt: string
}

const CLOSING_DATE = /^\d{4}-\d{2}-\d{2}$/

/**
 * `recert cases move-closing <case> <date>`: a lender case's closing (note) date moved. The due
 * date moves with it; the last verification is kept, and the planner decides whether it still
 * falls in the new window (if not, the case is re-verified in the next pass).
 */
const moveClosing = Command.make("move-closing", {
  caseId: Argument.String("case").pipe(Argument.withDescription("The case id (a lender case with a closing date)")),
  date: Argument.String("date").pipe(Argument.withDescription("The new closing (note) date, YYYY-MM-DD")),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("cases move-closing")(function*({ caseId, date, db, json }) {
  if (!CLOSING_DATE.test(date) || !CalendarDate.safeParse(date).success) {
    return yield* new UsageError({ message: `closing date ${JSON.stringify(date)} is not a date YYYY-MM-DD (e.g. 2027-07-09)` })
  }
  const moved = yield* withStore(db, "write", (store) => store.moveClosing(caseId, date))
  if (moved._tag === "NotFound") return yield* new CommandFailed({ code: "not-found", message: `no case with id "${caseId}"` })
  if (moved._tag === "NotAClosingCase") {
    return yield* new CommandFailed({ code: "not-a-closing-case", message: `case "${caseId}" has no closing date (a review case: its due date follows its cycle)` })
  }
  if (json) return yield* printJson({ caseId, from: moved.from, to: moved.to, dueAt: moved.dueAt } satisfies MoveClosingJson)
  yield* printLines([`case ${caseId}: closing date moved from ${moved.from} to ${moved.to} (due ${moved.dueAt}); the next plan re-plans it in its new window`])
})).pipe(
  Command.withDescription("Move a lender case's closing (note) date; the case is re-planned in its new pre-closing window"),
  Command.withExamples([
    { command: "recert cases move-closing loan-17 2027-07-23", description: "The closing moved two weeks later" },
    { command: "recert explain loan-17", description: "Then: is its verification still in the window?" }
  ])
)

export const cases = Command.make("cases").pipe(
  Command.withDescription("Manage cases"),
  Command.withSubcommands([importCases, removeCase, moveClosing, closeCase])
)
