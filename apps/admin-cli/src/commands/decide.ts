/**
 * `recert decide --input <file.json>`: the decision for a lineage described in a JSON file
 * (core's decision input), with no database, so other teams can try the rules.
 */
import { decideAt, InvalidInput, parseDecisionInput } from "@recert/core"
import { Clock, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { CommandFailed } from "../errors.js"
import { readJson } from "../files.js"
import * as Opt from "../options.js"
import { paint, printJson, printLines } from "../output.js"
import { invalid, loadPolicy, policyFlag } from "../policy.js"
import { renderDecision } from "../render/decision.js"

export const decide = Command.make("decide", {
  input: Flag.String("input").pipe(
    Flag.withAlias("i"),
    Flag.withMetavar("file.json"),
    Flag.withDescription("The lineage, its ledger and the request, as core's decision input (see `recert schema decision-input`)")
  ),
  at: Opt.at,
  policy: policyFlag,
  json: Opt.json
}, Effect.fn("decide")(function*({ input, at, policy, json }) {
  const raw = yield* readJson(input)
  const parsed = yield* Effect.try({
    try: () => parseDecisionInput(raw),
    catch: (error) => error instanceof InvalidInput
      ? invalid(`invalid decision input in ${input}`, error)
      : new CommandFailed({ code: "invalid-input", message: String(error) })
  })
  const config = yield* loadPolicy(policy)
  const now = Option.isSome(at) ? at.value : yield* Clock.currentTimeMillis
  const decision = decideAt(parsed, now, config)
  if (json) return yield* printJson(decision)
  const orders = parsed.lineage.orders
  yield* printLines(renderDecision(yield* paint, `lineage ${parsed.lineage.rootOrderId}`, decision, {
    rootOrderId: parsed.lineage.rootOrderId,
    orderType: parsed.lineage.orderType,
    gse: parsed.lineage.gse,
    newestOrderId: orders[orders.length - 1]!.id
  }))
})).pipe(
  Command.withDescription("Decide a refresh for a lineage described in a JSON file (no database)"),
  Command.withExamples([
    { command: "recert decide --input lineage.json", description: "The decision now" },
    { command: "recert decide --input lineage.json --at 2026-12-01 --json", description: "What-if on Dec 1, as JSON" },
    { command: "recert decide --input lineage.json --policy strict.json", description: "With a custom policy configuration" }
  ])
)
