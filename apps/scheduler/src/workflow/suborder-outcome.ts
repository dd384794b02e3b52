/**
 * What a refresh order's suborder says about its connection's outcome, as precisely as a webhook
 * would (issue 14). `GET /v1/orders/{id}/` gives a suborder's status from Truv's order enum
 * (`pending, sent, completed, error, canceled, expired, no_data, skipped`): `completed` and
 * `no_data` are exact, but every failure is `error`, where the webhook of the same failure says
 * `login_error`, `mfa_error`, `account_locked`, `unavailable`, ... So for `error` Truv's own
 * records are asked which failure it was (`TruvGateway.findSuborderTask`: the order's events name
 * the connection's task, the task has its status).
 *
 * When precision is impossible the cheaper truth is recorded: Truv's generic `error`, which core
 * reads as "the user may be needed" (`connection.needs-user`, status imprecise): the follow-up
 * queues the client's link, never a billed retry.
 *
 * | suborder | lookup | learnt |
 * |---|---|---|
 * | `completed` / `done` | none | `done` |
 * | `no_data` | none | `no_data` |
 * | a terminal task status (a Truv that reports it) | none | that status |
 * | `error` | the task ended with a precise status | that status (`login_error`, ...) |
 * | `error` | the task says only `error` | `error`, imprecise |
 * | `error` | no task named yet, or the task not ended | open (next poll); on the last poll `error`, imprecise |
 * | `error` | the lookup failed (Truv did not answer) | open, the last poll included: not knowing is not Truv's answer, so nothing is recorded (the attempt stays `sent`; the next poll, or a later pass's recovery, asks again) |
 * | anything else (`pending`, `sent`, ...) | none | open |
 */
import { IMPRECISE_STATUSES, type TaskStatus, TaskStatus as TaskStatusSchema, TERMINAL_STATUSES, TruvGateway, type TruvOrder, type TruvSuborder } from "@recert/core"
import { Effect, Result } from "effect"

/** What polling learnt of one connection: nothing final yet, or a terminal status (and whether Truv said exactly that). */
export type LearntOutcome =
  | { readonly kind: "open"; readonly why: string }
  | { readonly kind: "known"; readonly status: TaskStatus; readonly precise: true }
  | { readonly kind: "known"; readonly status: "error"; readonly precise: false; readonly why: string }

const terminal = (status: string): TaskStatus | null => {
  const parsed = TaskStatusSchema.safeParse(status)
  return parsed.success && TERMINAL_STATUSES.has(parsed.data) ? parsed.data : null
}

/** A suborder status that says the outcome without a lookup, else null (`error` needs one). */
export const exactSuborderStatus = (status: string): TaskStatus | null => {
  if (status === "completed") return "done"
  if (status === "error") return null
  return terminal(status)
}

const imprecise = (why: string): LearntOutcome => ({ kind: "known", status: "error", precise: false, why })

/**
 * The outcome of `suborder` of the refresh order `order`. `last`: no later poll will ask again,
 * so what is still unknown is settled as the cheaper truth.
 */
export const learnSuborderOutcome = (order: TruvOrder, suborder: TruvSuborder, last: boolean): Effect.Effect<LearntOutcome, never, TruvGateway> =>
  Effect.gen(function*() {
    const exact = exactSuborderStatus(suborder.status)
    if (exact !== null) return { kind: "known", status: exact, precise: true } as const
    if (suborder.status !== "error") return { kind: "open", why: `suborder ${suborder.status}` } as const
    const truv = yield* TruvGateway
    const found = yield* Effect.result(truv.findSuborderTask({ orderId: order.id, suborderId: suborder.id, linkId: suborder.linkId }))
    const unsettled = (why: string): LearntOutcome => (last ? imprecise(`${why} on the last poll`) : { kind: "open", why })
    // Truv did not answer: settling now would record a failure Truv never reported (issue 15: the
    // chaos suite found `error` recorded where Truv said `login_error`). Left open; asked again.
    if (Result.isFailure(found)) return { kind: "open", why: `the task lookup failed (${found.failure._tag})` } as const
    const task = found.success
    if (task === null) return unsettled("Truv's order events name no task for it")
    const status = terminal(task.status)
    if (status === null) return unsettled(`its task is ${task.status}`)
    if (status === "error") return imprecise("its task says only error")
    return { kind: "known", status, precise: true } as const
  })

/**
 * The verification request's `detail` for connections whose refresh ended needing the user (or
 * maybe needing: Truv's generic `error` says it was imprecise), e.g. `refresh ended login_error:
 * the user must re-authenticate`.
 */
export const needsUserDetail = (statuses: ReadonlyArray<TaskStatus>): string =>
  statuses.some((s) => IMPRECISE_STATUSES.has(s))
    ? `refresh ended ${statuses.join(", ")} (status imprecise: Truv did not say which failure, so it is not refreshed again): the user must re-authenticate`
    : `refresh ended ${statuses.join(", ")}: the user must re-authenticate`
