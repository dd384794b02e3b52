/**
 * One connection's final task status recorded on an attempt, as a pure function every store
 * applies before it writes. When every connection has an outcome the attempt becomes `succeeded`
 * (all `done`) or `failed`, through the state machine: an attempt still `reserved` cannot (Truv's
 * order id was never recorded: the caller moves it to `sent` first, as it does for `unknown`),
 * and a `rejected` attempt takes no outcome at all (Truv never accepted it). The first final
 * status of a connection wins: a duplicate or late one returns the attempt unchanged (the same
 * object), so the store writes nothing.
 */
import type { Attempt, AttemptStatus } from "../model/attempt.js"
import { TERMINAL_STATUSES, type TaskStatus } from "../model/primitives.js"
import { canTransition } from "../model/attempt.js"
import { IllegalTransition, StoreError } from "../ports/renewal-store.js"

const outcomeStatus = (attempt: Attempt, outcomes: Readonly<Record<string, TaskStatus>>): AttemptStatus => {
  if (!attempt.connectionIds.every((id) => outcomes[id] !== undefined)) return attempt.status
  return attempt.connectionIds.every((id) => outcomes[id] === "done") ? "succeeded" : "failed"
}

/**
 * @example
 * attemptWithOutcome(sent, "link-1", "done", "2026-11-22T10:05:00.000Z")
 * // { ...sent, status: "succeeded", outcomes: { "link-1": "done" }, resolvedAt: "2026-11-22T10:05:00.000Z" }
 */
export const attemptWithOutcome = (
  attempt: Attempt, connectionId: string, status: TaskStatus, at: string
): Attempt | IllegalTransition | StoreError => {
  if (!attempt.connectionIds.includes(connectionId)) {
    return new StoreError({ operation: "recordOutcome", message: `attempt ${attempt.id} does not include connection ${connectionId}` })
  }
  if (!TERMINAL_STATUSES.has(status)) return new StoreError({ operation: "recordOutcome", message: `${status} is not a final task status` })
  if (attempt.outcomes[connectionId] !== undefined) return attempt
  const outcomes = { ...attempt.outcomes, [connectionId]: status }
  const next = outcomeStatus(attempt, outcomes)
  if (attempt.status === "rejected" || (next !== attempt.status && !canTransition(attempt.status, next))) {
    return new IllegalTransition({ attemptId: attempt.id, from: attempt.status, to: next })
  }
  // Outcomes can arrive out of order: the attempt was resolved when its latest one arrived.
  const resolvedAt = attempt.resolvedAt !== null && Date.parse(attempt.resolvedAt) > Date.parse(at) ? attempt.resolvedAt : at
  return { ...attempt, status: next, outcomes, resolvedAt }
}
