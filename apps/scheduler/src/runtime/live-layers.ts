/**
 * The live layers of `run` and `serve`: the encryption key the configuration names, the store the
 * configuration names and Truv over the adapter's HTTP gateway with its shared budget, and a key
 * the store refuses turned into a configuration error.
 */
import { existsSync, readFileSync } from "node:fs"
import type { RenewalStore, TruvGateway } from "@recert/core"
import { type EncryptionKeyInvalid, type SchemaTooNew, SqlStore, type Store, type StoreError } from "@recert/store"
import { TruvHttpGateway } from "@recert/truv-adapter"
import { Effect, Layer, Redacted } from "effect"
import { ConfigInvalid, type SchedulerConfig } from "./config.js"

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
