import { TruvGateway, type TruvError } from "@recert/core"
import { Effect, Exit, type Layer, Redacted } from "effect"
import { TruvClient, TruvHttpGateway } from "@recert/truv-adapter"
import { TruvSandbox, type TruvSandboxOptions } from "../src/index.js"

export const T0 = "2026-11-22T10:00:00.000Z"

export const startSandbox = (options: TruvSandboxOptions = {}) =>
  TruvSandbox.start({ clock: { mode: "manual", start: T0 }, ...options })

export const gatewayLayer = (sandbox: TruvSandbox, overrides: { timeoutMs?: number; maxRetries?: number; secret?: string } = {}) =>
  TruvHttpGateway.layer({
    baseUrl: sandbox.url,
    clientId: sandbox.clientId,
    secret: Redacted.make(overrides.secret ?? sandbox.secret),
    timeoutMs: overrides.timeoutMs ?? 2000,
    retry: { maxRetries: overrides.maxRetries ?? 0, baseDelayMs: 5, maxDelayMs: 20 }
  })

/** Runs a gateway program against the sandbox; returns the Exit so tests can read the typed error. */
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
