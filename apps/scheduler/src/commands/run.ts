/**
 * `run`: one pass over the due cases, then the report (table, or JSON with `--json`). Exit 0 when
 * the pass completed, whatever the cases' outcomes (a case needing the user is a result, not a
 * failure); 1 when the pass failed (store or Truv unreachable); 2 for bad configuration. SIGINT
 * or SIGTERM stops it gracefully (see `shutdown.ts`) and the partial report is printed.
 */
import { Store } from "@recert/store"
import { Clock, Console, Effect } from "effect"
import { makeProgress } from "../progress.js"
import { buildReport, renderReport, type RunReport } from "../report/run-report.js"
import { runPass } from "../runner/pass.js"
import { RunStats } from "../runner/run-stats.js"
import { encryptionKeyOf, keyErrorAsConfig, liveLayer, readTruvClock } from "../runtime/live-layers.js"
import { installShutdown } from "../shutdown.js"
import { type CommonFlags, loadConfig } from "./flags.js"

export const runOnce = (flags: CommonFlags) =>
  Effect.gen(function*() {
    const shutdown = installShutdown()
    const config = yield* loadConfig(flags)
    const key = yield* encryptionKeyOf(config)
    const stats = new RunStats(yield* Clock.currentTimeMillis)
    const progress = makeProgress(stats, () => stats.outcomes.size, !flags.json && process.stderr.isTTY === true)
    const report: RunReport = yield* Effect.gen(function*() {
      const store = yield* Store
      // From here the Clock is Truv's time (live-layers.ts): the run's start on the same clock as its end.
      yield* readTruvClock(config)
      stats.startedAt = yield* Clock.currentTimeMillis
      const since = new Date(stats.startedAt).toISOString()
      yield* runPass({
        workerId: config.workerId, concurrency: config.concurrency, graceMs: config.shutdownGrace,
        shouldStop: shutdown.requested, onProgress: progress.update
      }, stats)
      progress.done()
      return buildReport(stats, yield* store.stats({ since }), yield* Clock.currentTimeMillis)
    }).pipe(Effect.provide(liveLayer(config, key)), keyErrorAsConfig(config, key))
    if (stats.stopped) shutdown.log("done", { command: "run", released: stats.jobsReleased, exitCode: 0 })
    yield* Console.log(flags.json ? JSON.stringify(report, null, 2) : renderReport(report))
    return report
  })
