/**
 * What the CLI reads from its process besides arguments: the working directory (the default
 * database is relative to it) and environment variables (`DATABASE_URL`,
 * `RECERT_ENCRYPTION_KEY`). A `Context.Reference` with the real process as default, so tests
 * run commands in-process with their own directory and variables, and nothing reads `process`
 * anywhere else.
 */
import { Context } from "effect"

export interface CliEnvironmentShape {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}

export const CliEnvironment = Context.Reference<CliEnvironmentShape>("@recert/admin-cli/CliEnvironment", {
  defaultValue: () => ({ cwd: process.cwd(), env: process.env })
})
