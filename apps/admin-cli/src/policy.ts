/**
 * The policy configuration the CLI decides with: core's defaults, or a JSON file given with
 * `--policy` (every field optional, validated by the core). An invalid policy is configuration,
 * like a malformed flag: a `UsageError` (exit 2) on one line naming every bad path, e.g.
 * `invalid policy configuration in p.json: rateWindow.limt: unknown key (did you mean limit?)`.
 */
import { DEFAULT_POLICY_CONFIG, InvalidInput, parsePolicyConfig, type PolicyConfig } from "@recert/core"
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { CommandFailed, UsageError } from "./errors.js"
import { readJson } from "./files.js"

export const policyFlag = Flag.String("policy").pipe(
  Flag.withDescription("Policy configuration JSON file (every number of the rules; default: the defaults of DESIGN.md)"),
  Flag.withMetavar("file.json"),
  Flag.optional
)

export const invalid = (what: string, error: InvalidInput): CommandFailed =>
  new CommandFailed({ code: "invalid-input", message: `${what}: ${error.issues.length} problem(s)`, issues: error.issues })

export const loadPolicy = (file: Option.Option<string>): Effect.Effect<PolicyConfig, CommandFailed | UsageError> =>
  Option.match(file, {
    onNone: () => Effect.succeed(DEFAULT_POLICY_CONFIG),
    onSome: (path) => Effect.flatMap(readJson(path), (raw) => Effect.try({
      try: () => parsePolicyConfig(raw),
      catch: (error) => error instanceof InvalidInput
        ? new UsageError({ code: "invalid-policy", message: `invalid policy configuration in ${path}: ${error.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}` })
        : new CommandFailed({ code: "invalid-input", message: String(error) })
    }))
  })
