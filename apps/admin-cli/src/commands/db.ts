/**
 * `recert db migrate`: creates the database if needed and applies pending migrations
 * (idempotent). The only command besides `cases import` that creates a database.
 */
import type { MigrationReport } from "@recert/store"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { printJson, printLines } from "../output.js"

const migrate = Command.make("migrate", {
  db: Opt.db,
  json: Opt.json
}, Effect.fn("db migrate")(function*({ db, json }) {
  const { report, label } = yield* withStore(db, "migrate", (store, target) =>
    Effect.map(store.migrate(), (report) => ({ report, label: target.label })))
  if (json) return yield* printJson(report satisfies MigrationReport)
  const applied = report.applied.length === 0
    ? `${label}: schema up to date`
    : `${label}: applied ${report.applied.length} migration(s): ${report.applied.join(", ")}`
  yield* printLines([applied, `schema version ${report.version.current ?? "none"} (latest known ${report.version.latest})`])
})).pipe(
  Command.withDescription("Create the database if needed and apply pending migrations"),
  Command.withExamples([
    { command: "recert db migrate", description: "Migrate .recert/recert.sqlite (or $DATABASE_URL)" },
    { command: "recert db migrate --db postgres://recert@db/recert", description: "Migrate a Postgres database" }
  ])
)

export const database = Command.make("db").pipe(
  Command.withDescription("Database administration"),
  Command.withSubcommands([migrate])
)
