/**
 * Moving a verified case to its next due date: shared by a refresh's follow-up (`follow-up.ts`)
 * and a client's completed request (`follow-request.ts`). A module of its own so the request path
 * does not import the refresh path (which queues requests: an import circle).
 */
import { CYCLE_MONTHS, type CaseSnapshot } from "@recert/core"
import { Clock, Effect } from "effect"
import { CaseProgress } from "./case-progress.js"

const addMonths = (iso: string, months: number): string => {
  const d = new Date(iso)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.toISOString()
}

/**
 * Next due = due + cycle, last verified = now. Idempotent: a case already verified at or after
 * `since` (the attempt's instant, or when the client's request was made) is left alone (a second
 * follow-up must not push the due date twice).
 */
export const rescheduleAfter = (snapshot: CaseSnapshot, since: string) =>
  Effect.gen(function*() {
    const progress = yield* CaseProgress
    const c = snapshot.case
    if (c.lastVerifiedAt !== null && Date.parse(c.lastVerifiedAt) >= Date.parse(since)) return
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    const months = CYCLE_MONTHS[c.cycle]
    yield* progress.rescheduleCase(c.id, months === null ? c.dueAt : addMonths(c.dueAt, months), now)
  })
