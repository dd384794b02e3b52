/**
 * `demo`: the README's main command. Recreates its own database, `.recert/demo.sqlite` (never
 * `.recert/recert.sqlite`, the default database of `run`, `serve` and `recert`: the demo cannot
 * destroy a real ledger), generates the encryption
 * key once into `.recert/encryption.key` (0600) unless `RECERT_ENCRYPTION_KEY` is set, starts the
 * Truv sandbox in-process with a generated secret, listens for its webhooks on an ephemeral
 * loopback port, seeds about a thousand cases across every scenario (each refreshable case with
 * the verification it started from: its lineage's first order, `previous-verifications.ts`),
 * runs the renewals to completion and prints the report with the sandbox's own account beside
 * it, the refreshed cases counted `renew` and `review`, and one case of each to look at. The
 * sandbox's clients are scripted (its `demo` mix): after tonight's pass its clock moves on for a few
 * simulated days (`following-days.ts`; the scheduler reads the same clock), the clients act, the
 * scheduler follows their completions, and the report counts renewals completed by a refresh and
 * by the client, with the sandbox's own count of orders, tokens and messages beside them. Then it
 * delivers the outbox's events to the reference receiver (`@recert/delivery`, verifying with the
 * `standardwebhooks` package) on another loopback port and prints what the receiver got.
 */
import { randomBytes } from "node:crypto"
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { type EncryptionKeyInvalid, generateEncryptionKey, redactDatabaseUrl, SqlStore, Store } from "@recert/store"
import { TruvHttpGateway } from "@recert/truv-adapter"
import { TruvSandbox } from "@recert/truv-sandbox"
import { Clock, Console, Effect, Redacted, type Scope } from "effect"
import { startReferenceReceiver } from "@recert/delivery"
import { drainDeliveries } from "../delivery/deliverer.js"
import { deliveryReport, renderDeliveryReport } from "../delivery/delivery-report.js"
import { startServer } from "../http/server.js"
import { WEBHOOK_PATH } from "../http/webhook-receiver.js"
import { makeProgress } from "../progress.js"
import { buildReport, renderReport, type RunReport } from "../report/run-report.js"
import { monotonicMillis } from "../runner/monotonic.js"
import { runPass } from "../runner/pass.js"
import { RunStats } from "../runner/run-stats.js"
import { Wakeup } from "../runner/wakeup.js"
import { ConfigInvalid } from "../runtime/config.js"
import { installShutdown } from "../shutdown.js"
import { clockOf, type FollowingDays, followingDays, renderFollowingDays, sandboxClock } from "./following-days.js"
import { againstGuide, renderAgainstGuide } from "./guide-comparison.js"
import { seedPreviousVerifications } from "./previous-verifications.js"
import { seedDemo, type SeededCase } from "./seed.js"

/** The demo's Truv budget (sandbox and client alike): a thousand cases' calls well inside a minute. */
export const DEMO_REQUESTS_PER_MINUTE = 6_000

/** The demo's own database file, in `dir`: recreated by every demo. */
export const DEMO_DATABASE = "demo.sqlite"

export interface DemoOptions {
  readonly json: boolean
  readonly scale: number
  readonly concurrency: number
  /** Directory of the database and key. Default `.recert` in the working directory. */
  readonly dir?: string
  /** The sandbox clock's start (default: now). Tests fix it: Truv's order expiry skips weekends. */
  readonly start?: number
  /** Simulated days after tonight's pass (default `DEMO_FOLLOWING_DAYS`). */
  readonly followingDays?: number
  /**
   * A Postgres database to run on instead of `<dir>/demo.sqlite` (`--db postgres://…`): it must
   * hold no cases (the demo seeds it; a fresh database or schema), and is never emptied.
   */
  readonly db?: string
}

/** The key from the environment, else from `<dir>/encryption.key`, created once with mode 0600. */
export const demoEncryptionKey = (dir: string): Redacted.Redacted<string> => {
  const env = process.env["RECERT_ENCRYPTION_KEY"]
  if (env !== undefined && env !== "") return Redacted.make(env)
  const file = join(dir, "encryption.key")
  if (!existsSync(file)) {
    writeFileSync(file, `${Redacted.value(generateEncryptionKey())}\n`, { mode: 0o600 })
    chmodSync(file, 0o600)
  }
  return Redacted.make(readFileSync(file, "utf8").trim())
}

const pickTryCases = (seeded: ReadonlyArray<SeededCase>, stats: RunStats): Record<string, string> => {
  const first = (scenario: string, outcome: string) =>
    seeded.find((s) => s.scenario.name === scenario && stats.outcomes.get(s.caseId) === outcome)?.caseId
  const picks: Record<string, string | undefined> = {
    "refreshed tonight": first("healthy", "refreshed"),
    "waiting for the 24 h rate window": first("rate-window", "waiting"),
    "needs re-authentication (OAuth expired)": first("oauth-expired", "reauth-queued")
  }
  return Object.fromEntries(Object.entries(picks).filter((e): e is [string, string] => e[1] !== undefined))
}

/** One refreshed case of each class (`pnpm recert result <case>`), from scenarios that show it. */
const pickTryResults = (seeded: ReadonlyArray<SeededCase>, stats: RunStats): Record<string, string> => {
  const first = (scenario: string, cls: string) => seeded.find((s) => s.scenario.name === scenario && stats.results.get(s.caseId) === cls)?.caseId
  const picks: Record<string, string | undefined> = {
    "renew: nothing material changed since the first order": first("healthy", "renew"),
    "review: a pay cut since the first order": first("pay-cut", "review")
  }
  return Object.fromEntries(Object.entries(picks).filter((e): e is [string, string] => e[1] !== undefined))
}

/** The demo's report: tonight's run report, then the following days. */
export type DemoReport = RunReport & { readonly followingDays: FollowingDays }

export const runDemo = (options: DemoOptions): Effect.Effect<DemoReport, unknown> =>
  Effect.scoped(Effect.gen(function*() {
    const dir = resolve(options.dir ?? ".recert")
    mkdirSync(dir, { recursive: true })
    const dbPath = join(dir, DEMO_DATABASE)
    if (options.db === undefined) for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(dbPath + suffix, { force: true })
    const secret = Redacted.make(`sandbox-${randomBytes(16).toString("hex")}`)
    // A thousand renewals take about 1,700 Truv calls; at Truv's 300 a minute that is six minutes.
    // The demo gives the sandbox a budget of DEMO_REQUESTS_PER_MINUTE and the client the very
    // same one, so the client's budget is what keeps the run inside it (no 429). Production
    // keeps the adapter's default of 300.
    const sandbox = yield* Effect.acquireRelease(
      Effect.promise(() => TruvSandbox.start({
        secret: Redacted.value(secret), seed: 7, faults: { rateLimitPerMinute: DEMO_REQUESTS_PER_MINUTE },
        // Real time (plus what the following days add), so tonight's pass ends by its quiet-time rule.
        ...(options.start === undefined ? {} : { clock: { mode: "real" as const, start: options.start } }),
        // The people behind the cases: a seeded mix that completes, re-authenticates or never answers.
        clients: { default: "demo" }
      })),
      (s) => Effect.promise(() => s.close())
    )
    // One "now" for both sides: the scheduler reads the sandbox's clock.
    return yield* demoOn(sandbox, secret, options).pipe(Effect.provideService(Clock.Clock, sandboxClock(sandbox)))
  }))

const demoOn = (sandbox: TruvSandbox, secret: Redacted.Redacted<string>, options: DemoOptions): Effect.Effect<DemoReport, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = resolve(options.dir ?? ".recert")
    const dbPath = options.db ?? join(dir, DEMO_DATABASE)
    const shown = options.db === undefined ? relative(process.cwd(), dbPath) || dbPath : redactDatabaseUrl(dbPath)
    const encryptionKey = demoEncryptionKey(dir)
    const stats = new RunStats(yield* Clock.currentTimeMillis)
    let total = 0
    const progress = makeProgress(stats, () => total, !options.json && process.stderr.isTTY === true)
    const report = yield* Effect.gen(function*() {
      const store = yield* Store
      if (options.db !== undefined && (yield* store.listCases({ limit: 1 })).length > 0) {
        return yield* new ConfigInvalid({ problems: [`--db ${shown}: the demo seeds its own cases into an empty database; this one holds cases already`] })
      }
      const inboxWakeup = new Wakeup()
      const receiver = yield* startServer({ port: 0, secret, store, stats: () => stats, onStored: () => inboxWakeup.notify() })
      sandbox.configureFaults({ webhookUrl: `${receiver.url}${WEBHOOK_PATH}` })
      const now = yield* Clock.currentTimeMillis
      const seedingFrom = yield* monotonicMillis
      const seeded = yield* seedDemo(store, sandbox, { now, scale: options.scale })
      const shutdown = installShutdown()
      const seededAt = yield* monotonicMillis
      yield* Effect.logDebug("demo seeded", { cases: seeded.length, ms: seededAt - seedingFrom })
      total = seeded.length
      const gateway = TruvHttpGateway.layer({ baseUrl: sandbox.url, clientId: sandbox.clientId, secret, maxRequestsPerMinute: DEMO_REQUESTS_PER_MINUTE })
      // What tonight's plan saves against the guide's loop, decided before the run changes the ledger.
      const vsGuide = yield* againstGuide(seeded.map((c) => c.caseId), yield* Clock.currentTimeMillis)
      // Before the run, not counted in its report: the verification each refreshable case started from.
      const previous = yield* seedPreviousVerifications(seeded.filter((c) => c.scenario.expect.outcome === "refreshed")).pipe(Effect.provide(gateway))
      yield* Effect.logDebug("demo previous verifications", { stored: previous, ms: (yield* monotonicMillis) - seededAt })
      const passOptions = { workerId: `demo-${process.pid}`, concurrency: options.concurrency, pollAfterMs: 5_000, shouldStop: shutdown.requested, inboxWakeup }
      yield* runPass({ ...passOptions, onProgress: progress.update }, stats).pipe(Effect.provide(gateway))
      yield* Effect.logDebug("demo pass done", { ms: (yield* monotonicMillis) - seededAt })
      yield* Effect.promise(() => sandbox.idle())
      progress.done()
      // Tonight's report, before the following days change the ledger.
      const built = buildReport(stats, yield* Clock.currentTimeMillis, sandbox.report(), pickTryCases(seeded, stats), pickTryResults(seeded, stats))
      // The agency's side: every event delivered, signed, to the reference receiver.
      const whsec = `whsec_${randomBytes(32).toString("base64")}`
      const agency = yield* Effect.acquireRelease(Effect.promise(() => startReferenceReceiver(whsec)), (r) => Effect.promise(() => r.close()))
      // Signed on this machine's clock: the receiver checks each timestamp against it (the sandbox's
      // clock is real time here, or behind it when a test fixes its start: tonight's events are due).
      const drain = yield* drainDeliveries({
        workerId: `demo-${process.pid}`, deadlineMs: 60_000,
        destinations: [{ name: "agency-demo", url: agency.url, secret: Redacted.make(whsec), events: null, timeoutMs: 5_000, concurrency: 16, pdf: "none" }]
      }).pipe(Effect.provideService(Clock.Clock, clockOf(Date.now)))
      const byType: Record<string, number> = {}
      for (const r of agency.received) if (!r.duplicate) byType[r.event.type] = (byType[r.event.type] ?? 0) + 1
      const delivery = { ...(yield* deliveryReport(drain)), receiver: { received: agency.received.length, byType } }
      // After tonight's delivery: the reference receiver checks each signature's timestamp against
      // this machine's clock, and the following days run the sandbox's clock (the scheduler's) ahead
      // of it, so their events stay in the outbox (counted in the following days' report).
      const following = yield* followingDays({ sandbox, pass: passOptions, since: now, ...(options.followingDays === undefined ? {} : { days: options.followingDays }) })
        .pipe(Effect.provide(gateway))
      yield* Effect.logDebug("demo following days done", { ms: (yield* monotonicMillis) - seededAt })
      // A refresh that met a provider outage tonight: Recert backs off and retries, the guide would have sent a link.
      const outages = seeded.filter((c) => stats.outcomes.get(c.caseId) === "retry-later").length
      return { ...built, tryDatabase: shown, delivery, againstGuide: { ...vsGuide, linksSaved: vsGuide.linksSaved + outages }, followingDays: following }
    }).pipe(
      Effect.provide(SqlStore.layer({ url: dbPath, encryptionKey, create: true })),
      // A key the store refuses is invalid configuration (exit 2), as in run and serve; never shown.
      Effect.catchIf((e): e is EncryptionKeyInvalid => (e as { _tag?: string })._tag === "EncryptionKeyInvalid", (e) =>
        Effect.fail(new ConfigInvalid({ problems: [`encryption key (${process.env["RECERT_ENCRYPTION_KEY"] ? "RECERT_ENCRYPTION_KEY" : join(dir, "encryption.key")}): ${e.message}`] })))
    )
    const received = `The reference receiver (the agency's side) verified and got ${report.delivery.receiver.received} events: ${
      Object.entries(report.delivery.receiver.byType).map(([t, n]) => `${n} ${t}`).join(", ")}`
    yield* Console.log(options.json ? JSON.stringify(report, null, 2) : `${renderReport(report)}\n\n${renderFollowingDays(report.followingDays)}\n\n${renderAgainstGuide(report.againstGuide)}\n\n${renderDeliveryReport(report.delivery)}\n${received}\n\nDatabase: ${shown}`)
    return report
  })
