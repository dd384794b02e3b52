/**
 * The JSON Schema files shipped in the package (`schemas/*.json`), as file name → text. One
 * definition for the build script that writes them and the test that fails when the committed
 * files are stale; the zod schemas stay the single source of truth.
 */
import { jsonSchemas, outboxEventJsonSchema, resultsJsonSchemas } from "@recert/core"

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/**
 * @example
 * schemaFiles()["policy-config.json"] // the policy configuration's schema, two-space JSON
 */
export const schemaFiles = (): Record<string, string> => {
  const all: Record<string, unknown> = { ...jsonSchemas(), ...resultsJsonSchemas(), outboxEvent: outboxEventJsonSchema() }
  return Object.fromEntries(Object.entries(all).map(([name, schema]) => [`${kebab(name)}.json`, `${JSON.stringify(schema, null, 2)}\n`]))
}
