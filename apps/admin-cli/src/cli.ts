/**
 * The `recert` command tree and `runCli`, which runs it on an argument list and returns the exit
 * code: 0 on success, 1 when a command failed, 2 when the command line is wrong. `main.ts` calls
 * it with the process arguments; tests call it in-process with their own arguments, console,
 * environment and clock.
 *
 * Errors are printed on stderr: a line of text, or with `--json` the stable shape
 * `{"error":{"code","message","issues"?}}`.
 */
import { Cause, Console, Effect } from "effect"
import { CliError, CliOutput, Command } from "effect/cli"
import { cases } from "./commands/cases.js"
import { database } from "./commands/db.js"
import { decide } from "./commands/decide.js"
import { destinations } from "./commands/destinations.js"
import { due } from "./commands/due.js"
import { events } from "./commands/events.js"
import { explain } from "./commands/explain.js"
import { ledger } from "./commands/ledger.js"
import { plan } from "./commands/plan.js"
import { queue } from "./commands/queue.js"
import { redact } from "./commands/redact.js"
import { caseTimeline } from "./commands/case-timeline.js"
import { result, results } from "./commands/result.js"
import { schema } from "./commands/schema.js"
import { simulateCommand } from "./commands/simulate.js"
import { stats } from "./commands/stats.js"
import { CommandFailed, type Issue, UsageError } from "./errors.js"
import { printable } from "./output.js"

export const VERSION = "0.1.0"

export const recert = Command.make("recert").pipe(
  Command.withDescription("Why, when and how much: explain refresh decisions, list due cases, ledgers, costs and what-ifs"),
  Command.withSubcommands([explain, decide, schema, due, plan, ledger, queue, result, results, stats, cases, database, events, destinations, simulateCommand, redact, caseTimeline]),
  Command.withExamples([
    { command: "recert explain case-17", description: "Why was this case (not) refreshed, and when can it be?" },
    { command: "recert plan --at 2026-12-01", description: "What would a run on Dec 1 do and cost?" },
    { command: "recert decide --input lineage.json", description: "Try the rules on a JSON file, no database" }
  ])
)

/** Exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

interface Reported {
  readonly code: string
  readonly message: string
  readonly issues?: ReadonlyArray<Issue>
}

const printError = (json: boolean, error: Reported): Effect.Effect<void> => {
  if (json) {
    const body = { code: error.code, message: error.message, ...(error.issues !== undefined ? { issues: error.issues } : {}) }
    return Console.error(JSON.stringify({ error: body }, null, 2))
  }
  // Messages quote ids and file contents: escaped, so a control character cannot drive the terminal.
  const issues = (error.issues ?? []).map((i) => `  ${i.line !== undefined ? `line ${i.line}, ` : ""}${printable(i.path)}: ${printable(i.message)}`)
  return Console.error([`recert: ${error.message.split("\n").map(printable).join("\n")}`, ...issues].join("\n"))
}

/**
 * Parse errors are shown as one short message with a pointer to `--help` (effect's default
 * prints the whole help page on stdout, which would end up in a pipe meant for JSON).
 */
const presenter = (json: boolean): CliOutput.Presenter => ({
  present: (event) => {
    if (event._tag !== "InvalidInvocation") return CliOutput.defaultPresenter.present(event)
    const message = event.errors.map((e) => e.message).join("\n")
    return printError(json, { code: "usage", message: json ? message : `${message}\nSee \`${event.commandPath.join(" ")} --help\`.` })
  }
})

const isUsage = (e: unknown): boolean => CliError.isCliError(e) && (e._tag !== "ShowHelp" || e.errors.length > 0)

/**
 * Runs `recert` on `args` (without the program name) and returns the exit code. Never fails:
 * every error has been printed by the time it returns.
 *
 * @example
 * const code = yield* runCli(["explain", "case-17", "--at", "2026-12-01"])
 */
export const runCli = (args: ReadonlyArray<string>) => {
  const json = args.includes("--json")
  return Command.runWith(recert, { version: VERSION })(args).pipe(
    Effect.provideService(CliOutput.Presenter, presenter(json)),
    Effect.as<number>(EXIT.ok),
    Effect.catchCause((cause) => {
      const failure = Cause.findErrorOption(cause)
      if (failure._tag === "None") return Effect.as(printError(json, { code: "internal", message: Cause.pretty(cause) }), EXIT.failure)
      const error: unknown = failure.value
      if (error instanceof UsageError) return Effect.as(printError(json, { code: error.code ?? "usage", message: error.message }), EXIT.usage)
      if (error instanceof CommandFailed) return Effect.as(printError(json, error), EXIT.failure)
      if (isUsage(error)) return Effect.succeed(EXIT.usage) // already presented
      if (CliError.isCliError(error)) return Effect.succeed(EXIT.ok) // --help on a command without a handler
      const tagged = error as { readonly _tag?: unknown; readonly message?: unknown }
      return Effect.as(printError(json, {
        code: typeof tagged._tag === "string" ? tagged._tag : "internal",
        message: typeof tagged.message === "string" && tagged.message !== "" ? tagged.message : String(error)
      }), EXIT.failure)
    })
  )
}
