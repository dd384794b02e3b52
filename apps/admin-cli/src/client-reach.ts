/**
 * The deployment's reach mode (core's `ReachMode`, issue 16) as `cases import` reads it: the
 * `--client-reach` flag, else `RECERT_CLIENT_REACH` (the variable the scheduler reads, so one
 * setting serves both), else `truv-sends`. An import checks each case's client contact against
 * what the mode needs (`missingAtImport`). A bad value is a usage error (exit 2) naming where it
 * came from.
 */
import { DEFAULT_REACH_MODE, REACH_MODES, type ReachMode } from "@recert/core"
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { CliEnvironment } from "./environment.js"
import { UsageError } from "./errors.js"

export const clientReachFlag = Flag.String("client-reach").pipe(
  Flag.withDescription(`How the deployment reaches clients, which decides the contact each case needs: ${REACH_MODES.join(", ")} (else RECERT_CLIENT_REACH, default ${DEFAULT_REACH_MODE})`),
  Flag.withMetavar("mode"),
  Flag.optional
)

const isReachMode = (v: string): v is ReachMode => (REACH_MODES as ReadonlyArray<string>).includes(v)

/** The flag's value, else the variable's, else the default; a bad one names its source. */
export const resolveClientReach = (flag: Option.Option<string>): Effect.Effect<ReachMode, UsageError> =>
  Effect.gen(function*() {
    const { env } = yield* CliEnvironment
    const fromEnv = env["RECERT_CLIENT_REACH"]
    const [source, value] = Option.isSome(flag) ? ["--client-reach", flag.value] : fromEnv !== undefined && fromEnv !== "" ? ["RECERT_CLIENT_REACH", fromEnv] : [null, DEFAULT_REACH_MODE]
    if (isReachMode(value)) return value
    return yield* new UsageError({ message: `${source}: expected one of ${REACH_MODES.join(", ")}; got ${JSON.stringify(value)}` })
  })
