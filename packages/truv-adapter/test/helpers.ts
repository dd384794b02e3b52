/**
 * Running gateway programs in tests and reading their typed outcome: shared by the adapter's tests
 * and, by relative path, the sandbox's (which add a sandbox-backed gateway Layer).
 */
import { TruvGateway, type TruvError } from "@recert/core"
import { Effect, Exit, type Layer } from "effect"
import { TruvClient } from "../src/index.js"

/** Runs a gateway program against a Layer; returns the Exit so tests can read the typed error. */
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
