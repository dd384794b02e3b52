/**
 * `recert db init`: creates a database (a new SQLite file, or Recert's schema in an empty Postgres
 * database) and applies every migration; idempotent on an existing one. `recert db migrate`:
 * applies pending migrations to an existing database (a mistyped path is an error, never a new
 * empty database). `db init` and `cases import --create` are the only commands that create one.
 */
import type { MigrationReport } from "@recert/store"
import { Effect, type Option } from "effect"
import { Command } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { printJson, printLines } from "../output.js"

const migrateWith = (access: "migrate" | "create") => Effect.fn(`db ${access}`)(function*({ db, json }: { readonly db: Option.Option<string>; readonly json: boolean }) {
  const { report, label } = yield* withStore(db, access, (store, target) =>
    Effect.map(store.migrate(), (report) => ({ report, label: target.label })))
  if (json) return yield* printJson(report satisfies MigrationReport)
  const applied = report.applied.length === 0
    ? `${label}: schema up to date`
    : `${label}: applied ${report.applied.length} migration(s): ${report.applied.join(", ")}`
  yield* printLines([applied, `schema version ${report.version.current ?? "none"} (latest known ${report.version.latest})`])
})

const init = Command.make("init", { db: Opt.db, json: Opt.json }, migrateWith("create")).pipe(
  Command.withDescription("Create a new database (or Recert's schema in an empty one) with every migration applied"),
  Command.withExamples([
    { command: "recert db init --db /var/lib/recert/recert.sqlite", description: "A new SQLite database" },
    { command: "recert db init --db postgres://recert@db/recert", description: "Recert's schema in a Postgres database" }
  ])
)

const migrate = Command.make("migrate", { db: Opt.db, json: Opt.json }, migrateWith("migrate")).pipe(
  Command.withDescription("Apply pending migrations to an existing database"),
  Command.withExamples([
    { command: "recert db migrate", description: "Migrate .recert/recert.sqlite (or $DATABASE_URL)" },
    { command: "recert db migrate --db postgres://recert@db/recert", description: "Migrate a Postgres database" }
  ])
)

export const database = Command.make("db").pipe(
  Command.withDescription("Database administration"),
  Command.withSubcommands([init, migrate])
)
