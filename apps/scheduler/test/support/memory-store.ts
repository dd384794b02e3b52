/**
 * The job queue and inbox of `@recert/store` that a pass uses, as a small in-memory stand-in over
 * core's in-memory `RenewalStore`, so a whole pass runs under `TestClock` alone (runner tests).
 * The due-case stream yields `case-1`; the inbox is empty; claims ignore `runAt`.
 */
import type { CaseSnapshot, RenewalStore } from "@recert/core"
import type { Job, JobInput, Store } from "@recert/store"
import { Clock, Effect, Stream } from "effect"

/** The job queue and inbox a pass uses, in memory; records what it is asked. Due: `case-1`. */
export const memoryStore = (renewal: RenewalStore["Service"]) => {
  const jobs: Array<Job & { status: "pending" | "done" }> = []
  const asked = { staleBefore: [] as Array<string>, dueUntil: [] as Array<string>, claims: 0, inboxClaims: 0, rescheduled: [] as Array<[string, string, string | null]>, followedUp: [] as Array<string> }
  const service = {
    unresolvedAttempts: (before: string) => Effect.andThen(Effect.sync(() => void asked.staleBefore.push(before)), renewal.unresolvedAttempts(before)),
    pendingFollowUps: () => Effect.succeed([]),
    // Validity learned from the ledger: the in-memory renewal store records none.
    validityEstimates: () => Effect.succeed([]),
    refreshValidityEstimates: () => Effect.succeed([]),
    countDue: () => Effect.succeed(1),
    streamDueCaseLoads: ({ until }: { until: string }) =>
      Stream.unwrap(Effect.map(renewal.loadSnapshot("case-1"), (s): Stream.Stream<CaseSnapshot> => {
        asked.dueUntil.push(until)
        return Stream.make(s)
      })).pipe(Stream.orDie),
    enqueueJobs: (input: ReadonlyArray<JobInput>) => Effect.map(Clock.currentTimeMillis, (now) => {
      for (const j of input) {
        if (jobs.some((k) => k.key === j.key)) continue
        jobs.push({ id: `job-${jobs.length + 1}`, kind: j.kind, key: j.key ?? null, payload: j.payload, attempts: 0, maxAttempts: 5, runAt: j.runAt ?? new Date(now).toISOString(), lockedBy: null, lockedUntil: null, lastError: null, status: "pending" })
      }
      return input.length
    }),
    claimJobs: ({ kind, limit, workerId }: { kind: string; limit: number; workerId: string }) => Effect.sync(() => {
      asked.claims += 1
      const free = jobs.filter((j) => j.kind === kind && j.status === "pending" && j.lockedBy === null).slice(0, limit)
      return free.map((j) => Object.assign(j, { lockedBy: workerId }))
    }),
    completeJob: (id: string) => Effect.sync(() => { jobs.find((j) => j.id === id)!.status = "done" }),
    failJob: () => Effect.die("no job fails here"),
    releaseJob: () => Effect.void,
    rescheduleCase: (caseId: string, nextDueAt: string, lastVerifiedAt: string | null) => Effect.sync(() => void asked.rescheduled.push([caseId, nextDueAt, lastVerifiedAt])),
    markFollowedUp: (attemptId: string) => Effect.sync(() => void asked.followedUp.push(attemptId)),
    pendingWebhookEvents: () => Effect.succeed([]),
    claimWebhookEvents: () => Effect.sync(() => { asked.inboxClaims += 1; return [] }),
    completeWebhookEvent: () => Effect.void,
    releaseWebhookEvent: () => Effect.void,
    wakeWaitingWebhookEvents: () => Effect.succeed(0),
    // Client requests (issue 16): none open here.
    openOrderRequests: () => Effect.succeed([]),
    requestForOrder: () => Effect.succeed(null),
    openRequestsForConnection: () => Effect.succeed([]),
    completeRequest: () => Effect.succeed(false),
    moveLineage: () => Effect.die("no lineage moves here")
  }
  return { service: service as unknown as Store["Service"], jobs, asked }
}
