/**
 * `request-check` jobs: the polling fallback of a client's new order (issue 16). A webhook says
 * when the client completed it; when none came (lost, or `run`, which has no receiver), each
 * pass's recovery enqueues one check per open new-order request older than an hour, at most one every
 * `REQUEST_CHECK_EVERY_MS` (the key carries the period: workers recovering at once enqueue it
 * once), and the check reads the order (`GET /v1/orders/{id}/`) and runs the same idempotent
 * `followNewOrder` a webhook would.
 */
import { Effect } from "effect"
import { followNewOrder, requestFollowedText } from "../../workflow/follow-request.js"
import type { PassContext } from "../pass-context.js"
import type { JobHandler } from "./job-handler.js"

/** How often an open new order is polled at most: four times a day (`serve`); a daily `run` polls it once. */
export const REQUEST_CHECK_EVERY_MS = 6 * 3_600_000

/** A request younger than this is not polled: the client has hardly opened the message yet. */
export const REQUEST_CHECK_AFTER_MS = 3_600_000

export interface RequestCheckPayload {
  readonly requestId: number
  readonly orderId: string
}

/** Enqueues this period's check of every open new-order request (a pass's recovery). */
export const enqueueRequestChecks = (ctx: PassContext) =>
  Effect.gen(function*() {
    const open = yield* ctx.store.openOrderRequests(new Date(ctx.start - REQUEST_CHECK_AFTER_MS).toISOString())
    const period = Math.floor(ctx.start / REQUEST_CHECK_EVERY_MS)
    const jobs = open.flatMap((q) => q.orderId === null ? [] : [{
      kind: "request-check", key: `request-check:${q.id}:${period}`, payload: { requestId: q.id, orderId: q.orderId } satisfies RequestCheckPayload
    }])
    if (jobs.length > 0) yield* ctx.store.enqueueJobs(jobs)
  })

export const requestCheckJob: JobHandler = {
  kind: "request-check",
  recovery: true,
  handle: (job, ctx) =>
    Effect.gen(function*() {
      const { requestId, orderId } = job.payload as RequestCheckPayload
      const request = yield* ctx.store.requestForOrder(orderId)
      if (request === null || request.id !== requestId) return
      const followed = yield* ctx.jobEnv(followNewOrder(request))
      if (followed.kind === "completed") yield* Effect.logInfo("client request completed (learned by polling its order)", { caseId: followed.caseId, requestId, how: followed.how })
      else yield* Effect.logDebug("client request polled", { requestId, result: requestFollowedText(followed) })
    })
}
