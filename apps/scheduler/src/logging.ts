/**
 * Logs: JSON lines on stderr when stdout is not a terminal (for collectors), a compact pretty
 * form on stderr otherwise. Secrets never reach a log: they are `Redacted` everywhere.
 */
import { type Layer, Logger } from "effect"

export const loggingLayer = (): Layer.Layer<never> =>
  process.stdout.isTTY === true
    ? Logger.layer([Logger.withConsoleError(Logger.consolePretty({ colors: false }))])
    : Logger.layer([Logger.withConsoleError(Logger.formatJson)])
