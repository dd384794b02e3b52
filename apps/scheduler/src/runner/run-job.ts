/**
 * Running one claimed job to its end: its handler (`jobs/`), retried within the pass, then
 * completed or failed in the store. Uninterruptible: a stop finishes what it holds (a refresh
 * sent is always recorded).
 *
 * A job that fails (a one-off 500, a store hiccup) is run again here, a few times, before it is
 * failed in the store: the store's own retry comes after its backoff (30 s and more), when this
 * pass has ended. Running a job again is safe: `reserve` re-decides from the ledger, so a refresh
 * already reserved or sent is never sent twice.
 *
 * A job that still fails is failed in the store, and the case it is about ends `failed` in the
 * report with why (`RunStats.caseFailed`): its kind, the error's tag and message, on one line. Once
 * the pass has failed (`RunStats.fatal`: Truv refused our credentials, Truv unreachable, the disk
 * failing), a failed job is not run again within the pass: it could only fail the same way.
 *
 * The lease is renewed while the handler runs (every third of `leaseMs`, to now + `leaseMs`): a job
 * may outlast its lease (a Truv call can take 30 s, retried), and a job whose lease lapsed while
 * it ran was claimed and run by a second worker. Renewal stops before the job is completed.
 */
import type { Job } from "@recert/store"
import { Effect, Schedule } from "effect"
import type { JobHandler } from "./jobs/job-handler.js"
import type { PassContext } from "./pass-context.js"

/** Runs of a failed job within the pass (200 ms, 400 ms, 800 ms apart) before the store's backoff. */
export const IN_PASS_RETRIES = 3

/**
 * Renews `job`'s lease forever, every third of the lease. A store failure (the database is down)
 * is tried again at the next renewal; a lost lease (another worker claimed the job after all) ends
 * the renewals: the job finishes, and its completion is then refused and logged.
 */
const renewLeaseWhileRunning = (ctx: PassContext, job: Job): Effect.Effect<void> => {
  const { store, settings } = ctx
  // Built at each tick, not at fork: most jobs end before the first renewal is due.
  const renew = Effect.suspend(() => store.renewLease(job.id, settings.workerId, settings.leaseMs)).pipe(
    Effect.catchTag("StoreError", (e) => Effect.logWarning("lease not renewed, trying again", { job: job.kind, key: job.key, reason: e.reason ?? "other" }))
  )
  return renew.pipe(
    Effect.delay(`${Math.max(1, Math.floor(settings.leaseMs / 3))} millis`),
    Effect.forever,
    Effect.catchTag("LeaseLost", () => Effect.logWarning("job lease lost while running", { job: job.kind, key: job.key })),
    Effect.interruptible
  )
}

export const runJob = (ctx: PassContext, job: Job, handler: JobHandler | undefined, onProgress?: () => void): Effect.Effect<void> => {
  const { store, stats, settings } = ctx
  // A kind no handler knows (enqueued by a newer worker) is failed, not lost: the store keeps it.
  const handle = handler === undefined
    ? Effect.fail({ _tag: "UnknownJobKind", message: `no handler for job kind ${job.kind}` })
    : handler.handle(job, ctx)
  return handle.pipe(
    Effect.tapError((e) => Effect.logDebug("job failed, retrying in this pass", { job: job.kind, key: job.key, error: e._tag })),
    Effect.retry({ times: IN_PASS_RETRIES, schedule: Schedule.exponential("200 millis"), while: () => stats.fatal === null }),
    (work) => Effect.scoped(Effect.andThen(Effect.forkScoped(renewLeaseWhileRunning(ctx, job)), work)),
    Effect.matchEffect({
      onSuccess: () => store.completeJob(job.id, settings.workerId),
      onFailure: (e) => {
        stats.jobsFailed += 1
        const caseId = (job.payload as { readonly caseId?: unknown } | null)?.caseId
        if (typeof caseId === "string") stats.caseFailed(caseId, `${job.kind} job failed: ${e._tag}: ${e.message}`)
        return Effect.andThen(
          Effect.logWarning("job failed", { job: job.kind, key: job.key, error: e._tag, message: e.message }),
          store.failJob(job.id, settings.workerId, `${e._tag}: ${e.message}`)
        )
      }
    }),
    Effect.catch((e) => Effect.logWarning("job not finished", { job: job.kind, error: e._tag })),
    Effect.uninterruptible,
    Effect.ensuring(Effect.sync(() => onProgress?.()))
  )
}
