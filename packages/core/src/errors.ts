/**
 * Errors of the core. Invalid input is one error that lists every problem with its path, so a
 * caller fixes a file in one pass instead of one complaint at a time.
 */
import { Schema } from "effect"
import type { z } from "zod"
import { knownKeysAt, unknownKeyMessage } from "./engine/key-hints.js"

/** One problem in an input: where (a dotted path with [i] indices) and what. */
export interface InputIssue {
  readonly path: string
  readonly message: string
}

/** Formats a zod path as `lineage.connections[0].authenticatedAt`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) =>
    typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`, "")

const joinPath = (prefix: string, path: string): string =>
  prefix === "" ? path || "(root)" : path === "" ? prefix : `${prefix}.${path}`

/**
 * Turns zod issues into our flat, path-named issues. An unknown key becomes one issue per key,
 * at the key's own path (`rateWindow.limt: unknown key`); given the `schema` that was parsed,
 * it also says which known key was probably meant (`(did you mean limit?)`).
 */
export const issuesFromZod = (error: z.ZodError, prefix = "", schema?: z.ZodType): Array<InputIssue> =>
  error.issues.flatMap((issue) => {
    if (issue.code !== "unrecognized_keys") return [{ path: joinPath(prefix, formatPath(issue.path)), message: issue.message }]
    const known = schema === undefined ? [] : knownKeysAt(schema, issue.path)
    return issue.keys.map((key) => ({ path: joinPath(prefix, formatPath([...issue.path, key])), message: unknownKeyMessage(key, known) }))
  })

/**
 * The input (a decision input, a case, a configuration) is invalid. `issues` lists every problem.
 *
 * @example
 * Effect.catchTag("InvalidInput", (e) => Console.error(e.message))
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  what: Schema.String,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String }))
}) {
  override get message(): string {
    return `invalid ${this.what}: ${this.issues.length} problem(s)\n` +
      this.issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")
  }
}
