/**
 * `recert destinations [--config file]`: the destinations the deliverer sends to (from the
 * config file's `destinations`, or `RECERT_DESTINATIONS`), never their secrets.
 * `recert destinations test <name>`: sends that destination one signed ping (a `recert.ping`
 * body, not an outbox event) and shows the answer, so an agency's developer can check the URL,
 * the secret and their verifier before any case is delivered. Bad configuration is exit 2.
 */
import { type Destination, describeOutcome, loadDestinations, postEvent } from "@recert/delivery"
import { Clock, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { randomUUID } from "node:crypto"
import { CliEnvironment } from "../environment.js"
import { CommandFailed, UsageError } from "../errors.js"
import * as Opt from "../options.js"
import { paint, printJson, printLines, table } from "../output.js"

const config = Flag.String("config").pipe(Flag.withDescription("The scheduler's JSON config file (its `destinations`; else RECERT_DESTINATIONS)"), Flag.optional)

const load = (file: Option.Option<string>) => Effect.gen(function*() {
  const env = (yield* CliEnvironment).env
  const r = loadDestinations({ file: Option.getOrUndefined(file), env })
  if (r.problems.length > 0) return yield* new UsageError({ code: "bad-destination", message: r.problems.join("\n") })
  return r.destinations
})

/** A destination as listed (no secret). */
const shown = (d: Destination) => ({ name: d.name, url: d.url, events: d.events ?? "all", timeoutMs: d.timeoutMs, concurrency: d.concurrency, pdf: d.pdf })

const test = Command.make("test", {
  name: Argument.String("name").pipe(Argument.withDescription("The destination's name")),
  config,
  json: Opt.json
}, Effect.fn("destinations test")(function*({ name, config: file, json }) {
  const all = yield* load(file)
  const d = all.find((x) => x.name === name)
  if (d === undefined) return yield* new UsageError({ code: "unknown-destination", message: `no destination named ${name} (configured: ${all.map((x) => x.name).join(", ") || "none"})` })
  const now = yield* Clock.currentTimeMillis
  const id = randomUUID()
  const body = JSON.stringify({ id, type: "recert.ping", version: 1, occurredAt: new Date(now).toISOString() })
  const outcome = yield* Effect.promise(() => postEvent(d, { id, body, timestampSec: Math.floor(now / 1000) }))
  const ok = outcome._tag === "answered" && outcome.status >= 200 && outcome.status < 300
  if (json) yield* printJson({ destination: name, webhookId: id, ok, outcome })
  else yield* printLines([`${name} (${d.url}): ${describeOutcome(outcome)} in ${outcome.ms} ms${ok ? "" : " — not delivered"}`])
  if (!ok) return yield* new CommandFailed({ code: "ping-failed", message: `${name}: ${describeOutcome(outcome)}` })
})).pipe(
  Command.withDescription("Send a destination one signed ping and show its answer (exit 1 unless 2xx)"),
  Command.withExamples([{ command: "recert destinations test agency --config recert.json", description: "Check the URL, the secret and the agency's verifier" }])
)

export const destinations = Command.make("destinations", { config, json: Opt.json }, Effect.fn("destinations")(function*({ config: file, json }) {
  const all = yield* load(file)
  if (json) return yield* printJson({ destinations: all.map(shown) })
  if (all.length === 0) return yield* printLines(["no destination configured (config file `destinations`, or RECERT_DESTINATIONS)"])
  const p = yield* paint
  yield* printLines(table(p, ["NAME", "URL", "EVENTS", "TIMEOUT", "CONCURRENCY", "PDF"],
    all.map((d) => [d.name, d.url, d.events?.join(",") ?? "all", `${d.timeoutMs} ms`, String(d.concurrency), d.pdf])))
})).pipe(
  Command.withDescription("List the destinations events are delivered to (secrets never shown)"),
  Command.withExamples([
    { command: "recert destinations --config recert.json", description: "From the scheduler's config file" },
    { command: "recert destinations test agency", description: "A signed ping to the destination named agency" }
  ]),
  Command.withSubcommands([test])
)
