/**
 * The live layers of `run` and `serve`: the encryption key the configuration names, the store the
 * configuration names, the configured policy (one for the passes and the store's `reserve`), how clients
 * are reached (`clientReach`, core's `ClientReach`), Truv over
 * the adapter's HTTP gateway taking its permits from the budget every worker on the database
 * shares (the store's `TruvBudget`), Effect's Clock on Truv's time (unless `truv.correctClock` is
 * off), and what the store refuses at start-up turned into one line for the operator: a configuration error
 * (`ConfigInvalid`, exit 2: a malformed key, a key of another database, a missing database, a
 * directory or non-database as the database, a Postgres host that does not resolve) or a runtime
 * one (`RuntimeFailure`, exit 1: a database server that does not answer).
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { ClientReach, Policy, type PolicyConfig, type RenewalStore, type TruvBudget, type TruvGateway } from "@recert/core"
import { isPostgresUrl, redactDatabaseUrl, SqlStore, type Store, type StoreOpenError } from "@recert/store"
import { type ClockSkew, correctionMs, TruvClock, TruvHttpGateway, truvTimeLayer } from "@recert/truv-adapter"
import { Cause, Clock, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { ConfigInvalid, type SchedulerConfig } from "./config.js"
import { RuntimeFailure } from "./runtime-failure.js"
import { testClockLayer } from "./test-clock.js"

/** Where the key comes from: the variable (or config file), else a key file (by default beside the SQLite database). */
export interface KeySource {
  readonly key: Redacted.Redacted<string>
  /** What messages call it: `RECERT_ENCRYPTION_KEY` or the file's path. */
  readonly source: string
}

/** The key file `config` names, else `encryption.key` beside the SQLite database; null for Postgres without one. */
export const keyFileOf = (config: SchedulerConfig): string | null =>
  config.encryptionKeyFile ?? (isPostgresUrl(config.database.url) ? null : join(dirname(resolve(config.database.url)), "encryption.key"))

const readKeyFile = (file: string): Effect.Effect<KeySource, ConfigInvalid> => Effect.suspend(() => {
  try {
    return Effect.succeed({ key: Redacted.make(readFileSync(file, "utf8").trim()), source: file })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a key file" : code === "EACCES" ? "permission denied" : String(code ?? e)
    return Effect.fail(new ConfigInvalid({ problems: [`encryption key file ${file}: ${why} (set RECERT_ENCRYPTION_KEY, or RECERT_ENCRYPTION_KEY_FILE to the database's key file)`] }))
  }
})

/** `RECERT_ENCRYPTION_KEY` (or `encryptionKey` in the file), else the key file. */
export const encryptionKeyOf = (config: SchedulerConfig): Effect.Effect<KeySource, ConfigInvalid> => {
  if (config.encryptionKey !== undefined) return Effect.succeed({ key: Redacted.make(config.encryptionKey), source: "RECERT_ENCRYPTION_KEY" })
  const file = keyFileOf(config)
  // A mistyped --db would otherwise be reported as a missing key file beside it.
  if (config.encryptionKeyFile === undefined && file !== null && !config.database.create && !existsSync(config.database.url)) {
    return Effect.fail(new ConfigInvalid({ problems: [`database ${config.database.url}: no such database file (nothing was created; pass --create to create a new database)`] }))
  }
  if (file === null) return Effect.fail(new ConfigInvalid({ problems: ["encryption key: set RECERT_ENCRYPTION_KEY or RECERT_ENCRYPTION_KEY_FILE (a Postgres database has no key file beside it)"] }))
  return readKeyFile(file)
}

/**
 * The policy the workers and the store's reservations decide with: the configured one (`policy`,
 * `policyFile`; core's defaults when neither) with the configured clock guard (`resolveConfig`).
 */
export const policyOf = (config: SchedulerConfig): PolicyConfig => config.policy

/** Truv for `config`, on the budget the store shares with every worker on its database. */
const truvLayer = (config: SchedulerConfig): Layer.Layer<TruvGateway | TruvClock, never, TruvBudget> =>
  TruvHttpGateway.layerShared({
    clientId: config.truv.clientId, secret: Redacted.make(config.truv.secret), maxRequestsPerMinute: config.truv.maxRequestsPerMinute,
    sharedBudget: { holder: config.workerId }, clockSkewWarningMs: config.truv.clockSkewWarning,
    ...(config.truv.baseUrl === undefined ? {} : { baseUrl: config.truv.baseUrl }),
    ...(config.truv.timeoutMs === undefined ? {} : { timeoutMs: config.truv.timeoutMs })
  })

/**
 * Reads Truv's clock before the first decision (one request within the budget, `TruvClock.probe`;
 * nothing when an answer was read already) and says so when the worker will decide on it. `run`
 * calls it before its pass, `serve` once its server listens: a worker that cannot start sends
 * nothing and writes nothing.
 */
export const readTruvClock = (config: SchedulerConfig): Effect.Effect<ClockSkew, never, TruvClock> =>
  Effect.gen(function*() {
    const skew = yield* (yield* TruvClock).probe
    const correction = correctionMs(skew)
    if (config.truv.correctClock && correction !== 0) {
      yield* Effect.logInfo(`deciding on Truv's clock: ${(correction / 1000).toFixed(1)} s from this machine's (its Date header)`)
    }
    return skew
  })

/** `serve` waits for its database at start-up unless told otherwise; `run` (a batch) does not. */
export const SERVE_STARTUP_WAIT_MS = 60_000

/**
 * A start-up failure that is the moment's, not the configuration's: the database is there but does
 * not take connections now (a restart in progress: `57P01`/`57P03`, `ALLOW_CONNECTIONS false`,
 * too many clients: a retryable `StoreError`). A server that refuses the connection or a wrong
 * URL, key or file is not waited for: it is reported at once.
 */
export const isMomentaryStartFailure = (e: unknown): boolean =>
  typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "StoreError" && (e as { retryable?: unknown }).retryable === true

/**
 * `layer`, built again while its build fails for the moment (`isMomentaryStartFailure`), every
 * 0.5 s doubling to 5 s, for at most `waitMs`; a failed build's resources are released before the
 * next. Each wait is logged (the error's message, never a credential: the store's messages carry
 * none). Any other failure, or the last one, is the layer's failure as before.
 */
export const waitingStart = <A, E, R>(layer: Layer.Layer<A, E, R>, waitMs: number): Layer.Layer<A, E, R> =>
  waitMs <= 0 ? layer : Layer.effectContext(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const since = yield* Clock.currentTimeMillis
    let delayMs = 500
    while (true) {
      const attempt = yield* Scope.fork(scope)
      const exit = yield* Effect.exit(Layer.buildWithScope(layer, attempt))
      if (Exit.isSuccess(exit)) return exit.value
      yield* Scope.close(attempt, exit)
      const error = Cause.findErrorOption(exit.cause)
      const waited = (yield* Clock.currentTimeMillis) - since
      if (error._tag === "None" || !isMomentaryStartFailure(error.value) || waited + delayMs > waitMs) return yield* exit
      yield* Effect.logWarning("database not available at start-up; trying again", { inMs: delayMs, waitedMs: waited, error: (error.value as Error).message })
      yield* Effect.sleep(delayMs)
      delayMs = Math.min(delayMs * 2, 5_000)
    }
  }))

/**
 * The store, the policy and Truv for `config`. The Clock the layer is built with is this machine's
 * (the Truv client measures against it); the program it is provided to gets Truv's time.
 */
export const liveLayer = (config: SchedulerConfig, key: KeySource, startupWaitMs = config.startupWait ?? 0): Layer.Layer<Store | RenewalStore | TruvGateway | TruvClock | TruvBudget, StoreOpenError> => {
  const policy = policyOf(config)
  const store = waitingStart(SqlStore.layer({ url: config.database.url, encryptionKey: key.key, create: config.database.create, policy }), startupWaitMs)
  const truv = truvLayer(config).pipe(Layer.provideMerge(store))
  // The proof suite's test-only clock (test-clock.ts) wins over Truv's Date headers when set.
  const test = testClockLayer()
  const clock = test !== null ? test.pipe(Layer.provide(truv)) : config.truv.correctClock ? truvTimeLayer.pipe(Layer.provide(truv)) : Layer.empty
  return Layer.mergeAll(truv, clock, Layer.succeed(Policy, policy), Layer.succeed(ClientReach, config.clientReach))
}

const OPEN_ERRORS = new Set(["EncryptionKeyInvalid", "EncryptionKeyMismatch", "DatabaseUnavailable"])
type OpenError = Extract<StoreOpenError, { readonly _tag: "EncryptionKeyInvalid" | "EncryptionKeyMismatch" | "DatabaseUnavailable" }>

/** One line for a store that would not open: configuration (exit 2) or the moment (exit 1). Never shows the key. */
export const openErrorAsOperatorError = (e: OpenError, config: SchedulerConfig, key: KeySource): ConfigInvalid | RuntimeFailure => {
  const db = isPostgresUrl(config.database.url) ? redactDatabaseUrl(config.database.url) : config.database.url
  switch (e._tag) {
    case "EncryptionKeyInvalid": return new ConfigInvalid({ problems: [`encryption key (${key.source}): ${e.message}`] })
    case "EncryptionKeyMismatch": return new ConfigInvalid({ problems: [`encryption key (${key.source}) is not the key of the database ${db}: it was created under another key; use its own key`] })
  }
  if (!e.isConfiguration) return new RuntimeFailure({ message: `database ${e.message}` })
  const hint = e.reason === "missing" ? " (pass --create to create a new database)" : ""
  return new ConfigInvalid({ problems: [`database ${e.message}${hint}`] })
}

/** What the store refuses at start-up as one line for the operator (see `openErrorAsOperatorError`). */
export const keyErrorAsConfig = (config: SchedulerConfig, key: KeySource) =>
  <A, E, R>(effect: Effect.Effect<A, E | StoreOpenError, R>): Effect.Effect<A, Exclude<E, OpenError> | ConfigInvalid | RuntimeFailure, R> =>
    Effect.catchIf(effect, (e): e is OpenError => OPEN_ERRORS.has((e as { _tag?: string })._tag ?? ""), (e) =>
      Effect.fail(openErrorAsOperatorError(e, config, key))
    ) as Effect.Effect<A, Exclude<E, OpenError> | ConfigInvalid | RuntimeFailure, R>
