/**
 * Configuration of the Truv HTTP client. The base URL is Truv's production host for every
 * environment (the secret's prefix picks sandbox or prod, truv-api-notes §5.1); point it at the
 * sandbox server for tests and the demo. The secret is `Redacted` and never printed.
 */
import { Config, Effect, Option, type Redacted } from "effect"
import type { SharedBudgetOptions } from "./shared-budget.js"

export const TRUV_PRODUCTION_URL = "https://prod.truv.com"

export interface TruvRetryConfig {
  /** Retries after the first attempt, for calls that may be repeated. Default 3. */
  readonly maxRetries?: number
  /** First backoff delay. Default 200 ms; doubles per retry, capped, with jitter. */
  readonly baseDelayMs?: number
  /** Cap of one backoff delay. Default 10 s. */
  readonly maxDelayMs?: number
}

export interface TruvClientConfig {
  /** Default `https://prod.truv.com`; paths `/v1/...` are appended. */
  readonly baseUrl?: string
  readonly clientId: string
  readonly secret: Redacted.Redacted<string>
  /** Per attempt, from sending to the body read. Default 30 s. */
  readonly timeoutMs?: number
  /**
   * Client-side budget per secret, shared by the whole process, and by every process on the same
   * `TruvBudget` when the client is built with one (`layerShared`). Default 300 (Truv's limit).
   */
  readonly maxRequestsPerMinute?: number
  readonly retry?: TruvRetryConfig
  /** How permits of a shared budget are taken (`layerShared` only): batch size, slack, holder. */
  readonly sharedBudget?: SharedBudgetOptions
  /** Log a warning (once) when Truv's clock (its `Date` header) is further than this from ours. Default 60 s. */
  readonly clockSkewWarningMs?: number
}

export interface ResolvedTruvClientConfig {
  readonly baseUrl: string
  readonly clientId: string
  readonly secret: Redacted.Redacted<string>
  readonly timeoutMs: number
  readonly maxRequestsPerMinute: number
  readonly retry: Required<TruvRetryConfig>
  readonly sharedBudget: SharedBudgetOptions
  readonly clockSkewWarningMs: number
}

export const resolveConfig = (config: TruvClientConfig): ResolvedTruvClientConfig => ({
  baseUrl: (config.baseUrl ?? TRUV_PRODUCTION_URL).replace(/\/+$/, "").replace(/\/v1$/, ""),
  clientId: config.clientId,
  secret: config.secret,
  timeoutMs: config.timeoutMs ?? 30_000,
  maxRequestsPerMinute: config.maxRequestsPerMinute ?? 300,
  retry: { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 10_000, ...config.retry },
  sharedBudget: config.sharedBudget ?? {},
  clockSkewWarningMs: config.clockSkewWarningMs ?? 60_000
})

/**
 * Reads `TRUV_BASE_URL` (optional), `TRUV_CLIENT_ID`, `TRUV_SECRET` (redacted),
 * `TRUV_TIMEOUT_MS` and `TRUV_MAX_REQUESTS_PER_MINUTE` (optional).
 */
export const truvClientConfigFromEnv: Effect.Effect<TruvClientConfig, Config.ConfigError> = Effect.gen(function*() {
  const baseUrl = yield* Config.option(Config.String("TRUV_BASE_URL"))
  const clientId = yield* Config.String("TRUV_CLIENT_ID")
  const secret = yield* Config.Redacted("TRUV_SECRET")
  const timeoutMs = yield* Config.option(Config.Int("TRUV_TIMEOUT_MS"))
  const perMinute = yield* Config.option(Config.Int("TRUV_MAX_REQUESTS_PER_MINUTE"))
  return {
    clientId,
    secret,
    ...(Option.isSome(baseUrl) ? { baseUrl: baseUrl.value } : {}),
    ...(Option.isSome(timeoutMs) ? { timeoutMs: timeoutMs.value } : {}),
    ...(Option.isSome(perMinute) ? { maxRequestsPerMinute: perMinute.value } : {})
  }
})

