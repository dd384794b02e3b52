/**
 * @recert/admin-cli: the `recert` command. The command tree and `runCli` are exported so tests
 * (and anyone embedding the CLI) can run it in-process.
 */
export { EXIT, recert, runCli, VERSION } from "./cli.js"
export { CliEnvironment, type CliEnvironmentShape } from "./environment.js"
export { CommandFailed, UsageError } from "./errors.js"
export { parseDuration, parseInstant } from "./time.js"
