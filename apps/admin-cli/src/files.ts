/**
 * Reading input files named on the command line, relative to the CLI's working directory. A
 * file that cannot be read or is not JSON is a `CommandFailed` naming the file and the cause.
 */
import { Effect } from "effect"
import { readFile } from "node:fs/promises"
import { isAbsolute, resolve } from "node:path"
import { CliEnvironment } from "./environment.js"
import { CommandFailed } from "./errors.js"

const describe = (error: unknown): string => {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : ""
  if (code === "ENOENT") return "no such file"
  if (code === "EISDIR") return "is a directory"
  if (code === "EACCES") return "permission denied"
  return error instanceof Error ? error.message : String(error)
}

/** A path from the command line, resolved against the working directory. */
export const resolvePath = (path: string): Effect.Effect<string> =>
  Effect.gen(function*() {
    return isAbsolute(path) ? path : resolve((yield* CliEnvironment).cwd, path)
  })

export const readText = (path: string): Effect.Effect<string, CommandFailed> =>
  Effect.flatMap(resolvePath(path), (full) => Effect.tryPromise({
    try: () => readFile(full, "utf8"),
    catch: (error) => new CommandFailed({ code: "file-unreadable", message: `cannot read ${path}: ${describe(error)}` })
  }))

export const readJson = (path: string): Effect.Effect<unknown, CommandFailed> =>
  Effect.flatMap(readText(path), (text) => Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (error) => new CommandFailed({
      code: "invalid-json",
      message: `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`
    })
  }))
