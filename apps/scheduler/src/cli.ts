/**
 * The `recert-scheduler` command line: `demo`, `run` and `serve`, each with `--help`.
 */
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { runDemo } from "./demo/demo.js"

const json = Flag.Boolean("json").pipe(Flag.withDescription("Print the report as JSON"), Flag.withDefault(false))
const concurrency = Flag.Int("concurrency").pipe(Flag.withDescription("Jobs in progress at once"), Flag.withDefault(16))

export const demo = Command.make("demo", {
  json, concurrency,
  scale: Flag.Finite("scale").pipe(Flag.withDescription("Multiply the number of seeded cases (1 = about a thousand)"), Flag.withDefault(1))
}, (o) => Effect.asVoid(runDemo({ json: o.json, scale: o.scale, concurrency: o.concurrency }))).pipe(
  Command.withDescription("Seed ~1000 cases into a fresh SQLite database, run every renewal against the in-process Truv sandbox with webhooks, print the report")
)

export const scheduler = Command.make("recert-scheduler").pipe(
  Command.withDescription("Renews Truv payroll connections due for recertification, at the least cost, within Truv's limits"),
  Command.withSubcommands([demo])
)
