/** Shared setup of the sandbox tests: a sandbox on a manual clock at `T0`, a gateway pointed at it, and the adapter's helpers to run it. */
import { Redacted } from "effect"
import { TruvHttpGateway } from "@recert/truv-adapter"
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

// Running a gateway program and reading its typed result: the adapter's test helpers.
export { failureOf, runGateway, valueOf } from "../../truv-adapter/test/helpers.js"
