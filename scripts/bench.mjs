#!/usr/bin/env node
// `pnpm bench`: runs every workspace's benchmark (its `bench` script) one after another, so
// they do not compete for the two cores, prints their figures as they come, and writes them to
// BENCHMARKS.md with the machine, the Node version and the date. Benchmarks print figures;
// nothing here asserts a time.
//
//   pnpm bench                 # everything
//   pnpm bench -- core store   # only workspaces whose path contains one of the words
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const only = process.argv.slice(2).filter((a) => a !== "--")
const workspaces = ["packages/core", "packages/store", "packages/truv-adapter", "apps/scheduler", "apps/admin-cli", "suites/proof"]
  .filter((ws) => only.length === 0 || only.some((w) => ws.includes(w)))

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`
const sections = []
let failed = false
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, "package.json"), "utf8"))
  if (!pkg.scripts?.bench) continue
  console.log(`\n=== ${ws}: ${pkg.scripts.bench}`)
  const started = Date.now()
  const r = spawnSync("npm", ["run", "-s", "bench"], { cwd: join(root, ws), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, npm_config_loglevel: "error" } })
  process.stdout.write(r.stdout ?? "")
  if (r.status !== 0) { failed = true; console.error(`${ws}: bench exited ${r.status}`) }
  sections.push({ ws, seconds: ((Date.now() - started) / 1000).toFixed(1), output: (r.stdout ?? "").trim(), status: r.status })
}
const md = [
  "# Benchmarks",
  "",
  `Written by \`pnpm bench\` on ${new Date().toISOString()}. Machine: ${machine}. Node ${process.version}.`,
  "Each benchmark prints the median of several runs after a warm-up; see each section for its method.",
  "Reproduce: `npx -y pnpm@10 install && npx -y pnpm@10 bench` (or `pnpm bench -- core` for one workspace).",
  ...sections.flatMap((s) => [`## ${s.ws} (${s.seconds} s${s.status === 0 ? "" : `, exit ${s.status}`})`, "", "```", s.output, "```", ""])
].join("\n")
if (only.length === 0) writeFileSync(join(root, "BENCHMARKS.md"), md)
process.exit(failed ? 1 : 0)
