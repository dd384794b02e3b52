/**
 * Runs `recert` in-process: the real command tree and Node services, with a test console (to
 * read stdout and stderr exactly), a test clock, no colour unless asked, and the working
 * directory and environment variables given by the test.
 */
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer } from "effect"
import { TerminalCapabilities } from "effect/cli"
import { TestClock, TestConsole } from "effect/testing"
import { fileURLToPath } from "node:url"
import { CliEnvironment, runCli } from "../src/index.js"

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url))

export interface RunOptions {
  readonly cwd?: string
  readonly env?: Record<string, string>
  readonly color?: boolean
  /** The clock's instant (ISO); commands without --at decide at it. */
  readonly now?: string
}

export interface RunResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export const run = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<RunResult> =>
  Effect.gen(function*() {
    if (options.now !== undefined) yield* TestClock.setTime(Date.parse(options.now))
    const exitCode = yield* runCli(args)
    const stdout = (yield* TestConsole.logLines).join("\n")
    const stderr = (yield* TestConsole.errorLines).join("\n")
    return { exitCode, stdout, stderr }
  }).pipe(
    Effect.provideService(CliEnvironment, { cwd: options.cwd ?? FIXTURES, env: options.env ?? {} }),
    Effect.provideService(TerminalCapabilities.TerminalCapabilities, { canColor: options.color ?? false, canAnimate: false, canPrompt: false }),
    Effect.provide(Layer.mergeAll(NodeServices.layer, TestConsole.layer, TestClock.layer())),
    Effect.runPromise
  )
