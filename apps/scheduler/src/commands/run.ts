/**
 * `run`: one pass over the due cases, then the report (table, or JSON with `--json`), whatever
 * happened. The exit code is the pass's status (report/pass-status.ts): 0 `ok` (cases that need
 * their user are results, not faults), 3 `degraded` (some cases could not be loaded or failed,
 * some Truv calls or store operations failed, Truv throttled us), 1 `failed` (Truv refused our
 * credentials, Truv unreachable, the store failing, or no due case could be processed); a
 * degraded or failed pass also prints one line on stderr saying why. 2 for bad configuration.
 * SIGINT or SIGTERM stops it gracefully (see `shutdown.ts`) and the partial report is printed.
 */
import { Clock, Console, Effect, type Option } from "effect"
import { drainDeliveries } from "../delivery/deliverer.js"
import { type DeliveryReport, deliveryReport, renderDeliveryReport } from "../delivery/delivery-report.js"
import { destinationsOf } from "../runtime/destinations.js"
import { makeProgress } from "../progress.js"
import { EXIT_CODE, statusLine } from "../report/pass-status.js"
import { buildReport, renderReport, type RunReport } from "../report/run-report.js"
import { runPass } from "../runner/pass.js"
import { redactionStep, retentionPolicyOf } from "../runner/redaction.js"
import { Store } from "@recert/store"
import { OwnWritesLearner } from "../runner/learn-own-writes.js"
import { RunStats } from "../runner/run-stats.js"
import { encryptionKeyOf, keyErrorAsConfig, liveLayer, readTruvClock } from "../runtime/live-layers.js"
import { PassDegraded, RuntimeFailure } from "../runtime/runtime-failure.js"
import { installShutdown } from "../shutdown.js"
import { type CommonFlags, given, loadConfig } from "./flags.js"
import { notSentAfterMsFor } from "../workflow/reconcile.js"

export interface RunFlags extends CommonFlags {
  /** How long the outbox is drained at the end (`delivery.drainDeadline`). */
  readonly drainDeadline?: Option.Option<string>
}

export const runOnce = (flags: RunFlags) =>
  Effect.gen(function*() {
    const shutdown = installShutdown()
    const config = yield* loadConfig(flags, flags.drainDeadline === undefined ? {} : { "delivery.drainDeadline": given("--drain-deadline", flags.drainDeadline) })
    const destinations = yield* destinationsOf(config)
    const key = yield* encryptionKeyOf(config)
    const stats = new RunStats(yield* Clock.currentTimeMillis)
    const progress = makeProgress(stats, () => stats.outcomes.size, !flags.json && process.stderr.isTTY === true)
    const report: RunReport & { delivery?: DeliveryReport } = yield* Effect.gen(function*() {
      // From here the Clock is Truv's time (live-layers.ts): the run's start on the same clock as its end.
      yield* readTruvClock(config)
      stats.startedAt = yield* Clock.currentTimeMillis
      // A pass that could not go on has recorded why (`stats.fatal`): the report still says what it did.
      yield* runPass({
        workerId: config.workerId, concurrency: config.concurrency, graceMs: config.shutdownGrace,
        notSentAfterMs: notSentAfterMsFor(config.truv.timeoutMs), shouldStop: shutdown.requested, onProgress: progress.update
      }, stats).pipe(Effect.catchTag("StoreError", () => Effect.void))
      // Writes that landed although their call failed are counted too (runner/learn-own-writes.ts).
      yield* new OwnWritesLearner(stats.startedAt).learn(yield* Store, stats)
      progress.done()
      const renewals = buildReport(stats, yield* Clock.currentTimeMillis)
      if (destinations.length === 0) return renewals
      // The outbox drained at the end, within the deadline (later tries stay owed for the next run or serve).
      const drain = yield* drainDeliveries({ workerId: config.workerId, destinations, deadlineMs: config.delivery.drainDeadline, ...(config.delivery.retry === undefined ? {} : { retry: config.delivery.retry }) })
      return { ...renewals, delivery: yield* deliveryReport(drain) }
      // Then personal data past its retention goes (runner/redaction.ts): after the drain, so what it delivered counts.
    }).pipe(Effect.tap(() => redactionStep(retentionPolicyOf(config))), Effect.provide(liveLayer(config, key)), keyErrorAsConfig(config, key))
    if (shutdown.requested()) shutdown.log("done", { command: "run", released: stats.jobsReleased, exitCode: EXIT_CODE[report.status] })
    yield* Console.log(flags.json ? JSON.stringify(report, null, 2)
      : [renderReport(report), ...(report.delivery === undefined ? [] : ["", renderDeliveryReport(report.delivery)])].join("\n"))
    if (report.status === "failed") return yield* new RuntimeFailure({ message: statusLine(report.status, report.reasons) })
    if (report.status === "degraded") return yield* new PassDegraded({ message: statusLine(report.status, report.reasons) })
    return report
  })
