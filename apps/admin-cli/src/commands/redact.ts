/**
 * `recert redact`: removes personal data past its retention (the store's redaction pass,
 * store/src/ops/redact.ts), the same pass `serve` runs as a job and `run` as a step. Without a
 * scope it applies the retention policy now (defaults, or `--retention file.json`: `{"rawReports":
 * "7d", ...}`); by hand, `--case <id>` removes what one case holds that nothing still needs, and
 * `--before <instant>` what was delivered (or whose case closed) before the instant, whatever its
 * retention. An open verification request or an undelivered event of a case holds all of it, in
 * every mode. `--dry-run` prints what would go and writes nothing: it opens the database read-only,
 * like the other reading commands (a login with only SELECT can run it). Each piece removed is recorded
 * with the instant and the reason (`--reason`, else the mode).
 */
import { DEFAULT_RETENTION_POLICY, InvalidInput, parseRetentionPolicy, type RetentionPolicy } from "@recert/core"
import type { RedactionReport, RedactScope } from "@recert/store"
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { Command } from "effect/cli"
import { withStore } from "../database.js"
import { CommandFailed, UsageError } from "../errors.js"
import { readJson } from "../files.js"
import * as Opt from "../options.js"
import { printJson, printLines } from "../output.js"

/** The `--json` shape of `redact`: the store's report. */
export type RedactJson = RedactionReport

const loadRetention = (file: Option.Option<string>): Effect.Effect<RetentionPolicy, UsageError | CommandFailed> =>
  Option.match(file, {
    onNone: () => Effect.succeed(DEFAULT_RETENTION_POLICY),
    onSome: (path) => Effect.flatMap(readJson(path), (raw) => Effect.try({
      try: () => parseRetentionPolicy(raw),
      catch: (e) => e instanceof InvalidInput
        ? new UsageError({ code: "invalid-retention", message: `invalid retention policy in ${path}: ${e.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}` })
        : new CommandFailed({ code: "invalid-input", message: String(e) })
    }))
  })

const render = (r: RedactionReport): Array<string> => {
  const verb = r.dryRun ? "would redact" : "redacted"
  return [
    `${verb} ${r.redacted.length} piece(s) of personal data in ${r.cases} case(s) at ${r.at} (${r.reason})`,
    ...r.redacted.map((p) => `  ${p.caseId}  ${p.target}  ${p.ref}  ${p.kind}${p.rows === null ? "" : `, ${p.rows} row(s)`}`),
    ...(r.held.length === 0 ? [] : [`held (still needed): ${r.held.length} piece(s)`, ...r.held.map((h) => `  ${h.caseId}  ${h.target}  ${h.ref}  held by ${h.holds.join(", ")}`)]),
    ...(r.waiting === 0 ? [] : [`${r.waiting} piece(s) kept until their retention ends`])
  ]
}

export const redact = Command.make("redact", {
  caseId: Flag.String("case").pipe(Flag.withDescription("Redact this case's personal data now (what nothing still needs)"), Flag.optional),
  before: Opt.instant("before", "Redact what was delivered, or whose case closed, before this instant, whatever its retention"),
  retention: Flag.String("retention").pipe(
    Flag.withDescription("Retention policy JSON file ({\"rawReports\":\"7d\",\"payStatements\":\"7d\",\"clientContact\":\"7d\",\"deliveredEvents\":\"30d\"}; default those)"),
    Flag.withMetavar("file.json"), Flag.optional
  ),
  reason: Flag.String("reason").pipe(Flag.withDescription("Why, recorded with every piece removed (default: the mode)"), Flag.optional),
  dryRun: Flag.Boolean("dry-run").pipe(Flag.withDescription("Print what would be redacted; write nothing"), Flag.withDefault(false)),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("redact")(function*({ caseId, before, retention, reason, dryRun, db, json }) {
  if (Option.isSome(caseId) && Option.isSome(before)) return yield* new UsageError({ message: "--case and --before are exclusive: give one, or neither for the retention policy" })
  if (Option.isSome(retention) && (Option.isSome(caseId) || Option.isSome(before))) {
    return yield* new UsageError({ message: "--retention applies to the policy pass only (without --case or --before)" })
  }
  const scope: RedactScope = Option.isSome(caseId) ? { caseId: caseId.value }
    : Option.isSome(before) ? { before: before.value }
    : { policy: yield* loadRetention(retention) }
  const why = Option.getOrElse(reason, () => "caseId" in scope ? `by hand: recert redact --case ${scope.caseId}`
    : "before" in scope ? `by hand: recert redact --before ${new Date(scope.before).toISOString()}` : "retention policy")
  const report = yield* withStore(db, dryRun ? "read" : "write", (store) => store.redact({ scope, reason: why, dryRun }))
  if (json) return yield* printJson(report satisfies RedactJson)
  yield* printLines(render(report))
})).pipe(
  Command.withDescription("Redact personal data past its retention (or by hand: --case, --before); --dry-run shows what would go"),
  Command.withExamples([
    { command: "recert redact --dry-run", description: "What the retention policy would remove now" },
    { command: "recert redact --case case-17 --reason \"client asked\"", description: "Remove one case's personal data now" },
    { command: "recert redact --before 2026-01-01 --json", description: "Everything delivered before 2026" }
  ])
)
