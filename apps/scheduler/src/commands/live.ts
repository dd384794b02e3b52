/**
 * What `run` and `serve` share: the flags common to both, turning them into a validated
 * `SchedulerConfig`, the encryption key, and the live layers (the store named by the config and
 * Truv over the adapter's HTTP gateway with its shared budget).
 */
import { existsSync, readFileSync } from "node:fs"
import type { RenewalStore, TruvGateway } from "@recert/core"
import { type EncryptionKeyInvalid, type SchemaTooNew, SqlStore, type Store, type StoreError } from "@recert/store"
import { TruvHttpGateway } from "@recert/truv-adapter"
import { Effect, Layer, Option, Redacted } from "effect"
import { Flag } from "effect/cli"
import { ConfigInvalid, type FlagValues, resolveConfig, type SchedulerConfig } from "../config/config.js"

export const commonFlags = {
  db: Flag.String("db").pipe(Flag.withDescription("Database: a SQLite file or postgres:// URL (else DATABASE_URL, else .recert/recert.sqlite)"), Flag.optional),
  concurrency: Flag.Int("concurrency").pipe(Flag.withDescription("Truv requests in flight at once for renewals; twice as many cases are worked on (else RECERT_CONCURRENCY, default 16)"), Flag.optional),
  workerId: Flag.String("worker-id").pipe(Flag.withDescription("This worker's lease owner name (else RECERT_WORKER_ID, default host-pid)"), Flag.optional),
  config: Flag.String("config").pipe(Flag.withDescription("JSON config file (validated; environment and flags override it)"), Flag.optional),
  json: Flag.Boolean("json").pipe(Flag.withDescription("Print the report as JSON"), Flag.withDefault(false))
}

export interface CommonFlags {
  readonly db: Option.Option<string>
  readonly concurrency: Option.Option<number>
  readonly workerId: Option.Option<string>
  readonly config: Option.Option<string>
  readonly json: boolean
}

const given = (flag: string, value: Option.Option<unknown>) => (Option.isSome(value) ? { flag, value: value.value } : undefined)

/** Validated configuration: file < environment < flags. */
export const loadConfig = (flags: CommonFlags, extra: FlagValues = {}): Effect.Effect<SchedulerConfig, ConfigInvalid> =>
  resolveConfig({
    file: Option.getOrUndefined(flags.config),
    env: process.env,
    flags: {
      "database.url": given("--db", flags.db),
      concurrency: given("--concurrency", flags.concurrency),
      workerId: given("--worker-id", flags.workerId),
      ...extra
    }
  })

/** `RECERT_ENCRYPTION_KEY` (or `encryptionKey` in the file), else the key file. */
export const encryptionKeyOf = (config: SchedulerConfig): Effect.Effect<Redacted.Redacted<string>, ConfigInvalid> =>
  Effect.suspend(() => {
    if (config.encryptionKey !== undefined) return Effect.succeed(Redacted.make(config.encryptionKey))
    const file = config.encryptionKeyFile
    if (!existsSync(file)) {
      return Effect.fail(new ConfigInvalid({ problems: [`encryption key: set RECERT_ENCRYPTION_KEY or create ${file} (pnpm demo creates one)`] }))
    }
    return Effect.succeed(Redacted.make(readFileSync(file, "utf8").trim()))
  })

/** The store and Truv for `config`. */
export const liveLayer = (config: SchedulerConfig, key: Redacted.Redacted<string>): Layer.Layer<Store | RenewalStore | TruvGateway, EncryptionKeyInvalid | SchemaTooNew | StoreError> =>
  Layer.merge(
    SqlStore.layer({ url: config.database.url, encryptionKey: key }),
    TruvHttpGateway.layer({
      clientId: config.truv.clientId, secret: Redacted.make(config.truv.secret), maxRequestsPerMinute: config.truv.maxRequestsPerMinute,
      ...(config.truv.baseUrl === undefined ? {} : { baseUrl: config.truv.baseUrl }),
      ...(config.truv.timeoutMs === undefined ? {} : { timeoutMs: config.truv.timeoutMs })
    })
  )

/** A key the store refuses is a configuration error (exit 2), named by where it came from, never shown. */
export const keyErrorAsConfig = (config: SchedulerConfig) =>
  <A, E, R>(effect: Effect.Effect<A, E | EncryptionKeyInvalid, R>): Effect.Effect<A, Exclude<E, EncryptionKeyInvalid> | ConfigInvalid, R> =>
    Effect.catchIf(effect, (e): e is EncryptionKeyInvalid => (e as { _tag?: string })._tag === "EncryptionKeyInvalid", (e) =>
      Effect.fail(new ConfigInvalid({ problems: [`encryption key (${config.encryptionKey === undefined ? config.encryptionKeyFile : "RECERT_ENCRYPTION_KEY"}): ${e.message}`] }))
    ) as Effect.Effect<A, Exclude<E, EncryptionKeyInvalid> | ConfigInvalid, R>
