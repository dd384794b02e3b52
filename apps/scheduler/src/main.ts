#!/usr/bin/env node
/**
 * The process entry. Signals are the scheduler's own (`shutdown.ts`: stop claiming, finish or
 * release, report, exit 0; a second signal exits 130), so this runs the CLI without
 * `NodeRuntime.runMain`'s interrupt-on-signal. Exit codes: 0 success, 1 failure (a pass that
 * failed included), 2 usage error (bad arguments or configuration; the message names the flag,
 * variable or file path), 3 a `run` pass that completed degraded (report/pass-status.ts). Expected
 * failures are one line on stderr, never a stack trace; only a defect prints its trace.
 */
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Effect, Exit } from "effect"
import { CliError, Command } from "effect/cli"
import { scheduler } from "./cli.js"
import { ConfigInvalid } from "./runtime/config.js"
import { PassDegraded, RuntimeFailure } from "./runtime/runtime-failure.js"
import { loggingLayer } from "./logging.js"
import { installShutdown } from "./shutdown.js"

// Before anything slow, so a signal during start-up is already a graceful stop.
installShutdown()

const program = Command.run(scheduler, { version: "0.1.0" }).pipe(
  Effect.provide(NodeServices.layer),
  Effect.provide(loggingLayer())
)

const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  const error = Cause.squash(exit.cause)
  if (error instanceof ConfigInvalid) {
    process.stderr.write(`${error.message}\n`)
    return 2
  }
  if (error instanceof PassDegraded) {
    process.stderr.write(`recert-scheduler: ${error.message}\n`)
    return 3
  }
  // effect/cli already printed the help and the problem.
  if (CliError.isCliError(error)) return 2
  if (Cause.hasInterruptsOnly(exit.cause)) return 130
  // An expected failure (a tagged error: the database, Truv, the receiver) is one line naming it;
  // only a defect (a bug) gets the whole trace.
  const tagged = error as { readonly _tag?: unknown; readonly message?: unknown }
  if (Cause.hasFails(exit.cause) && typeof tagged._tag === "string") {
    process.stderr.write(`recert-scheduler: ${error instanceof RuntimeFailure ? "" : `${tagged._tag}: `}${String(tagged.message)}\n`)
    return 1
  }
  process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
  return 1
}

Effect.runFork(program).addObserver((exit) => {
  process.exitCode = exitCode(exit)
  // Sockets or timers the run left behind must not keep a finished command alive.
  setTimeout(() => process.exit(), 200).unref()
})
