/**
 * `recert schema [name]`: the JSON Schemas of core's input and output, generated from the zod
 * schemas that validate them. Always JSON (a schema is a JSON document).
 */
import { jsonSchemas } from "@recert/core"
import { Effect, Option } from "effect"
import { Argument, Command } from "effect/cli"
import * as Opt from "../options.js"
import { printJson } from "../output.js"

const NAMES = {
  "decision-input": "decisionInput",
  decision: "decision",
  "policy-config": "policyConfig",
  case: "case",
  "plan-case": "planCase"
} as const
type Name = keyof typeof NAMES

export const schema = Command.make("schema", {
  name: Argument.Literals("name", Object.keys(NAMES) as Array<Name>).pipe(
    Argument.withDescription("Print only this schema (default: all of them, keyed by camelCase name)"),
    Argument.optional
  ),
  json: Opt.json
}, Effect.fn("schema")(function*({ name }) {
  const all = jsonSchemas()
  yield* printJson(Option.match(name, { onNone: () => all, onSome: (n) => all[NAMES[n]] }))
})).pipe(
  Command.withDescription("Print the JSON Schema of the decision input, the decision, the policy configuration and cases"),
  Command.withExamples([
    { command: "recert schema decision-input > decision-input.schema.json", description: "The input of `recert decide`" },
    { command: "recert schema decision", description: "The decision that `explain --json` and `decide --json` print" }
  ])
)
