#!/usr/bin/env node
// `pnpm test`: every workspace's tests in two lanes at once, so the whole suite takes the time of
// its longest lane rather than their sum:
//
// - the proof suite (suites/proof), which runs longest (the chaos suites: `serve` workers, a
//   Postgres outage, recovery windows of a minute) and spends most of that time waiting, not
//   computing;
// - every other workspace, one at a time (`--concurrency=1`), through turbo as before.
//
// Turbo ran them all at a concurrency of 2 and reached the proof suite last, so its waiting was
// never overlapped (CI: ~12 of its ~14 minutes were tests). `RECERT_TEST_LANES=1` runs everything
// in one turbo invocation instead (the old way), for a machine where the overlap does not pay.
// Exits with the first non-zero status of the lanes (both always run to the end: `--continue`).
import { spawn } from "node:child_process"

const TURBO = ["turbo", "run", "test", "--continue", "--output-logs=errors-only", "--log-order=grouped"]
const PROOF = "@recert/proof"

const lane = (name, args) => new Promise((resolve) => {
  const started = Date.now()
  const child = spawn("npx", [...TURBO, ...args], { stdio: "inherit", env: process.env })
  child.on("error", (error) => {
    console.error(`test lane ${name}: could not start turbo: ${error.message}`)
    resolve(1)
  })
  child.on("exit", (code, signal) => {
    const status = code ?? (signal === null ? 1 : 128)
    console.log(`test lane ${name}: ${status === 0 ? "passed" : `failed (${signal ?? `exit ${code}`})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    resolve(status)
  })
})

const lanes = process.env["RECERT_TEST_LANES"] === "1"
  ? [lane("all", ["--concurrency=2"])]
  : [lane("proof", [`--filter=${PROOF}`]), lane("workspaces", [`--filter=!${PROOF}`, "--concurrency=1"])]
const statuses = await Promise.all(lanes)
process.exit(statuses.find((s) => s !== 0) ?? 0)
