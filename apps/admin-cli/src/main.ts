#!/usr/bin/env node
/**
 * The `recert` executable: runs the command tree on the process arguments with Node's services
 * and sets the exit code (0 ok, 1 failure, 2 usage error). Everything else is in `cli.ts`.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect } from "effect"
import { runCli } from "./cli.js"

// Output piped into a reader that stops early (`recert queue --all | head`): stop quietly, as
// Unix tools do, instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0)
    throw error
  })
}

runCli(process.argv.slice(2)).pipe(
  Effect.flatMap((code) => Effect.sync(() => { process.exitCode = code })),
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain
)
