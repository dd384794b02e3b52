/**
 * The `recert-scheduler` command line: `run`, `serve` and `demo`, each with `--help` and examples.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { commonFlags } from "./commands/flags.js"
import { runOnce } from "./commands/run.js"
import { serve as serveCommand, serveFlags } from "./commands/serve.js"

const json = Flag.Boolean("json").pipe(Flag.withDescription("Print the report as JSON"), Flag.withDefault(false))
const concurrency = Flag.Int("concurrency").pipe(Flag.withDescription("Truv requests in flight at once for renewals; twice as many cases are worked on"), Flag.withDefault(16))

export const demo = Command.make("demo", {
  json, concurrency,
  scale: Flag.Finite("scale").pipe(Flag.withDescription("Multiply the number of seeded cases (1 = about a thousand)"), Flag.withDefault(1)),
  db: Flag.String("db").pipe(Flag.withDescription("Run on this Postgres database (postgres://…, holding no cases) instead of a fresh .recert/demo.sqlite"), Flag.optional)
}, (o) =>
  // Loaded only by this command: `run` and `serve` never load the sandbox (scripts/check-deps.mjs).
  Effect.promise(() => import("./demo/demo.js")).pipe(
    Effect.flatMap(({ runDemo }) => Effect.asVoid(runDemo({ json: o.json, scale: o.scale, concurrency: o.concurrency, ...(Option.isSome(o.db) ? { db: o.db.value } : {}) })))
  )).pipe(
  Command.withDescription("Seed ~1000 cases into a fresh SQLite database, run every renewal against the in-process Truv sandbox with webhooks, print the report"),
  Command.withExamples([
    { command: "recert-scheduler demo", description: "The whole story in well under a minute (pnpm demo)" },
    { command: "recert-scheduler demo --json --scale 0.1", description: "About a hundred cases, report as JSON" },
    { command: "recert-scheduler demo --db postgres://postgres@127.0.0.1:5432/recert_demo", description: "The same on an empty Postgres database" }
  ])
)

export const run = Command.make("run", {
  ...commonFlags,
  drainDeadline: Flag.String("drain-deadline").pipe(Flag.withDescription("How long to deliver outbox events at the end (else RECERT_DELIVERY_DRAIN_DEADLINE, default 30s)"), Flag.optional)
}, (flags) => Effect.asVoid(runOnce(flags))).pipe(
  Command.withDescription(
    "One pass over the due cases, then the report (with --json: `status` ok|degraded|failed and its `reasons`; every due case processed, listed as unloadable, or not reached). " +
      "Exit codes: 0 ok (cases needing their user included); 3 degraded: some due cases could not be loaded or failed, some Truv calls or store operations failed, Truv throttled us or refused a refresh for its 24 h limit; " +
      "1 failed: Truv refused our credentials (401/403), Truv unreachable for the pass, the store failing (disk full, read-only, I/O), or no due case could be processed; 2 bad configuration or arguments. " +
      "A degraded or failed pass also prints one line on stderr saying why"
  ),
  Command.withExamples([
    { command: "TRUV_CLIENT_ID=… TRUV_SECRET=… recert-scheduler run", description: "Renew what is due in .recert/recert.sqlite" },
    { command: "recert-scheduler run --config recert.json --db postgres://db/recert --concurrency 32 --json", description: "Postgres, a config file, the report as JSON" },
    { command: "recert-scheduler run --json > report.json; test $? -eq 1 && alert \"renewals failed\"", description: "Cron: 0 ok, 3 degraded (see report.json's reasons), 1 failed" }
  ])
)

export const serve = Command.make("serve", serveFlags, (flags) => Effect.asVoid(serveCommand(flags))).pipe(
  Command.withDescription("A pass every --interval plus the webhook receiver (POST /webhooks/truv); GET /health and GET /metrics on the admin bind (127.0.0.1, --admin-port), until SIGINT/SIGTERM"),
  Command.withExamples([
    { command: "recert-scheduler serve --port 8080 --interval 15m", description: "Production shape: Truv from TRUV_* variables" },
    { command: "RECERT_WEBHOOK_PORT=9000 recert-scheduler serve --config recert.json --interval 30s", description: "Frequent passes, port from the environment" }
  ])
)

export const scheduler = Command.make("recert-scheduler").pipe(
  Command.withDescription("Renews Truv payroll connections due for recertification, at the least cost, within Truv's limits"),
  Command.withExamples([
    { command: "recert-scheduler demo", description: "Try it: sandbox, ~1000 cases, report" },
    { command: "recert-scheduler run --help", description: "Help of a command" }
  ]),
  Command.withSubcommands([run, serve, demo])
)
