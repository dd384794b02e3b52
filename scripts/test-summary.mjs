#!/usr/bin/env node
// Adds up the JSON reports vitest wrote in every workspace (test-results.json) and prints one
// line per workspace (its counts and wall time: first file started to last file ended) and one
// closing line, `tests: N passed, N failed, N skipped`, so CI and people see the whole suite's
// count in one place. The workspaces are every package.json with a `test` script under
// packages/, apps/ and suites/ (pnpm-workspace.yaml's globs). Exits 1 when any test failed, any
// workspace has no report, or a report counts no test at all (a suite that ran nothing is not a
// green suite).
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const workspaces = ["packages", "apps", "suites"].flatMap((dir) =>
  readdirSync(join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${dir}/${e.name}`)
).filter((ws) => {
  const manifest = join(root, ws, "package.json")
  return existsSync(manifest) && typeof JSON.parse(readFileSync(manifest, "utf8")).scripts?.test === "string"
}).sort()
let passed = 0, failed = 0, skipped = 0
const problems = []
for (const ws of workspaces) {
  const file = join(root, ws, "test-results.json")
  if (!existsSync(file)) { problems.push(`${ws}: no test report (did its tests run?)`); continue }
  const r = JSON.parse(readFileSync(file, "utf8"))
  passed += r.numPassedTests
  failed += r.numFailedTests
  skipped += r.numPendingTests + (r.numTodoTests ?? 0)
  if (r.numTotalTests === 0) problems.push(`${ws}: ran no test`)
  const ends = r.testResults.map((t) => t.endTime).filter((t) => typeof t === "number")
  const wall = ends.length === 0 ? "" : `${((Math.max(...ends) - r.startTime) / 1000).toFixed(0).padStart(5)} s`
  console.log(`  ${ws.padEnd(22)} ${String(r.numPassedTests).padStart(5)} passed ${String(r.numFailedTests).padStart(4)} failed ${String(r.numPendingTests).padStart(4)} skipped ${wall}`)
}
for (const p of problems) console.error(`  ${p}`)
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || problems.length > 0 ? 1 : 0)
