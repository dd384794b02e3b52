/**
 * `serve`: a pass every `--interval` (the first at start), the webhook receiver on `--port`
 * (`POST /webhooks/truv`; `GET /health` and `GET /metrics` on the admin bind, loopback and
 * `--admin-port` by default, or behind `RECERT_ADMIN_TOKEN`), and the inbox processed as events
 * arrive between passes (and the verification request sweep every 5 minutes: reminders, expiries,
 * replacements, escalations; `workflow/request-sweep.ts`), until SIGINT/SIGTERM. A stop lets the current pass finish within the
 * grace period, releases what is still held, closes the receiver and the store, and prints the
 * report of the passes so far (one JSON line per pass goes to stderr as it ends, with the pass's
 * report: its `status` and `reasons`, as `run` would print them; `/health` shows the last pass's
 * status and `/metrics` counts passes by status). Exit 0 after a signal, whatever the passes'
 * statuses: a service reports them, `run` (a batch) exits with them.
 */
import { DURATION_EXPECTED } from "@recert/core"
import { Store } from "@recert/store"
import { TruvClock } from "@recert/truv-adapter"
import { Clock, Console, Effect, type Option, Redacted } from "effect"
import { Flag } from "effect/cli"
import { runDeliverer } from "../delivery/deliverer.js"
import { startServer } from "../http/server.js"
import { destinationsOf } from "../runtime/destinations.js"
import { type PassStatus } from "../report/pass-status.js"
import { AttemptRegistry } from "../report/refresh-counts.js"
import { buildReport, renderReport, type RunReport } from "../report/run-report.js"
import { drainInbox } from "../runner/drain-inbox.js"
import { LEARN_EVERY_MS, OwnWritesLearner } from "../runner/learn-own-writes.js"
import { monotonicMillis } from "../runner/monotonic.js"
import { runPass } from "../runner/pass.js"
import { redactionStep, retentionPolicyOf } from "../runner/redaction.js"
import { REQUEST_SWEEP_EVERY_MS, sweepRequests } from "../workflow/request-sweep.js"
import { RunStats } from "../runner/run-stats.js"
import { sweepAndRenewOwed } from "../runner/sweep.js"
import { Wakeup } from "../runner/wakeup.js"
import { adminBindOf, webhookLimitsOf } from "../runtime/config.js"
import { encryptionKeyOf, keyErrorAsConfig, liveLayer, readTruvClock, SERVE_STARTUP_WAIT_MS } from "../runtime/live-layers.js"
import { ConfigInvalid } from "../runtime/config.js"
import { RuntimeFailure } from "../runtime/runtime-failure.js"
import { installShutdown } from "../shutdown.js"
import { type CommonFlags, commonFlags, given, loadConfig } from "./flags.js"
import { notSentAfterMsFor } from "../workflow/reconcile.js"

export const serveFlags = {
  ...commonFlags,
  interval: Flag.String("interval").pipe(Flag.withDescription(`Time between passes, at least 1s: ${DURATION_EXPECTED} (else RECERT_INTERVAL, default 15m)`), Flag.optional),
  port: Flag.Int("port").pipe(Flag.withDescription("Webhook port (else RECERT_WEBHOOK_PORT, default 8080; 0 picks one)"), Flag.optional),
  host: Flag.String("host").pipe(Flag.withDescription("Address to listen on (else RECERT_WEBHOOK_HOST, default 0.0.0.0)"), Flag.optional),
  adminPort: Flag.Int("admin-port").pipe(Flag.withDescription("Port of /health and /metrics on the admin host (else RECERT_ADMIN_PORT, default --port + 1; 0 picks one)"), Flag.optional)
}

export interface ServeFlags extends CommonFlags {
  readonly interval: Option.Option<string>
  readonly port: Option.Option<number>
  readonly host: Option.Option<string>
  readonly adminPort: Option.Option<number>
}

/**
 * The receiver's listen failures in one line: a host that does not resolve or is not this
 * machine's is configuration (exit 2); a port another process holds is the moment's (exit 1).
 */
const listenError = <A, R>(config: { readonly webhook: { readonly host: string; readonly port: number } }, start: Effect.Effect<A, Error, R>) =>
  Effect.mapError(start, (e): ConfigInvalid | RuntimeFailure => {
    const code = (e as NodeJS.ErrnoException).code
    const { host, port } = config.webhook
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new ConfigInvalid({ problems: [`webhook host ${host} (--host or RECERT_WEBHOOK_HOST): does not resolve`] })
    if (code === "EADDRNOTAVAIL") return new ConfigInvalid({ problems: [`webhook host ${host} (--host or RECERT_WEBHOOK_HOST): not an address of this machine`] })
    if (code === "EACCES") return new ConfigInvalid({ problems: [`webhook port ${port} (--port or RECERT_WEBHOOK_PORT): permission denied (ports below 1024 need privileges)`] })
    if (code === "EADDRINUSE") return new RuntimeFailure({ message: `webhook port ${port} on ${host} is in use by another process` })
    return new RuntimeFailure({ message: `webhook receiver on ${host}:${port} could not start: ${e.message}` })
  })

export const serve = (flags: ServeFlags) =>
  Effect.gen(function*() {
    const shutdown = installShutdown()
    const config = yield* loadConfig(flags, {
      interval: given("--interval", flags.interval), "webhook.port": given("--port", flags.port), "webhook.host": given("--host", flags.host),
      "admin.port": given("--admin-port", flags.adminPort)
    })
    const key = yield* encryptionKeyOf(config)
    const destinations = yield* destinationsOf(config)
    // One memory of what this process counted, so no pass counts again what an earlier one did.
    const registry = new AttemptRegistry()
    let totals = new RunStats(null, registry)
    let current = new RunStats(yield* Clock.currentTimeMillis, registry)
    let lastPass: { readonly startedAt: string; readonly endedAt: string; readonly ok: boolean; readonly status: PassStatus; readonly cases: number; readonly error?: string } | null = null
    let passes = 0
    const passesByStatus: Record<PassStatus, number> = { ok: 0, degraded: 0, failed: 0 }
    const wakeup = new Wakeup()
    let learner: OwnWritesLearner | null = null
    return yield* Effect.scoped(Effect.gen(function*() {
      const store = yield* Store
      const truvClock = yield* TruvClock
      const receiver = yield* listenError(config, startServer({
        port: config.webhook.port, host: config.webhook.host, store,
        secret: Redacted.make(config.webhook.secret ?? config.truv.secret),
        stats: () => current, metrics: () => RunStats.merge(totals, current), onStored: () => wakeup.notify(),
        beforeMetrics: () => learner === null ? Promise.resolve() : Effect.runPromise(learner.learn(store, current).pipe(Effect.timeout("2 seconds"), Effect.ignore)),
        passStatus: () => lastPass === null ? undefined : { status: lastPass.status, passes: passesByStatus },
        truvClockSkew: () => truvClock.skewUnsafe(),
        limits: webhookLimitsOf(config), admin: adminBindOf(config),
        adminToken: config.admin.token === undefined ? undefined : Redacted.make(config.admin.token),
        healthDetail: async () => {
          const db = await Effect.runPromise(store.schemaVersion().pipe(Effect.timeout("2 seconds"), Effect.match({ onSuccess: () => true, onFailure: () => false })))
          return { ok: db && !shutdown.requested(), database: db ? "reachable" : "unreachable", stopping: shutdown.requested(), passes, lastPass }
        }
      }))
      // The deliverer beside the passes; it stops with them (a try cut short keeps its lease until it expires).
      if (destinations.length > 0) yield* Effect.forkChild(runDeliverer({ workerId: config.workerId, destinations, pollMs: config.delivery.poll, ...(config.delivery.retry === undefined ? {} : { retry: config.delivery.retry }), shouldStop: shutdown.requested }))
      yield* Effect.logInfo("serving", { url: receiver.url, port: receiver.port, adminUrl: receiver.adminUrl, intervalMs: config.interval, workerId: config.workerId })
      // From here the Clock is Truv's time (live-layers.ts): the first pass starts on the clock it ends on.
      yield* readTruvClock(config)
      current.startedAt = yield* Clock.currentTimeMillis
      // Writes that landed although their call failed are counted too (runner/learn-own-writes.ts):
      // after each pass, every few seconds between passes, before /metrics and the final report.
      const own = new OwnWritesLearner(current.startedAt)
      learner = own
      while (!shutdown.requested()) {
        const startedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
        const stats = current
        const pass = yield* Effect.result(runPass({
          workerId: config.workerId, concurrency: config.concurrency, graceMs: config.shutdownGrace, shouldStop: shutdown.requested,
          notSentAfterMs: notSentAfterMsFor(config.truv.timeoutMs),
          inboxWakeup: wakeup
        }, stats))
        passes += 1
        yield* own.learn(store, stats)
        const endedAt = yield* Clock.currentTimeMillis
        const report = buildReport(stats, endedAt)
        passesByStatus[report.status] += 1
        lastPass = { startedAt, endedAt: new Date(endedAt).toISOString(), ok: pass._tag === "Success", status: report.status, cases: stats.outcomes.size,
          ...(pass._tag === "Failure" ? { error: pass.failure.message } : {}) }
        process.stderr.write(`${JSON.stringify({ event: "pass", ...lastPass, truvClock: truvClock.skewUnsafe(), report })}\n`)
        // The retention job: after every pass, personal data past its retention goes (runner/redaction.ts).
        yield* redactionStep(retentionPolicyOf(config))
        totals = RunStats.merge(totals, stats)
        current = new RunStats(yield* Clock.currentTimeMillis, registry)
        // Between passes: events as they arrive, until the next pass or a signal (pacing: monotonic).
        const nextAt = (yield* monotonicMillis) + config.interval
        let nextSweepAt = (yield* monotonicMillis) + REQUEST_SWEEP_EVERY_MS
        let nextLearnAt = (yield* monotonicMillis) + LEARN_EVERY_MS
        while (!shutdown.requested() && (yield* monotonicMillis) < nextAt) {
          yield* drainInbox(current, `drain-${process.pid}`)
          if ((yield* monotonicMillis) >= nextLearnAt) {
            yield* own.learn(store, current)
            nextLearnAt = (yield* monotonicMillis) + LEARN_EVERY_MS
          }
          // Reminders and expiries fall due between passes too (a pass may be hours apart).
          if ((yield* monotonicMillis) >= nextSweepAt) {
            yield* sweepAndRenewOwed(store, sweepRequests)
            nextSweepAt = (yield* monotonicMillis) + REQUEST_SWEEP_EVERY_MS
          }
          yield* Effect.raceFirst(wakeup.sleep(Math.min(1_000, Math.max(0, nextAt - (yield* monotonicMillis)))), shutdown.await)
        }
      }
      yield* own.learn(store, current)
      const all = RunStats.merge(totals, current)
      const report: RunReport = buildReport(all, yield* Clock.currentTimeMillis)
      shutdown.log("done", { command: "serve", passes, released: all.jobsReleased, exitCode: 0 })
      return report
    })).pipe(
      Effect.provide(liveLayer(config, key, config.startupWait ?? SERVE_STARTUP_WAIT_MS)),
      keyErrorAsConfig(config, key),
      Effect.tap((report) => Console.log(flags.json ? JSON.stringify(report, null, 2) : renderReport(report)))
    )
   })
