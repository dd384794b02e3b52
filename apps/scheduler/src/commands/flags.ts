/**
 * The flags `run` and `serve` share, and turning them into a validated `SchedulerConfig`
 * (file < environment < flags, `runtime/config.ts`).
 */
import { type Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { type ConfigInvalid, type FlagValues, resolveConfig, type SchedulerConfig } from "../runtime/config.js"

export const commonFlags = {
  db: Flag.String("db").pipe(Flag.withDescription("Database: a SQLite file or postgres:// URL (else DATABASE_URL, else .recert/recert.sqlite)"), Flag.optional),
  create: Flag.Boolean("create").pipe(Flag.withDescription("Create the database if it does not exist (else a missing database is an error)"), Flag.withDefault(false)),
  concurrency: Flag.Int("concurrency").pipe(Flag.withDescription("Truv requests in flight at once for renewals; twice as many cases are worked on (else RECERT_CONCURRENCY, default 16)"), Flag.optional),
  workerId: Flag.String("worker-id").pipe(Flag.withDescription("This worker's lease owner name (else RECERT_WORKER_ID, default host-pid)"), Flag.optional),
  clientReach: Flag.String("client-reach").pipe(
    Flag.withDescription("How a client who must act is reached: truv-sends (a new order, Truv emails/texts the link), agency-sends (a new order, Truv silent, its share_url for the agency to send), bridge (a Bridge update-mode token for an embedded Bridge) (else RECERT_CLIENT_REACH, default truv-sends)"),
    Flag.optional
  ),
  policy: Flag.String("policy").pipe(
    Flag.withDescription("Policy configuration JSON file, the format of recert explain/plan --policy (overrides RECERT_POLICY_FILE; refused with a policy in the config file; default: core's defaults)"),
    Flag.withMetavar("file.json"),
    Flag.optional
  ),
  config: Flag.String("config").pipe(Flag.withDescription("JSON config file (validated; environment and flags override it)"), Flag.optional),
  json: Flag.Boolean("json").pipe(Flag.withDescription("Print the report as JSON"), Flag.withDefault(false))
}

export interface CommonFlags {
  readonly db: Option.Option<string>
  readonly create: boolean
  readonly concurrency: Option.Option<number>
  readonly workerId: Option.Option<string>
  readonly clientReach?: Option.Option<string>
  readonly policy?: Option.Option<string>
  readonly config: Option.Option<string>
  readonly json: boolean
}

/** A flag's value for the config merge, when it was given. */
export const given = (flag: string, value: Option.Option<unknown>) => (Option.isSome(value) ? { flag, value: value.value } : undefined)

/** Validated configuration: file < environment < flags. */
export const loadConfig = (flags: CommonFlags, extra: FlagValues = {}): Effect.Effect<SchedulerConfig, ConfigInvalid> =>
  resolveConfig({
    file: Option.getOrUndefined(flags.config),
    env: process.env,
    flags: {
      "database.url": given("--db", flags.db),
      "database.create": flags.create ? { flag: "--create", value: true } : undefined,
      concurrency: given("--concurrency", flags.concurrency),
      workerId: given("--worker-id", flags.workerId),
      clientReach: flags.clientReach === undefined ? undefined : given("--client-reach", flags.clientReach),
      policyFile: flags.policy === undefined ? undefined : given("--policy", flags.policy),
      ...extra
    }
  })
