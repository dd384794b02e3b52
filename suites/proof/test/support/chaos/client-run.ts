/**
 * One client chaos run (issue 16): 3 `serve` workers on a Postgres database of their own reach
 * the clients of cases whose connections cannot be refreshed (client-world.ts), SIGKILLed at
 * random instants and at the fault points of the new-order and token path; then the sandbox's
 * clock is moved on in steps (every worker follows it: the test-only `RECERT_TEST_CLOCK_URL`) so
 * the clients act, reminders and expiries come, expired requests are replaced and the clients who
 * never answer are escalated. Its checks, from the sandbox's account of every order, token and
 * message against the stored requests:
 *
 * | check | required | how |
 * |---|---|---|
 * | orphans at Truv | 0 | new orders whose id no stored request has, Bridge tokens whose `tracking_info` (our key) no settled stored request has (a bare intent does not know what Truv made) |
 * | asked twice at Truv | 0 | request keys with more than one order or token at the sandbox |
 * | clients messaged twice | 0 | the sandbox's `requestsMessagedTwice`: a request whose client got the first message of two orders |
 * | two live links or two completions for one renewal | 0 | cases whose client (the sandbox's `byClient`) got a request while an earlier one was still live (`overlapping`: an open order, a token for the link within its 6 h and unused), or completed / re-authenticated more than once: one renewal per case in a run |
 * | acted, request not final | 0 | orders and tokens the client acted on (completed, re-authenticated, already connected, too late) whose stored request is not in a final state |
 * | requests not final | 0 | stored requests still open (an intent, or a link waiting) at the end |
 * | cases not final | 0 | cases neither verified since the run began nor escalated to a caseworker |
 * | workers that ended by themselves | 0 | as in the chaos suite |
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { check, type Check } from "./checks.js"
import { type ClientWorld, makeClientWorld } from "./client-world.js"
import { diedCheck, startKilledPool } from "./scenarios.js"
import { bad, CLIENT_PATH_POINTS, list, prng, whole } from "./settings.js"
import type { RunResult } from "./table.js"
import { warnings } from "./workers.js"
import { type Db, postgresDb } from "./world.js"

const HOUR = 3_600_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))


/**
 * | variable | default | |
 * |---|---|---|
 * | `RECERT_CLIENT_CHAOS_SEEDS` / `RECERT_CLIENT_CHAOS_SEED_COUNT` | `1,2` | odd seeds reach clients as `truv-sends`, even seeds as `bridge` |
 * | `RECERT_CLIENT_CHAOS_CASES` | 12 | cases per run (2 of each kind, client-world.ts) |
 * | `RECERT_CLIENT_CHAOS_KILLS` | 4 | SIGKILLs per run: half (rounded up) aimed at the points above, the rest at random instants |
 * | `RECERT_CLIENT_CHAOS_PARALLEL` | 2 | runs at once (3 workers each, pools of up to 10 connections: beside the chaos suite's 3 Postgres runs, 6 workers peak well under the server's 100) |
 * | `RECERT_CLIENT_CHAOS_DEADLINE_S` | 240 | how long a run may take before the checks report what is left |
 */
export interface ClientChaosSettings {
  readonly seeds: ReadonlyArray<number>
  readonly cases: number
  readonly kills: number
  readonly parallel: number
  readonly deadlineMs: number
}

export const clientChaosSettings = (env: NodeJS.ProcessEnv = process.env): ClientChaosSettings => {
  const seedsText = env["RECERT_CLIENT_CHAOS_SEEDS"]
  const seeds = seedsText !== undefined && seedsText !== ""
    ? list(seedsText).map((s) => (/^[0-9]{1,9}$/.test(s) ? Number(s) : bad("RECERT_CLIENT_CHAOS_SEEDS", seedsText, "whole numbers separated by commas, such as 1,2")))
    : Array.from({ length: whole(env, "RECERT_CLIENT_CHAOS_SEED_COUNT", 2, 1, 1000) }, (_, i) => i + 1)
  return {
    seeds,
    cases: whole(env, "RECERT_CLIENT_CHAOS_CASES", 12, 6, 600),
    kills: whole(env, "RECERT_CLIENT_CHAOS_KILLS", 4, 0, 100),
    parallel: whole(env, "RECERT_CLIENT_CHAOS_PARALLEL", 2, 1, 8),
    deadlineMs: whole(env, "RECERT_CLIENT_CHAOS_DEADLINE_S", 240, 30, 3600) * 1000
  }
}

interface RequestRow {
  readonly id: number | string
  readonly case_id: string
  readonly kind: string
  readonly order_id: string | null
  readonly request_key: string | null
  readonly state: string | null
  readonly lifecycle: string | null
  readonly resolved_at: number | string | null
  readonly resolution: string | null
}

interface Account {
  readonly requests: ReadonlyArray<RequestRow>
  readonly verified: ReadonlySet<string>
  readonly openAttempts: number
  readonly owed: number
  readonly inbox: number
}

const account = async (db: Db, since: number): Promise<Account> => {
  const requests = await db.query<RequestRow>("SELECT id, case_id, kind, order_id, request_key, state, lifecycle, resolved_at, resolution FROM verification_queue ORDER BY id")
  const verified = await db.query<{ id: string }>(`SELECT id FROM cases WHERE last_verified_at IS NOT NULL AND last_verified_at >= ${since}`)
  const attempts = await db.query<{ open: number | string; owed: number | string }>(
    "SELECT SUM(CASE WHEN status IN ('reserved','sent','unknown') THEN 1 ELSE 0 END) AS open, SUM(CASE WHEN status IN ('succeeded','failed') AND followed_up_at IS NULL THEN 1 ELSE 0 END) AS owed FROM attempts")
  const inbox = await db.query<{ n: number | string }>("SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NULL")
  return { requests, verified: new Set(verified.map((v) => v.id)), openAttempts: Number(attempts[0]?.open ?? 0), owed: Number(attempts[0]?.owed ?? 0), inbox: Number(inbox[0]!.n) }
}

const escalatedCases = (a: Account): Set<string> => new Set(a.requests.filter((r) => r.lifecycle === "escalated").map((r) => r.case_id))
const isOpen = (r: RequestRow): boolean => r.resolved_at === null
/** Nothing in flight: no intent unsettled, no refresh open, no follow-up owed, no webhook waiting. */
const quiet = (a: Account): boolean => a.openAttempts === 0 && a.owed === 0 && a.inbox === 0 && !a.requests.some((r) => r.state === "intent" && isOpen(r))
/** Everything final: every case verified or escalated, every request resolved. */
const allFinal = (w: ClientWorld, a: Account): boolean =>
  quiet(a) && !a.requests.some(isOpen) && w.cases.every((c) => a.verified.has(c.caseId) || escalatedCases(a).has(c.caseId))

const waitFor = async (db: Db, w: ClientWorld, since: number, until: number, done: (a: Account) => boolean): Promise<boolean> => {
  while (Date.now() < until) {
    const a = await account(db, since).catch(() => null)
    if (a !== null && done(a)) {
      await w.sandbox.idle()
      const again = await account(db, since).catch(() => null)
      if (again !== null && done(again)) return true
    }
    await sleep(500)
  }
  return false
}

/**
 * The next instant after `now` at which something falls due: an open request's expiry, an intent's
 * lease (a killed worker's), a job's run, a scripted client's action. Reminders are left out (the
 * sweep records Truv's late; the agency's are events): they do not change what the checks read.
 */
export const nextDue = async (db: Db, w: ClientWorld, now: number): Promise<number | null> => {
  const rows = await db.query<{ at: number | string | null }>(
    `SELECT min(t) AS at FROM (SELECT expires_at AS t FROM verification_queue WHERE resolved_at IS NULL AND expires_at > ${now}` +
    ` UNION ALL SELECT lease_until AS t FROM verification_queue WHERE resolved_at IS NULL AND state = 'intent' AND lease_until > ${now}` +
    ` UNION ALL SELECT run_at AS t FROM jobs WHERE status = 'pending' AND run_at > ${now}) due`)
  const stored = rows[0]?.at == null ? [] : [Number(rows[0].at)]
  const acts = w.sandbox.clients().flatMap((c) => c.requests.flatMap((q) => q.outcome === "waiting" && q.actsAt !== null ? [Date.parse(q.actsAt)] : [])).filter((t) => t > now)
  const all = [...stored, ...acts]
  return all.length === 0 ? null : Math.min(...all)
}

/** The clock's next step: `stepMs`, or up to 4 of them to a minute past the next due instant when nothing falls due sooner. */
export const stepAfter = (now: number, next: number | null, stepMs: number): number =>
  next === null ? stepMs : Math.min(Math.max(next - now + 60_000, stepMs), 4 * stepMs)

/** The checks (see the top of the file), from the sandbox's account and the stored requests. */
export const clientChecks = (w: ClientWorld, a: Account): Array<Check> => {
  const asked = w.sandbox.clients().flatMap((c) => c.requests.map((q) => ({ ...q, client: c.orderNumber })))
  const byOrder = new Map(a.requests.filter((r) => r.order_id !== null).map((r) => [r.order_id!, r]))
  const byKey = new Map(a.requests.filter((r) => r.request_key !== null).map((r) => [r.request_key!, r]))
  const stored = (q: typeof asked[number]): RequestRow | undefined => {
    if (q.kind === "new-order") return byOrder.get(q.id)
    // Settled (created, recorded unknown, completed since): a bare intent does not know what Truv made.
    const r = byKey.get(q.requestKey)
    return r !== undefined && r.state !== "intent" ? r : undefined
  }
  const show = (r: RequestRow | undefined) => r === undefined ? "no stored request" : `request ${r.id} (case ${r.case_id}, ${r.kind}, state ${r.state ?? "-"}, lifecycle ${r.lifecycle ?? "-"}, resolved ${r.resolved_at === null ? "no" : r.resolution ?? "yes"})`
  const orphans = asked.filter((q) => stored(q) === undefined)
  const keys = new Map<string, Array<typeof asked[number]>>()
  for (const q of asked) keys.set(`${q.kind}|${q.requestKey}`, [...(keys.get(`${q.kind}|${q.requestKey}`) ?? []), q])
  const twice = [...keys.values()].filter((qs) => qs.length > 1)
  const report = w.sandbox.report().clients
  const messagedTwice = Object.entries(report.byOrder).filter(([, o]) => o.initial > 0)
  const acted = asked.filter((q) => q.outcome === "completed" || q.outcome === "reauthenticated" || q.outcome === "already-connected" || q.outcome === "too-late")
  const actedOpen = acted.filter((q) => { const r = stored(q); return r === undefined || isOpen(r) })
  const open = a.requests.filter(isOpen)
  const escalated = escalatedCases(a)
  const notFinal = w.cases.filter((c) => !a.verified.has(c.caseId) && !escalated.has(c.caseId))
  const requestsOf = (caseId: string) => a.requests.filter((r) => r.case_id === caseId).map((r) => `  ${show(r)}`)
  // One renewal per case in a run (a verified case is rescheduled a year on): its client must never
  // hold two live links at once, nor complete (or re-authenticate) twice.
  const clientOf = new Map(w.sandbox.clients().map((c) => [c.orderNumber, c]))
  const twoLinks = w.cases.flatMap((c) => {
    const client = clientOf.get(c.orderNumber)
    if (client === undefined) return []
    const acted = client.counts.completed + client.counts.reauthenticated
    return client.counts.overlapping > 0 || acted > 1 ? [{ c, client, acted }] : []
  })
  return [
    check("orphans at Truv", orphans.length, 0, orphans.map((q) => `${q.kind} ${q.kind === "new-order" ? q.id : `for link ${q.id}`} key ${q.requestKey} of client ${q.client}, created ${q.createdAt}: no stored request knows it; the client's: ${a.requests.filter((r) => r.request_key === q.requestKey.split("/").at(-1)).map(show).join("; ") || "none with its key"}`)),
    check("asked twice at Truv", twice.length, 0, twice.map((qs) => `${qs[0]!.kind} key ${qs[0]!.requestKey}: ${qs.map((q) => `${q.id} at ${q.createdAt} (${q.outcome})`).join(", ")}`)),
    check("clients messaged twice", report.requestsMessagedTwice, 0, messagedTwice.filter(([, o]) => messagedTwice.filter(([, p]) => p.orderNumber === o.orderNumber).length > 1).map(([id, o]) => `order ${id} (${o.orderNumber}): ${o.initial} first message(s), ${o.reminders} reminder(s)`)),
    check("acted, request not final", actedOpen.length, 0, actedOpen.map((q) => `client ${q.client} ${q.outcome} ${q.kind} ${q.id} at ${q.actedAt}: ${show(stored(q))}`)),
    check("two live links or two completions for one renewal", twoLinks.length, 0, twoLinks.flatMap(({ c, client, acted }) => [
      `case ${c.caseId} (${c.kind}, client ${c.orderNumber}): ${client.counts.overlapping} request(s) made while an earlier one was live, ${acted} completion(s): ` +
        client.requests.map((q) => `${q.kind} ${q.id} at ${q.createdAt} (${q.outcome}${q.actedAt === null ? "" : ` ${q.actedAt}`})${q.liveAlongside.length > 0 ? ` beside live ${q.liveAlongside.join(",")}` : ""}`).join("; "),
      ...requestsOf(c.caseId)
    ])),
    check("requests not final", open.length, 0, open.map(show)),
    check("cases not final", notFinal.length, 0, notFinal.flatMap((c) => [`case ${c.caseId} (${c.kind}, client ${c.orderNumber}): neither verified nor escalated`, ...requestsOf(c.caseId)]))
  ]
}

export const runClientChaos = async (seed: number, settings: ClientChaosSettings): Promise<RunResult> => {
  const plan = prng(seed)
  const runtime = prng(seed + 1_000_003)
  const dir = mkdtempSync(join(tmpdir(), "recert-client-chaos-"))
  const db = await postgresDb(`recert_client_chaos_${seed}_${process.pid}`)
  const world = await makeClientWorld(seed, settings.cases, db).catch(async (e: unknown) => {
    await db.dispose()
    rmSync(dir, { recursive: true, force: true })
    throw e
  })
  const notes: Array<string> = []
  try {
    const aimedCount = Math.ceil(settings.kills / 2)
    // Each pair of seeds (one per reach) aims at the next points of the list, so both reaches
    // visit every point; the nth time it is reached from 1 to 2.
    const arms = Array.from({ length: aimedCount }, (_, i) => `${CLIENT_PATH_POINTS[(Math.floor(seed / 2) * aimedCount + i) % CLIENT_PATH_POINTS.length]}:${1 + Math.floor(plan() * 2)}`)
    const randomKills = Array.from({ length: settings.kills - aimedCount }, () => ({ at: 500 + Math.floor(plan() * 8_000), slot: Math.floor(plan() * 3) }))
      .sort((a, b) => a.at - b.at)
    const spawned = Date.now()
    const since = world.sandbox.clock.now()
    const { pool, queue, bootMs, started, randomDone, timers } = await startKilledPool(world, db, dir, arms, randomKills, runtime)
    const deadline = started + settings.deadlineMs
    // The asks: the random kills done, every case has asked (an intent counts: a killed worker's
    // waits for its lease, which the first step of the clock ends; a case whose renewal was killed
    // before it asked is renewed again the next day), no refresh or webhook in flight; 12 s at most.
    const lastRandom = randomKills.at(-1)?.at ?? 0
    const asked = await waitFor(db, world, since, Math.min(deadline, started + 12_000), (a) =>
      Date.now() - started > lastRandom + 2_000 && a.openAttempts === 0 && a.owed === 0 && a.inbox === 0 &&
      world.cases.every((c) => a.requests.some((r) => r.case_id === c.caseId)))
    notes.push(`the asks ${asked ? "settled" : "not settled"} ${((Date.now() - started) / 1000).toFixed(1)} s after the workers were up`)
    // The days: the sandbox's clock (every worker's) moves on a step at a time once the work of the
    // last step is done (at most 6 s: an intent of a killed worker waits for its lease, which the
    // next step ends), so the clients act, reminders and expiries fall due. A new order lives 72
    // weekday hours (3-5 days), a token 6 hours: a client who never answers is escalated after
    // three of them.
    const stepMs = (world.reach === "bridge" ? 3 : 24) * HOUR
    const horizonMs = (world.reach === "bridge" ? 48 : 24 * 24) * HOUR
    let moved = 0
    let settled = false
    const stepsAt: Array<number> = []
    while (moved < horizonMs && Date.now() < deadline) {
      await waitFor(db, world, since, Math.min(deadline, Date.now() + 6_000), quiet)
      const a = await account(db, since).catch(() => null)
      if (a !== null && allFinal(world, a)) {
        settled = true
        break
      }
      // A step is at least `stepMs`, longer when nothing falls due sooner (idle days skipped: CI's time).
      const step = stepAfter(world.sandbox.clock.now(), await nextDue(db, world, world.sandbox.clock.now()).catch(() => null), stepMs)
      world.sandbox.clock.advance(step)
      moved += step
      stepsAt.push(Math.round((Date.now() - started) / 1000))
      // The workers' passes (every 2 s) see the new time, sweep the requests and renew the cases.
      await sleep(2_500)
    }
    if (!settled) settled = await waitFor(db, world, since, Math.max(deadline, Date.now() + 5_000), (a) => allFinal(world, a))
    if (!settled) notes.push(`not settled within ${settings.deadlineMs / 1000} s (${moved / HOUR} h moved): the checks show what is left`)
    timers.forEach(clearTimeout)
    await pool.stopAll()
    await world.sandbox.idle()
    const a = await account(db, since)
    const fired = pool.procs.filter((p) => p.ended?.by === "fault-point")
    const unfired = pool.procs.filter((p) => p.armed !== null && p.ended?.by === "stopped").map((p) => `${p.armed} (${p.name})`)
    notes.push(`workers up ${(bootMs / 1000).toFixed(1)} s after their spawn; the times below count from then`)
    notes.push(`random kills: ${randomDone.join(", ") || "none"}`)
    notes.push(`the clock moved (at least ${stepMs / HOUR} h a step) at ${stepsAt.join(", ")} s`)
    notes.push(`aimed kills: ${fired.map((p) => `${p.name} at ${p.ended!.fault}`).join(", ") || "none"}${unfired.length > 0 ? `; armed but not reached: ${unfired.join(", ")}` : ""}${queue.length > 0 ? `; never armed: ${queue.join(", ")}` : ""}`)
    notes.push(...warnings(pool.procs.map((p) => p.child)).map((w) => `workers warned: ${w}`))
    const r = world.sandbox.report()
    const lifecycles = new Map<string, number>()
    for (const q of a.requests) lifecycles.set(q.lifecycle ?? q.state ?? "?", (lifecycles.get(q.lifecycle ?? q.state ?? "?") ?? 0) + 1)
    const escalated = escalatedCases(a)
    const outcomes = new Map<string, number>()
    for (const q of world.sandbox.clients().flatMap((c) => c.requests)) outcomes.set(q.outcome, (outcomes.get(q.outcome) ?? 0) + 1)
    return {
      scenario: `clients/${world.reach}`, seed, notes,
      figures: {
        "run time (s)": Math.round((Date.now() - spawned) / 100) / 10, "settled": settled ? "yes" : "no", "cases": settings.cases,
        "kills (random+aimed)": `${randomDone.filter((k) => !k.startsWith("none")).length}+${fired.length}`, "worker starts": pool.procs.length,
        "clock moved (h)": moved / HOUR, "5xx injected": r.injectedErrors, "responses lost": r.responsesLost,
        "orders/tokens/canceled": `${r.clients.ordersCreated}/${r.clients.tokensCreated}/${r.clients.ordersCanceled}`,
        "messages first+reminders": `${r.clients.messages.initial}+${r.clients.messages.reminders}`,
        "clients completed/reauth/too late": `${r.clients.actions.completed}/${r.clients.actions.reauthenticated}/${r.clients.actions.tooLate}`,
        "client requests by outcome": [...outcomes].sort().map(([k, n]) => `${k}:${n}`).join(" "),
        "requests by state": [...lifecycles].sort().map(([k, n]) => `${k}:${n}`).join(" "),
        "cases verified/escalated": `${world.cases.filter((c) => a.verified.has(c.caseId)).length}/${world.cases.filter((c) => escalated.has(c.caseId)).length}`
      },
      checks: [...clientChecks(world, a), diedCheck(pool.procs)]
    }
  } finally {
    await world.close()
    await db.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Short names of the client checks for the per-run table. */
export const CLIENT_CHECK_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["orph", "orphans at Truv"], ["twice", "asked twice at Truv"], ["msg2", "clients messaged twice"], ["links2", "two live links or two completions for one renewal"], ["actedOpen", "acted, request not final"],
  ["reqOpen", "requests not final"], ["caseOpen", "cases not final"], ["died", "workers that ended by themselves"]
]

/** One row per run: the figures that matter and each check's value (0 = held). */
export const renderClientTable = (results: ReadonlyArray<RunResult>): string => {
  const figures: ReadonlyArray<readonly [string, string]> = [
    ["s", "run time (s)"], ["settled", "settled"], ["kills", "kills (random+aimed)"], ["clock h", "clock moved (h)"], ["ord/tok/cxl", "orders/tokens/canceled"],
    ["msgs", "messages first+reminders"], ["acted", "clients completed/reauth/too late"], ["verif/esc", "cases verified/escalated"]
  ]
  const header = ["run", "seed", ...figures.map(([h]) => h), ...CLIENT_CHECK_COLUMNS.map(([h]) => h)]
  const rows = results.map((r) => [
    r.scenario, String(r.seed), ...figures.map(([, k]) => String(r.figures[k] ?? "")),
    ...CLIENT_CHECK_COLUMNS.map(([, name]) => String(r.checks.find((c) => c.name === name)?.value ?? "-"))
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(header), ...rows.map(line), "",
    "kills: random + at fault points; clock h: how far the sandbox's (and workers') clock moved; ord/tok/cxl: new orders, Bridge tokens, orders canceled at Truv;",
    "msgs: Truv's first messages + reminders to clients; acted: clients completed / re-authenticated / too late; verif/esc: cases verified / escalated;",
    "then each check (0 = held): orphans at Truv, asked twice at Truv, clients messaged twice, cases whose client held two live links or completed twice, acted but request not final, requests not final, cases not final, workers died."
  ].join("\n")
}
