/**
 * Truv credentials for `cases import --from-truv`, read like the scheduler reads them:
 * `TRUV_CLIENT_ID` and `TRUV_SECRET` (required), `TRUV_BASE_URL`, `TRUV_TIMEOUT_MS` and
 * `TRUV_MAX_REQUESTS_PER_MINUTE` (optional; the client's budget defaults to Truv's 300 a minute).
 * Missing or malformed values are configuration errors (exit 2) naming the variable, never its
 * value when it is the secret.
 */
import type { TruvClientConfig } from "@recert/truv-adapter"
import { Effect, Redacted } from "effect"
import { CliEnvironment } from "../environment.js"
import { UsageError } from "../errors.js"

const problem = (message: string) => new UsageError({ code: "truv-config", message })

const positiveInt = (name: string, text: string | undefined): Effect.Effect<number | undefined, UsageError> => {
  if (text === undefined || text === "") return Effect.succeed(undefined)
  return /^[1-9]\d{0,8}$/.test(text) ? Effect.succeed(Number(text)) : Effect.fail(problem(`${name}: expected a whole number above 0; got ${JSON.stringify(text)}`))
}

/** The credentials, for `what` (named in the error when they are missing: `--from-truv`, `cases close`). */
export const truvConfigFor = (what: string): Effect.Effect<TruvClientConfig, UsageError> => Effect.gen(function*() {
  const { env } = yield* CliEnvironment
  const missing = ["TRUV_CLIENT_ID", "TRUV_SECRET"].filter((name) => (env[name] ?? "") === "")
  if (missing.length > 0) return yield* problem(`${what} needs Truv credentials: set ${missing.join(" and ")} (and TRUV_BASE_URL for a Truv other than production)`)
  const baseUrl = env["TRUV_BASE_URL"]
  if (baseUrl !== undefined && baseUrl !== "" && !/^https?:\/\/[^\s/]+/.test(baseUrl)) {
    return yield* problem(`TRUV_BASE_URL: expected an http(s) URL; got ${JSON.stringify(baseUrl)}`)
  }
  const timeoutMs = yield* positiveInt("TRUV_TIMEOUT_MS", env["TRUV_TIMEOUT_MS"])
  const perMinute = yield* positiveInt("TRUV_MAX_REQUESTS_PER_MINUTE", env["TRUV_MAX_REQUESTS_PER_MINUTE"])
  return {
    clientId: env["TRUV_CLIENT_ID"]!,
    secret: Redacted.make(env["TRUV_SECRET"]!),
    ...(baseUrl !== undefined && baseUrl !== "" ? { baseUrl } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(perMinute === undefined ? {} : { maxRequestsPerMinute: perMinute })
  }
})

export const truvConfigFromEnvironment: Effect.Effect<TruvClientConfig, UsageError> = truvConfigFor("--from-truv")
