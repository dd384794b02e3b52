/**
 * Seeds the README walkthrough's database (default `.recert/walkthrough.sqlite`; refuses to
 * touch an existing file). Run from the repository root:
 *
 *   npx tsx --conditions=@recert/source apps/admin-cli/scripts/seed-walkthrough.ts [path]
 */
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { seed } from "./seed.js"

const path = resolve(process.argv[2] ?? ".recert/walkthrough.sqlite")
if (existsSync(path)) {
  console.error(`${path} exists already; remove it or pass another path`)
  process.exitCode = 1
} else {
  await Effect.runPromise(seed(path))
  console.log(`seeded ${path}`)
}
