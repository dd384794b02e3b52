/**
 * The CLI's two kinds of failure, which map to its two failing exit codes: a `UsageError` (the
 * command line itself is wrong: exit 2) and a `CommandFailed` (the command ran and could not do
 * what was asked: an unknown case, an invalid input file, a missing database: exit 1). Both are
 * values in the error channel; `runCli` renders them (as text, or as JSON with `--json`) and
 * turns them into the exit code.
 */
import { Schema } from "effect"

/** One problem in an input, with where it is (a JSON path, or a file line and field). */
export const Issue = Schema.Struct({
  line: Schema.optionalKey(Schema.Number),
  path: Schema.String,
  message: Schema.String
})
export type Issue = typeof Issue.Type

/**
 * The command line or the configuration is wrong (a malformed flag value, a missing argument, a
 * malformed RECERT_ENCRYPTION_KEY). Exit code 2. `code` defaults to `usage` in the JSON error.
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  code: Schema.optionalKey(Schema.String),
  message: Schema.String
}) {}

/**
 * The command could not do what was asked. `code` is stable and documented (the `--json` error
 * shape carries it); `issues` lists every problem of an invalid input. Exit code 1.
 */
export class CommandFailed extends Schema.TaggedError<CommandFailed>()("CommandFailed", {
  code: Schema.String,
  message: Schema.String,
  issues: Schema.optionalKey(Schema.Array(Issue))
}) {}
