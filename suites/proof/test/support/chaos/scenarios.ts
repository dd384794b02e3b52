/**
 * The chaos scenarios, one run per seed each:
 *
 * - `kills`: 3 `serve` workers on a Postgres database of their own; SIGKILLs at seeded random
 *   instants and at fault points of the workflow (`RECERT_FAULT_KILL_AT`, the worker kills
 *   itself when it reaches the point the nth time); a dead worker is restarted 1-3 s later.
 * - `postgres`: 3 `serve` workers; a Postgres outage once Truv has accepted a seeded number of
 *   refreshes (faults.ts: the database refuses connections and its backends are terminated, or a
 *   real restart), then a crowded database (a connection limit below what the workers want, new
 *   connections refused with "too many connections" for 5-15 s). No kills: the workers must live through it (a worker that dies is restarted,
 *   and reported), and their reports are exact: the sum of their final reports and of their
 *   `/metrics` equals Truv's account.
 * - `disk`: SQLite on a disk of its own (faults.ts) and a `run`; once Truv has accepted a seeded
 *   number of its refreshes the disk fills or turns read-only: the `run` must exit 1 and its
 *   report must name the disk's own error (never "cannot rollback"), the database must pass
 *   `PRAGMA integrity_check`, and once the fault is lifted (and the attempts it left are stale:
 *   60 s) a new `run`, with a `serve` beside it (the webhook receiver), must exit 0 (or 3 when
 *   only the sandbox's faults degraded it, no store reason) and everything must end final.
 *
 * Every run ends with the common checks (checks.ts) and the scenario's own.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { runApp, spawnApp } from "../apps.js"
import { check, type Check, commonChecks, casesNotFinal, followUpsOwed, type ReportFigure, reportCheck, storeAccount, truvAccount, type TruvAccount } from "./checks.js"
import { crowdedDatabase, type DiskFault, mountDisk, postgresOutage } from "./faults.js"
import { type ChaosSettings, prng } from "./settings.js"
import type { RunResult } from "./table.js"
import { finalReport, metric, type Proc, tail, warnings, WorkerPool } from "./workers.js"
import { type Db, makeWorld, postgresDb, sqliteDb, type World } from "./world.js"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Recovery takes over attempts and follow-ups left by a dead worker after this long (runner/pass-context.ts). */
const STALE_AFTER_MS = 60_000
/** How long a `run` may take to notice a failing disk and exit. */
const RUN_EXIT_WITHIN_MS = 30_000

/**
 * Polls the database until every case is final, no follow-up is owed, no event waits in the
 * inbox and `extra()` holds; then waits for the sandbox to be idle and looks once more. Errors
 * (the database down during a fault) count as "not yet". Returns whether it got there before
 * `deadline`.
 */
const settle = async (world: World, db: Db, deadline: number, extra: () => boolean = () => true): Promise<boolean> => {
  while (Date.now() < deadline) {
    const done = await isDone(db).catch(() => false)
    if (done && extra()) {
      await world.sandbox.idle()
      if (await isDone(db).catch(() => false)) return true
    }
    await sleep(1_000)
  }
  return false
}

const isDone = async (db: Db): Promise<boolean> => {
  const s = await storeAccount(db)
  const pending = await db.query<{ n: number | string }>("SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NULL")
  return casesNotFinal(s, new Set(s.queue.map((q) => q.case_id))).length === 0 && followUpsOwed(s).length === 0 && Number(pending[0]!.n) === 0
}

/**
 * Workers that ended by themselves (not stopped, not killed by the run or at an armed fault
 * point), or that did not stop within 30 s of SIGTERM.
 */
export const diedCheck = (procs: ReadonlyArray<Proc>): Check => {
  const died = procs.filter((p) => p.ended?.by === "itself" || p.ended?.by === "stop-timeout")
  return check("workers that ended by themselves", died.length, 0, died.flatMap((p) => [
    `${p.name}: ${p.ended!.by === "stop-timeout" ? "still running 30 s after SIGTERM, SIGKILLed" : `exit ${p.ended!.code ?? p.ended!.signal}`} after ${((p.ended!.at - p.startedAt) / 1000).toFixed(1)} s; stderr:`,
    ...tail(p.child.err()).split("\n").map((l) => `  ${l.slice(0, 300)}`)
  ]))
}

/** `recert stats --since` (admin-cli: the ledger's figures behind every run report) against Truv's. */
const storeReportCheck = async (world: World, db: Db, since: number, truv: TruvAccount): Promise<Check> => {
  const r = await runApp("admin-cli", ["stats", "--since", new Date(since).toISOString(), "--db", db.url, "--json"], { env: { RECERT_ENCRYPTION_KEY: world.key }, timeoutMs: 180_000 })
  const s = (() => {
    try {
      return JSON.parse(r.stdout) as { refreshesBilled: number; refreshesFree: number; limitRejections: number; attemptsByStatus: Record<string, number> }
    } catch {
      return null
    }
  })()
  if (r.code !== 0 || s === null) return check("report ≠ Truv (recert stats)", "no report", 0, [`recert stats exited ${r.code ?? r.signal}${r.signal === "SIGKILL" ? " (killed after 180 s)" : ""}: ${tail(r.stderr, 3)}`])
  const accepted = Object.entries(s.attemptsByStatus).filter(([status]) => status !== "rejected").reduce((n, [, k]) => n + k, 0)
  return reportCheck("recert stats", [
    { what: "refreshes billed", report: s.refreshesBilled, truv: truv.report.verifications.billed },
    { what: "refreshes free", report: s.refreshesFree, truv: truv.report.verifications.free },
    { what: "limit rejections", report: s.limitRejections, truv: truv.report.limitViolationsAttempted },
    { what: "attempts not rejected (refreshes accepted)", report: accepted, truv: truv.report.refreshes.accepted }
  ])
}

/** For a set-up that failed half-way: undoes what was made (the database or disk, the directory), then fails as it did. */
const undo = (dispose: () => Promise<void>, dir: string) => async (e: unknown): Promise<never> => {
  await dispose()
  rmSync(dir, { recursive: true, force: true })
  throw e
}

const finish = async (world: World, db: Db, started: number) => {
  await world.sandbox.idle()
  const truv = truvAccount(world)
  const common = commonChecks(world, truv, await storeAccount(db))
  return { truv, ...common, seconds: Math.round((Date.now() - started) / 100) / 10 }
}

/**
 * 3 `serve` workers on `db`, restarted 1-3 s after they die, each start armed with the next of
 * `arms` (a fault point); once every worker answers `/health`, SIGKILLs at the `randomKills`
 * instants (ms from then): the planned worker, else another, unarmed ones first so the aimed kills
 * still come (an armed worker killed before its point fired gives its arm to the next start).
 */
export const startKilledPool = async (
  world: { readonly env: Readonly<Record<string, string>>; receivers: () => ReadonlyArray<number> }, db: Db, dir: string,
  arms: ReadonlyArray<string>, randomKills: ReadonlyArray<{ readonly at: number; readonly slot: number }>, runtime: () => number
) => {
  const queue = [...arms]
  const pool = await WorkerPool.start({
    count: 3, db: db.url, cwd: dir, env: world.env,
    restartAfter: () => 1_000 + Math.floor(runtime() * 2_000),
    nextArm: () => queue.shift() ?? null
  })
  world.receivers = () => pool.receivers()
  // The random kills and the deadline count from the workers' start-up, not their spawn.
  const bootMs = await pool.ready()
  const started = Date.now()
  const randomDone: Array<string> = []
  const timers = randomKills.map((k) => setTimeout(() => {
    const alive = pool.live().sort((x, y) => Number(x.armed !== null) - Number(y.armed !== null) || Number(x.slot !== k.slot) - Number(y.slot !== k.slot))
    const target = alive[0]
    const name = target === undefined ? null : pool.kill(target.slot)
    if (target?.armed != null) queue.unshift(target.armed)
    randomDone.push(name === null ? `none alive at ${(k.at / 1000).toFixed(1)} s` : `${name} at ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }, k.at))
  return { pool, queue, bootMs, started, randomDone, timers }
}

export const runKills = async (seed: number, settings: ChaosSettings): Promise<RunResult> => {
  const plan = prng(seed)
  const runtime = prng(seed + 1_000_003)
  const dir = mkdtempSync(join(tmpdir(), "recert-chaos-kills-"))
  const db = await postgresDb(`recert_chaos_kills_${seed}_${process.pid}`)
  const world = await makeWorld(seed, settings.cases, db).catch(undo(() => db.dispose(), dir))
  const notes: Array<string> = []
  try {
    const aimedCount = Math.ceil(settings.kills / 2)
    // Each seed aims at the next points of the list, so 20 seeds visit every point several times.
    const arms = Array.from({ length: aimedCount }, (_, i) => `${settings.points[(seed * aimedCount + i) % settings.points.length]}:${1 + Math.floor(plan() * 3)}`)
    const randomKills = Array.from({ length: settings.kills - aimedCount }, () => ({ at: 3_000 + Math.floor(plan() * 22_000), slot: Math.floor(plan() * 3) }))
      .sort((a, b) => a.at - b.at)
    const spawned = Date.now()
    const { pool, queue, bootMs, started, randomDone, timers } = await startKilledPool(world, db, dir, arms, randomKills, runtime)
    const lastRandom = randomKills.at(-1)?.at ?? 0
    const settled = await settle(world, db, started + settings.deadlineMs, () => Date.now() - started > lastRandom + 5_000)
    timers.forEach(clearTimeout)
    await pool.stopAll()
    const { truv, checks, figures, seconds } = await finish(world, db, spawned)
    const fired = pool.procs.filter((p) => p.ended?.by === "fault-point")
    // Armed and alive to the end (an armed worker killed first gave its arm to the next start).
    const unfired = pool.procs.filter((p) => p.armed !== null && p.ended?.by === "stopped").map((p) => `${p.armed} (${p.name})`)
    notes.push(`workers up ${(bootMs / 1000).toFixed(1)} s after their spawn; the times below count from then`)
    notes.push(`random kills: ${randomDone.join(", ") || "none"}`)
    notes.push(`aimed kills: ${fired.map((p) => `${p.name} at ${p.ended!.fault}`).join(", ") || "none"}${unfired.length > 0 ? `; armed but not reached: ${unfired.join(", ")}` : ""}${queue.length > 0 ? `; never armed: ${queue.join(", ")}` : ""}`)
    if (!settled) notes.push(`not settled within ${settings.deadlineMs / 1000} s: the checks show what is left`)
    notes.push(...warnings(pool.procs.map((p) => p.child)).map((w) => `workers warned: ${w}`))
    return {
      scenario: "kills", seed, notes,
      figures: {
        "run time (s)": seconds, "settled": settled ? "yes" : "no", "cases": settings.cases,
        "kills (random+aimed)": `${randomDone.filter((k) => !k.startsWith("none")).length}+${fired.length}`,
        "worker starts": pool.procs.length, ...figures
      },
      checks: [...checks, await storeReportCheck(world, db, spawned - 60_000, truv), diedCheck(pool.procs)]
    }
  } finally {
    await world.close()
    await db.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Sums a numeric path of every report (`null` when one is missing). */
const sum = (reports: ReadonlyArray<Record<string, unknown> | null>, path: ReadonlyArray<string>): number | null =>
  reports.some((r) => r === null) ? null : reports.reduce((n, r) => {
    let v: unknown = r
    for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p]
    return n + (typeof v === "number" ? v : Number.NaN)
  }, 0)

export const runPostgres = async (seed: number, settings: ChaosSettings): Promise<RunResult> => {
  const plan = prng(seed + 7)
  const dir = mkdtempSync(join(tmpdir(), "recert-chaos-pg-"))
  const name = `recert_chaos_pg_${seed}_${process.pid}`
  const db = await postgresDb(name, { ownRole: true })
  const world = await makeWorld(seed, settings.cases, db).catch(undo(() => db.dispose(), dir))
  const notes: Array<string> = []
  try {
    const after = 2 + Math.floor(plan() * (settings.cases / 3))
    const durationMs = 2_000 + Math.floor(plan() * 3_000)
    // Then a crowded database: 2-5 connections for 3 workers that want up to 10 each, for 5-15 s.
    const crowdLimit = 2 + Math.floor(plan() * 4)
    const crowdMs = 5_000 + Math.floor(plan() * 10_000)
    const started = Date.now()
    const pool = await WorkerPool.start({ count: 3, db: db.url, cwd: dir, env: world.env, restartAfter: () => 2_000, nextArm: () => null })
    world.receivers = () => pool.receivers()
    // The outage: once Truv has accepted `after` refreshes, while work is in flight.
    while (world.sandbox.report().refreshes.accepted < after && Date.now() - started < settings.deadlineMs) await sleep(20)
    const at = (Date.now() - started) / 1000
    const how = `${await postgresOutage(name, settings.pgOutage, durationMs)}, ${await crowdedDatabase(name, crowdLimit, crowdMs)}`
    notes.push(`outage at ${at.toFixed(1)} s, after ${world.sandbox.report().refreshes.accepted} refreshes accepted: ${how}`)
    // Half the deadline at least after the outage (a slow start must not leave recovery no time).
    const settled = await settle(world, db, Math.max(started + settings.deadlineMs, Date.now() + settings.deadlineMs / 2))
    if (!settled) notes.push(`not settled within ${settings.deadlineMs / 1000} s: the checks show what is left`)
    const metrics = await pool.scrapeMetrics()
    await pool.stopAll()
    const { truv, checks, figures, seconds } = await finish(world, db, started)
    // A Bridge token whose answer was lost is queued for nobody (its request is stored `unknown`),
    // and whether Truv issued it no call can tell: the reports count links queued, so Truv's
    // count is met when it lies between the tokens issued less those requests and the tokens
    // issued (outside it, the nearer end is shown as Truv's).
    const unknownTokens = (await storeAccount(db)).queue.filter((q) => q.kind === "bridge-update" && Number(q.token_unknown) === 1).length
    const issued = truv.report.bridgeTokensIssued
    const linksLabel = unknownTokens === 0 ? "" : ` (Truv issued ${issued}, ${unknownTokens} request(s) without an answer)`
    const tokensAnswered = (report: number | null): number => report === null ? issued : Math.min(issued, Math.max(issued - unknownTokens, report))
    if (unknownTokens > 0) notes.push(`${unknownTokens} Bridge token request(s) whose answer was lost (stored unknown): links queued must lie between Truv's ${issued} less those and ${issued}`)
    // Every process's final report (`serve --json` prints it on stdout when stopped) and /metrics, summed.
    const reports = pool.procs.map((p) => (p.ended?.by === "stopped" ? finalReport(p.child.out()) : null))
    const missing = pool.procs.filter((_, i) => reports[i] === null).map((p) => `${p.name} has no final report (ended ${p.ended?.by ?? "?"}, exit ${p.ended?.code ?? p.ended?.signal ?? "?"})`)
    // Evidence when they differ: what each worker reported, and whose each write is in the ledger.
    const byProcess = pool.procs.map((p, i) => `${p.name}: sent ${sum([reports[i] ?? null], ["refreshes", "sent"]) ?? "-"}, billed ${sum([reports[i] ?? null], ["refreshes", "billed"]) ?? "-"}`).join("; ")
    const writers = await writersInLedger(db)
    const fromReports: Array<ReportFigure> = [
      { what: "refreshes sent", report: sum(reports, ["refreshes", "sent"]), truv: truv.report.refreshes.accepted },
      { what: "refreshes billed", report: sum(reports, ["refreshes", "billed"]), truv: truv.report.verifications.billed },
      { what: "refreshes free", report: sum(reports, ["refreshes", "free"]), truv: truv.report.verifications.free },
      { what: `Bridge links queued${linksLabel}`, report: sum(reports, ["verificationLinksQueued", "bridgeUpdate"]), truv: tokensAnswered(sum(reports, ["verificationLinksQueued", "bridgeUpdate"])) },
      { what: "new orders queued", report: sum(reports, ["verificationLinksQueued", "newOrder"]), truv: truv.report.ordersCreated },
      { what: "limit violations attempted", report: sum(reports, ["limitViolationsAttempted"]), truv: truv.report.limitViolationsAttempted }
    ]
    const texts = pool.procs.map((p) => metrics.get(p.name) ?? null)
    const noMetrics = pool.procs.filter((_, i) => texts[i] === null).map((p) => `${p.name}: no /metrics scraped (not alive at the end)`)
    const m = (n: string, label?: string) => (texts.some((t) => t === null) ? null : texts.reduce((s, t) => s + metric(t!, n, label), 0))
    const fromMetrics: Array<ReportFigure> = [
      { what: "recert_refreshes_sent_total", report: m("recert_refreshes_sent_total"), truv: truv.report.refreshes.accepted },
      { what: "recert_refreshes_billed_total", report: m("recert_refreshes_billed_total"), truv: truv.report.verifications.billed },
      { what: "recert_refreshes_free_total", report: m("recert_refreshes_free_total"), truv: truv.report.verifications.free },
      { what: `recert_verifications_queued_total{kind=bridge-update}${linksLabel}`, report: m("recert_verifications_queued_total", "bridge-update"), truv: tokensAnswered(m("recert_verifications_queued_total", "bridge-update")) },
      { what: "recert_verifications_queued_total{kind=new-order}", report: m("recert_verifications_queued_total", "new-order"), truv: truv.report.ordersCreated },
      { what: "recert_limit_violations_total", report: m("recert_limit_violations_total"), truv: truv.report.limitViolationsAttempted }
    ]
    notes.push(...warnings(pool.procs.map((p) => p.child)).map((w) => `workers warned: ${w}`))
    return {
      scenario: "postgres", seed, notes,
      figures: { "run time (s)": seconds, "settled": settled ? "yes" : "no", "cases": settings.cases, "fault": `pg ${settings.pgOutage} ${(durationMs / 1000).toFixed(1)}s@${at.toFixed(0)}s, ≤${crowdLimit} conn ${(crowdMs / 1000).toFixed(0)}s`, "worker starts": pool.procs.length, ...figures },
      checks: [
        ...checks,
        // Each worker counts the writes its store made (decision 166) and reads its own writes
        // back (decision 171); a failed pass's inbox no longer outlives it (decision 178). With
        // the evidence when they differ: what each worker reported, and whose each write is.
        withEvidence(reportCheck("serve final reports", fromReports, missing), [`by worker: ${byProcess}`, `by writer in the ledger: ${writers}`]),
        reportCheck("/metrics", fromMetrics, noMetrics),
        await storeReportCheck(world, db, started - 60_000, truv),
        diedCheck(pool.procs)
      ]
    }
  } finally {
    await world.close()
    await db.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Sent and billed per writer (store instance) in the ledger: who wrote each `sent` and outcome. */
const writersInLedger = async (db: Db): Promise<string> => {
  const rows = await db.query<{ sent_by: string | null; outcomes: string; outcome_writers: string }>("SELECT sent_by, outcomes, outcome_writers FROM attempts")
  const by = new Map<string, { sent: number; billed: number }>()
  const of = (w: string) => by.get(w) ?? by.set(w, { sent: 0, billed: 0 }).get(w)!
  for (const r of rows) {
    if (r.sent_by !== null) of(r.sent_by.slice(0, 8)).sent += 1
    const outcomes = JSON.parse(r.outcomes) as Record<string, string>
    const writers = JSON.parse(r.outcome_writers) as Record<string, string>
    for (const [link, status] of Object.entries(outcomes)) if (status !== "no_data") of((writers[link] ?? "none").slice(0, 8)).billed += 1
  }
  return [...by].map(([w, c]) => `${w} sent ${c.sent} billed ${c.billed}`).join("; ")
}

const withEvidence = (c: Check, more: ReadonlyArray<string>): Check => (c.ok ? c : { ...c, evidence: [...c.evidence, ...more] })

/** The disk scenario's `run`: one pass, its exit and output. */
const startRun = (db: Db, world: World, cwd: string, name: string) => {
  const child = spawnApp("scheduler", ["run", "--db", db.url, "--json", "--concurrency", "2", "--worker-id", name], { cwd, env: world.env })
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })))
  return { child, exited }
}

/**
 * Whether a `run --json` report names the disk's own failure: a `store.failing` reason whose
 * message carries the driver's reason (disk-full, read-only, io) and never the rollback's
 * "cannot rollback - no transaction is active", which used to replace it.
 */
const storeFailure = (report: Record<string, unknown> | null): { readonly verdict: string; readonly evidence: string } => {
  const reasons = (report?.["reasons"] ?? []) as ReadonlyArray<{ readonly code: string; readonly message: string }>
  const failing = reasons.find((r) => r.code === "store.failing")
  if (report === null) return { verdict: "no report", evidence: "the run printed no JSON report" }
  if (failing === undefined) return { verdict: "no store.failing reason", evidence: `reasons: ${reasons.map((r) => r.code).join(", ") || "none"}` }
  const ok = /\((disk-full|read-only|io)\)|database or disk is full|disk I\/O error|readonly database/.test(failing.message) && !failing.message.includes("cannot rollback")
  return { verdict: ok ? "yes" : "another error", evidence: failing.message.slice(0, 300) }
}

const within = <A>(p: Promise<A>, ms: number): Promise<A | "timeout"> =>
  Promise.race([p, sleep(ms).then(() => "timeout" as const)])

export const runDisk = async (seed: number, settings: ChaosSettings): Promise<RunResult | string> => {
  const plan = prng(seed + 13)
  const dir = mkdtempSync(join(tmpdir(), "recert-chaos-disk-"))
  const disk = await mountDisk(dir)
  if (typeof disk === "string") {
    rmSync(dir, { recursive: true, force: true })
    return disk
  }
  const notes: Array<string> = []
  const wanted: DiskFault = settings.disk === "alternate" ? (seed % 2 === 1 ? "full" : "read-only") : settings.disk
  const kind: DiskFault = disk.faults.includes(wanted) ? wanted : "full"
  if (kind !== wanted) notes.push(`${wanted} needs a loop device; on ${disk.kind} the disk fills instead`)
  const db = sqliteDb(join(disk.dir, "recert.sqlite"))
  const world = await makeWorld(seed, settings.cases, db).catch(undo(() => disk.dispose(), dir))
  let pool: WorkerPool | null = null
  try {
    const after = 1 + Math.floor(plan() * (settings.cases / 6))
    const started = Date.now()
    // The first run works alone, so a refresh Truv accepted proves it is inside its pass; no
    // receiver yet: its webhooks are lost (the sandbox gives up after its retries) and their
    // outcomes come from polls, as for any `run` without a `serve` beside it.
    const first = startRun(db, world, dir, "chaos-run-1")
    let firstExit: { code: number | null; signal: string | null } | null = null
    void first.exited.then((e) => { firstExit = e })
    while (world.sandbox.report().refreshes.accepted < after && firstExit === null && Date.now() - started < settings.deadlineMs) await sleep(10)
    const faultAt = Date.now()
    const how = await disk.fault(kind)
    const accepted = world.sandbox.report().refreshes.accepted
    notes.push(`fault at ${((faultAt - started) / 1000).toFixed(1)} s after ${accepted} refreshes accepted${firstExit === null ? "" : " (the run had already ended: the fault did not come mid-run)"}: ${how}`)
    // The run must notice and end with 1 (a pass whose store fails); bounded.
    const ended = await within(first.exited, RUN_EXIT_WITHIN_MS)
    if (ended === "timeout") first.child.kill("SIGKILL")
    await first.exited
    const runExit = ended === "timeout" ? `still running ${RUN_EXIT_WITHIN_MS / 1000} s after the fault` : ended.code ?? ended.signal ?? "?"
    notes.push(`run under the fault: exit ${runExit}; last stderr line: ${tail(first.child.err(), 1).slice(0, 300)}`)
    const faultError = storeFailure(finalReport(first.child.out()))
    const lastWrite = Date.now()
    notes.push(`lifted: ${await disk.lift(kind)}`)
    const integrity = (() => {
      let sqlite: Database.Database | null = null
      try {
        sqlite = new Database(db.url, { fileMustExist: true })
        const rows = sqlite.pragma("integrity_check") as Array<{ integrity_check: string }>
        const fk = sqlite.pragma("foreign_key_check") as Array<unknown>
        return [...rows.map((r) => r.integrity_check), ...fk.map((f) => `foreign key: ${JSON.stringify(f)}`)].join("; ")
      } catch (e) {
        return `cannot open: ${e instanceof Error ? e.message : String(e)}`
      } finally {
        sqlite?.close()
      }
    })()
    // The receiver starts at once (its start-up overlaps the wait: what it costs is the
    // scenario's wall time); what the failed process left (reserved attempts, owed follow-ups) is
    // taken over once stale, by the new run's recovery or the receiver's passes.
    pool = await WorkerPool.start({ count: 1, db: db.url, cwd: dir, env: world.env, restartAfter: () => 2_000, nextArm: () => null })
    world.receivers = () => pool?.receivers() ?? []
    await sleep(Math.max(0, lastWrite + STALE_AFTER_MS + 2_000 - Date.now()))
    const second = startRun(db, world, dir, "chaos-run-2")
    const secondEnded = await within(second.exited, settings.deadlineMs)
    if (secondEnded === "timeout") second.child.kill("SIGKILL")
    const secondExit = secondEnded === "timeout" ? `still running after ${settings.deadlineMs / 1000} s` : secondEnded.code ?? secondEnded.signal ?? "?"
    const secondReport = finalReport(second.child.out())
    // 3 (degraded) is the right answer when only the sandbox's faults touched it (5xx, lost answers):
    // what must not be is a failed pass or a store that still fails.
    const secondReasons = ((secondReport?.["reasons"] ?? []) as ReadonlyArray<{ readonly code: string }>).map((r) => r.code)
    const secondVerdict = secondExit === 0 || (secondExit === 3 && secondReasons.every((c) => !c.startsWith("store.")))
      ? "0, or 3 for Truv's faults only" : `${typeof secondExit === "number" ? `exit ${secondExit}` : secondExit}${secondReasons.length > 0 ? ` (${secondReasons.join(", ")})` : ""}`
    const settled = await settle(world, db, Date.now() + settings.deadlineMs)
    if (!settled) notes.push(`not settled within ${settings.deadlineMs / 1000} s of the second run: the checks show what is left`)
    await pool.stopAll()
    const { truv, checks, figures, seconds } = await finish(world, db, started)
    notes.push(...warnings([first.child, ...pool.procs.map((p) => p.child), second.child]).map((w) => `processes warned: ${w}`))
    return {
      scenario: "disk", seed, notes,
      figures: { "run time (s)": seconds, "settled": settled ? "yes" : "no", "cases": settings.cases, "fault": `${kind} (${disk.kind})`, ...figures },
      checks: [
        ...checks,
        await storeReportCheck(world, db, started - 60_000, truv),
        check("run under the disk fault: exit", runExit, 1, [`stderr: ${tail(first.child.err(), 4)}`]),
        check("run under the disk fault: the store's own error reported", faultError.verdict, "yes", [faultError.evidence]),
        check("integrity_check after the fault", integrity, "ok"),
        check("run after the fault is lifted: exit", secondVerdict, "0, or 3 for Truv's faults only", [`stderr: ${tail(second.child.err(), 4)}`]),
        diedCheck(pool.procs)
      ]
    }
  } finally {
    if (pool !== null) await pool.stopAll()
    await world.close()
    await disk.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}
