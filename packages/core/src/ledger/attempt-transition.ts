/**
 * One step of the attempt state machine (`canTransition`), as a pure function every store
 * applies before it writes: the next attempt with the patch applied, or `IllegalTransition`
 * (nothing to write). A final status (`succeeded`, `failed`, `rejected`) without an explicit
 * `resolvedAt` is resolved at `now` unless it already was.
 */
import { type Attempt, type AttemptStatus, canTransition } from "../model/attempt.js"
import { toIso } from "../engine/time.js"
import { type AttemptPatch, IllegalTransition } from "../ports/renewal-store.js"

const FINAL: ReadonlySet<AttemptStatus> = new Set(["succeeded", "failed", "rejected"])

/**
 * @example
 * transitionedAttempt(reserved, "sent", { orderId: "ord-2" }, now) // { ...reserved, status: "sent", orderId: "ord-2" }
 * transitionedAttempt(reserved, "succeeded", {}, now)               // IllegalTransition reserved -> succeeded
 */
export const transitionedAttempt = (attempt: Attempt, to: AttemptStatus, patch: AttemptPatch, now: number): Attempt | IllegalTransition => {
  if (!canTransition(attempt.status, to)) return new IllegalTransition({ attemptId: attempt.id, from: attempt.status, to })
  const resolvedAt = patch.resolvedAt ?? (FINAL.has(to) && attempt.resolvedAt === null ? toIso(now) : attempt.resolvedAt)
  return {
    ...attempt,
    status: to,
    resolvedAt,
    ...(patch.orderId !== undefined ? { orderId: patch.orderId } : {}),
    ...(patch.rejection !== undefined ? { rejection: patch.rejection } : {}),
    ...(patch.gseFree !== undefined ? { gseFree: patch.gseFree } : {})
  }
}
