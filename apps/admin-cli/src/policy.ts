/**
 * The policy configuration the CLI decides with: core's defaults, or a JSON file given with
 * `--policy` (every field optional, validated by the core).
 */
import { DEFAULT_POLICY_CONFIG, InvalidInput, parsePolicyConfig, type PolicyConfig } from "@recert/core"
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { CommandFailed } from "./errors.js"
import { readJson } from "./files.js"

export const policyFlag = Flag.String("policy").pipe(
  Flag.withDescription("Policy configuration JSON file (every number of the rules; default: the defaults of DESIGN.md)"),
  Flag.withMetavar("file.json"),
  Flag.optional
)

export const invalid = (what: string, error: InvalidInput): CommandFailed =>
  new CommandFailed({ code: "invalid-input", message: `${what}: ${error.issues.length} problem(s)`, issues: error.issues })

export const loadPolicy = (file: Option.Option<string>): Effect.Effect<PolicyConfig, CommandFailed> =>
  Option.match(file, {
    onNone: () => Effect.succeed(DEFAULT_POLICY_CONFIG),
    onSome: (path) => Effect.flatMap(readJson(path), (raw) => Effect.try({
      try: () => parsePolicyConfig(raw),
      catch: (error) => error instanceof InvalidInput ? invalid(`invalid policy configuration in ${path}`, error) : new CommandFailed({ code: "invalid-input", message: String(error) })
    }))
  })
