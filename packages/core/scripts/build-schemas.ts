/**
 * Writes `schemas/*.json` from the zod schemas (`pnpm build:schemas`). The files are committed
 * and shipped; `test/schema-files.test.ts` fails when they are stale. Files of schemas that no
 * longer exist are removed.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { schemaFiles } from "./schema-files.js"

const dir = fileURLToPath(new URL("../schemas/", import.meta.url))
mkdirSync(dir, { recursive: true })
const files = schemaFiles()
for (const name of readdirSync(dir)) if (name.endsWith(".json") && !(name in files)) rmSync(join(dir, name))
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
console.log(`wrote ${Object.keys(files).length} schema file(s) to ${dir}`)
