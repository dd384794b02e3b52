/**
 * Running the gateway and the client in a test and reading the typed result: `runGateway` gives
 * the Exit, `failureOf` the typed error, `valueOf` the value. The sandbox's tests use the same
 * helpers (they re-export these). Added when wt/client's tests (written when the sandbox still
 * lived here, with this file) were merged after the sandbox moved to its own workspace.
 */
import { TruvGateway, type TruvError } from "@recert/core"
import { Effect, Exit, type Layer } from "effect"
import { TruvClient } from "../src/index.js"

/** Runs a gateway program; returns the Exit so tests can read the typed error. */
export const runGateway = <A>(
  layer: Layer.Layer<TruvGateway | TruvClient>,
  f: (gw: TruvGateway["Service"], client: TruvClient["Service"]) => Effect.Effect<A, TruvError>
) =>
  Effect.runPromiseExit(
    Effect.gen(function*() {
      const gw = yield* TruvGateway
      const client = yield* TruvClient
      return yield* f(gw, client)
    }).pipe(Effect.provide(layer))
  )

export const failureOf = <A>(exit: Exit.Exit<A, TruvError>): TruvError => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") throw new Error(`expected a typed failure: ${String(exit.cause)}`)
  return error.error
}

export const valueOf = <A>(exit: Exit.Exit<A, TruvError>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success: ${String(exit.cause)}`)
  return exit.value
}
