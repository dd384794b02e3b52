/**
 * Where a case ends after one pass of the workflow. These are the rows of the run report, so the
 * words are the operator's: `refreshed` (new data stored), `reauth-queued` (a Bridge update-mode
 * link is waiting for the user), `new-order-queued`, `waiting` (rate window or a refresh in
 * flight), `retry-later` (provider down: backoff), `denied`, `nothing` (already re-verified),
 * `in-flight` (sent, outcome not known yet), `unknown` (sent, fate unknown: reconciliation pending),
 * `limit-rejected` (Truv refused for its 24 h limit: our ledger was wrong).
 */
import type { AttemptNotFound, CaseNotFound, IllegalTransition, StoreError, TruvError } from "@recert/core"

export const CASE_OUTCOMES = [
  "refreshed", "reauth-queued", "new-order-queued", "waiting", "retry-later", "denied", "nothing",
  "in-flight", "unknown", "limit-rejected", "failed"
] as const
export type CaseOutcome = (typeof CASE_OUTCOMES)[number]

/** Outcomes after which nothing more will happen to the case in this run. */
export const isFinalOutcome = (o: CaseOutcome): boolean => o !== "in-flight" && o !== "unknown"

/** What recording an outcome and its follow-up may fail with (the workflow retries or leaves it to recovery). */
export type OutcomeError = StoreError | AttemptNotFound | IllegalTransition | CaseNotFound | TruvError
