#!/usr/bin/env node
/**
 * The `recert` executable: runs the command tree on the process arguments with Node's services
 * and sets the exit code (0 ok, 1 failure, 2 usage error). Everything else is in `cli.ts`.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect } from "effect"
import { runCli } from "./cli.js"

runCli(process.argv.slice(2)).pipe(
  Effect.flatMap((code) => Effect.sync(() => { process.exitCode = code })),
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain
)
