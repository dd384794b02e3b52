/**
 * Running gateway programs in tests and reading their typed outcome: shared by the adapter's tests
 * and, by relative path, the sandbox's (which add a sandbox-backed gateway Layer).
 */
import { TruvGateway, type TruvError } from "@recert/core"
import { Effect, Exit, Layer } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { TruvClient } from "../src/index.js"

/** A scripted answer of the fake Truv below. */
export interface ScriptedAnswer { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }

/** A fake Truv answering from a script (the last answer repeats); records the instant (Clock ms) of each request. */
export const scripted = (answers: Array<ScriptedAnswer>, seen: Array<number>) =>
  Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) =>
    Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (now) => {
      seen.push(now)
      const a = answers[Math.min(seen.length - 1, answers.length - 1)]!
      return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify(a.body), { status: a.status, headers: a.headers ?? {} })))
    })))

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
