#!/usr/bin/env node
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { scheduler } from "./cli.js"
import { loggingLayer } from "./logging.js"

scheduler.pipe(Command.run({ version: "0.1.0" }), Effect.provide(NodeServices.layer), Effect.provide(loggingLayer()), NodeRuntime.runMain)
