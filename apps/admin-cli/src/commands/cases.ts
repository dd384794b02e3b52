/**
 * `recert cases import <file.csv|file.json>`: adds cases from a file, validated, all or nothing.
 * Any problem and nothing is written; every problem is reported with its line and field. Creates
 * (and migrates) the database if it does not exist yet.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { withStore } from "../database.js"
import { CommandFailed, UsageError } from "../errors.js"
import { readText } from "../files.js"
import * as Opt from "../options.js"
import { printJson, printLines } from "../output.js"

/** The `--json` shape of `cases import`. */
export interface ImportJson {
  readonly imported: number
}

const formatOf = (file: string, given: Option.Option<"csv" | "json">): Effect.Effect<"csv" | "json", UsageError> => {
  if (Option.isSome(given)) return Effect.succeed(given.value)
  const ext = /\.(csv|json)$/i.exec(file)?.[1]?.toLowerCase()
  return ext === "csv" || ext === "json"
    ? Effect.succeed(ext)
    : Effect.fail(new UsageError({ message: `cannot tell the format of ${file}: name it .csv or .json, or pass --format csv|json` }))
}

const importCases = Command.make("import", {
  file: Argument.String("file").pipe(Argument.withDescription("A CSV file (header id,dueAt,cycle,rootOrderId,product,lastVerifiedAt) or a JSON array of cases")),
  format: Flag.Literals("format", ["csv", "json"]).pipe(Flag.withDescription("The file's format (default: from its extension)"), Flag.optional),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("cases import")(function*({ file, format, db, json }) {
  const kind = yield* formatOf(file, format)
  const contents = yield* readText(file)
  const { imported } = yield* withStore(db, "import", (store) => store.importCases(contents, kind)).pipe(
    Effect.catchTag("ImportFailed", (e) => Effect.fail(new CommandFailed({
      code: "import-refused",
      message: `import of ${file} refused: ${e.issues.length} problem(s), nothing was written`,
      issues: e.issues.map((i) => ({ line: i.line, path: i.field, message: i.message }))
    })))
  )
  if (json) return yield* printJson({ imported } satisfies ImportJson)
  yield* printLines([`imported ${imported} case(s) from ${file}`])
})).pipe(
  Command.withDescription("Import cases from a CSV or JSON file: validated, all or nothing, errors with line numbers"),
  Command.withExamples([
    { command: "recert cases import cases.csv", description: "Import a CSV export" },
    { command: "recert cases import cases.json --db postgres://recert@db/recert", description: "Into Postgres" }
  ])
)

export const cases = Command.make("cases").pipe(
  Command.withDescription("Manage cases"),
  Command.withSubcommands([importCases])
)
