/**
 * The in-memory store's verification request lifecycles (issue 16), beside its queue: per request
 * the lifecycle columns and the transitions, stepped with core's `applyRequestTransition` exactly
 * as the SQL store persists it. The in-memory store has no outbox, so no event is written here.
 */
import { applyRequestTransition, type RequestLifecycleFields, type RequestStep } from "../requests/apply-transition.js"
import type { RequestPolicy } from "../requests/request-policy.js"
import type { RequestLifecycle, RequestTransition } from "../requests/request-record.js"
import type { IllegalRequestTransition, RequestState } from "../requests/request-state.js"
import type { QueuedVerification } from "./renewal-store.js"

const iso = (ms: number | null): string | null => ms === null ? null : new Date(ms).toISOString()

interface Row extends RequestLifecycleFields {
  readonly transitions: Array<RequestTransition>
}

export class InMemoryRequests {
  private readonly rows = new Map<number, Row>()
  constructor(private readonly policy: RequestPolicy) {}

  /** A request just stored: `created`, and `sent` too when `sentReason` is given (stored already created at Truv). */
  created(q: QueuedVerification, at: number, reason: string, sentReason?: string, sentAt: number = at): void {
    this.rows.set(q.id, { state: "created", expiresAt: null, reminders: 0, lastRemindedAt: null, nextDueAt: null, transitions: [{ requestId: q.id, from: null, to: "created", at: iso(at)!, reason }] })
    if (sentReason !== undefined) this.step(q, "sent", sentReason, sentAt)
  }

  forget(id: number): void {
    this.rows.delete(id)
  }

  /** Applies `to` (core's rule) and keeps it; the step, or why not. */
  step(q: QueuedVerification, to: RequestState, reason: string, at: number): RequestStep | IllegalRequestTransition {
    const row = this.rows.get(q.id)!
    const step = applyRequestTransition({ ...row, id: q.id, kind: q.kind, createdAt: Date.parse(q.createdAt) }, to, at, this.policy)
    if (step._tag !== "applied") return step
    this.rows.set(q.id, { ...step.fields, transitions: [...row.transitions, { requestId: q.id, from: row.state, to, at: iso(at)!, reason }] })
    return step
  }

  has(id: number): boolean {
    return this.rows.has(id)
  }

  lifecycle(q: QueuedVerification): RequestLifecycle {
    const r = this.rows.get(q.id)!
    return {
      id: q.id, caseId: q.caseId, kind: q.kind, connectionIds: q.connectionIds, createdAt: q.createdAt, state: r.state,
      expiresAt: iso(r.expiresAt), reminders: r.reminders, lastRemindedAt: iso(r.lastRemindedAt), nextDueAt: iso(r.nextDueAt), transitions: [...r.transitions]
    }
  }

  /** Open requests due at `now`, earliest due first. */
  due(queue: ReadonlyArray<QueuedVerification>, now: number, limit: number): Array<RequestLifecycle> {
    return queue.filter((q) => {
      const r = this.rows.get(q.id)
      return r !== undefined && (r.state === "sent" || r.state === "reminded") && r.nextDueAt !== null && r.nextDueAt <= now
    }).map((q) => this.lifecycle(q)).sort((a, b) => Date.parse(a.nextDueAt!) - Date.parse(b.nextDueAt!) || a.id - b.id).slice(0, limit)
  }
}
