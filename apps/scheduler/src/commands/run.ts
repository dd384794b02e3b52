/**
 * `run`: one pass over the due cases, then the report (table, or JSON with `--json`). Exit 0 when
 * the pass completed, whatever the cases' outcomes (a case needing the user is a result, not a
 * failure); 1 when the pass failed (store or Truv unreachable); 2 for bad configuration. SIGINT
 * or SIGTERM stops it gracefully (see `shutdown.ts`) and the partial report is printed.
 */
import { Store } from "@recert/store"
import { Clock, Console, Effect, type Option } from "effect"
import { drainDeliveries } from "../delivery/deliverer.js"
import { type DeliveryReport, deliveryReport, renderDeliveryReport } from "../delivery/delivery-report.js"
import { destinationsOf } from "../runtime/destinations.js"
import { makeProgress } from "../progress.js"
import { buildReport, renderReport, type RunReport } from "../report/run-report.js"
import { runPass } from "../runner/pass.js"
import { RunStats } from "../runner/run-stats.js"
import { encryptionKeyOf, keyErrorAsConfig, liveLayer } from "../runtime/live-layers.js"
import { installShutdown } from "../shutdown.js"
import { type CommonFlags, given, loadConfig } from "./flags.js"

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
      const store = yield* Store
      const since = new Date(yield* Clock.currentTimeMillis).toISOString()
      yield* runPass({
        workerId: config.workerId, concurrency: config.concurrency, graceMs: config.shutdownGrace,
        shouldStop: shutdown.requested, onProgress: progress.update
      }, stats)
      progress.done()
      const renewals = buildReport(stats, yield* store.stats({ since }), yield* Clock.currentTimeMillis)
      if (destinations.length === 0) return renewals
      // The outbox drained at the end, within the deadline (later tries stay owed for the next run or serve).
      const drain = yield* drainDeliveries({ workerId: config.workerId, destinations, deadlineMs: config.delivery.drainDeadline, ...(config.delivery.retry === undefined ? {} : { retry: config.delivery.retry }) })
      return { ...renewals, delivery: yield* deliveryReport(drain) }
    }).pipe(Effect.provide(liveLayer(config, key)), keyErrorAsConfig(config, key))
    if (stats.stopped) shutdown.log("done", { command: "run", released: stats.jobsReleased, exitCode: 0 })
    yield* Console.log(flags.json ? JSON.stringify(report, null, 2)
      : [renderReport(report), ...(report.delivery === undefined ? [] : ["", renderDeliveryReport(report.delivery)])].join("\n"))
    return report
  })
