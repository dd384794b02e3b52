/**
 * Renewing one case: load its snapshot, ask core what to do, and act. Refreshes go through
 * `RenewalStore.reserve` (re-decided inside the store's transaction, so two workers never both
 * pass) and `sendRefresh`; everything else is decided without calling refresh at all, because
 * every refresh is billed and a refresh the rules predict to fail is waste.
 *
 * | verdict | action | case outcome |
 * |---|---|---|
 * | refresh | reserve, send | `in-flight` (outcome later), or the rejection's outcome |
 * | reauthenticate | Bridge update-mode token (new order without a Truv user) | `reauth-queued` |
 * | new-order, closed lineage | new order with the same order_number | `new-order-queued` |
 * | either, the case escalated to a caseworker in its cycle, or its client contact lacking what the reach needs (escalated now, once) | nothing asked | `denied` |
 * | wait for a refresh still in flight | follow that refresh (its poll), renew again at `nextEligibleAt` | `in-flight` (`unknown`) |
 * | wait | renew again at `nextEligibleAt` | `waiting` / `retry-later` |
 * | deny | nothing sent | `denied` |
 *
 * A link still open from an earlier pass is not asked again (a Bridge token within its 6 h
 * validity, a new order until Truv's expiry or until resolved; see queue-verification.ts): the outcome is the same,
 * with `alreadyQueuedAt` and "link already queued at <instant>" in `why`.
 */
import {
  type AttemptNotFound, type AttemptStatus, type CaseNotFound, type Decision, type IllegalTransition, planCase, Policy, type Reason,
  RenewalStore, type CaseSnapshot, type StoreError, type TruvError, type TruvGateway
} from "@recert/core"
import { Clock, Effect } from "effect"
import { CaseProgress } from "./case-progress.js"
import type { CaseOutcome } from "./outcome.js"
import { productOf } from "./product.js"
import { queueVerification, type VerificationQueued } from "./queue-verification.js"
import { type SendResult, sendRefresh } from "./send-refresh.js"

export interface RenewResult {
  readonly caseId: string
  readonly outcome: CaseOutcome
  /** One sentence: why. */
  readonly why: string
  /** For `in-flight`/`unknown`: the attempt to follow. */
  readonly attemptId: string | null
  readonly orderId: string | null
  /** For `unknown` from this renewal's own send: Truv answered 500/501 (done with the request; see `SendResult`). */
  readonly answered?: boolean
  /** When to renew again (retry, rate window), if known. */
  readonly renewAt: string | null
  /** Refresh verifications this request will bill / use from the GSE quota (when sent). */
  readonly billed: number
  readonly free: number
  /** Truv rejected the refresh for its 24 h limit: the ledger was wrong. */
  readonly limitViolation: boolean
  /**
   * `reauth-queued` / `new-order-queued` asked nothing of Truv: every link the decision asks for
   * was already queued and still open (`queueVerification`); when the newest was queued. Else null.
   */
  readonly alreadyQueuedAt: string | null
  /**
   * The case waits for a refresh of an earlier renewal still in flight (`refresh.in-flight`): that
   * attempt, as the store has it now. The case is `in-flight` (`unknown` for an attempt of unknown
   * fate) until it resolves, not `waiting`: its outcome is that refresh's, and the caller follows
   * it (a poll for a `sent` one). Null otherwise.
   */
  readonly waitsOn: { readonly attemptId: string; readonly orderId: string | null; readonly status: AttemptStatus } | null
}

export type RenewError = StoreError | CaseNotFound | AttemptNotFound | IllegalTransition | TruvError

const result = (caseId: string, outcome: CaseOutcome, why: string, extra: Partial<RenewResult> = {}): RenewResult => ({
  caseId, outcome, why, attemptId: null, orderId: null, renewAt: null, billed: 0, free: 0, limitViolation: false, alreadyQueuedAt: null, waitsOn: null, ...extra
})

const firstReason = (d: Decision): string =>
  (d.reasons[0] ?? d.connections.flatMap((c) => c.reasons)[0])?.message ?? d.verdict

const connectionsWith = (d: Decision, verdict: Decision["verdict"]): Array<string> =>
  d.connections.filter((c) => c.verdict === verdict).map((c) => c.connectionId)

const reasonCode = (d: Decision, connectionIds: ReadonlyArray<string>): string =>
  d.connections.find((c) => connectionIds.includes(c.connectionId))?.reasons.find((r) => r.code !== "billing")?.code ?? d.verdict

/**
 * One pass of the workflow over one case. Records the case's outcome in `CaseProgress`.
 * `preloaded`: a snapshot the caller read moments ago (the run's due-case stream), to spare one
 * read: it only pre-filters (`planCase`) and supplies the lineage's stable fields; `reserve`
 * re-reads and re-decides inside its transaction, so a stale one never lets a refresh through.
 */
export const renewCase = (caseId: string, preloaded?: CaseSnapshot): Effect.Effect<RenewResult, RenewError, RenewalStore | TruvGateway | CaseProgress> =>
  Effect.gen(function*() {
    const r = yield* decideAndAct(caseId, preloaded)
    const progress = yield* CaseProgress
    // The refresh it waited for was resolved meanwhile: that refresh's follow-up reports the case.
    const resolved = r.waitsOn !== null && (r.waitsOn.status === "succeeded" || r.waitsOn.status === "failed")
    if (!resolved) yield* progress.caseOutcome(caseId, r.outcome)
    if (r.renewAt !== null) yield* progress.renewLater(caseId, r.renewAt)
    return r
  }).pipe(Effect.withSpan("renewCase", { attributes: { caseId } }))

const decideAndAct = (caseId: string, preloaded: CaseSnapshot | undefined) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const snapshot = preloaded ?? (yield* store.loadSnapshot(caseId))
    const now = yield* Clock.currentTimeMillis
    const planned = planCase({ ...snapshot, ledger: [...snapshot.ledger] }, now, yield* Policy)
    if (planned.decision === null) return result(caseId, "nothing", planned.why)
    const product = productOf(snapshot)
    const { decision, attempt, notNeeded } = yield* store.reserve({ caseId, product, oncePerCycle: true })
    // Another worker re-verified the case since our snapshot: nothing to send, nothing to ask.
    if (notNeeded !== undefined) return result(caseId, "nothing", notNeeded)
    // Connections the user must fix are asked for whatever happens to the others.
    const reauth = connectionsWith(decision, "reauthenticate")
    const fresh = connectionsWith(decision, "new-order")
    let asked: CaseOutcome | null = null
    // A link still open from an earlier pass is not asked again (`queueVerification`).
    const queued: Array<VerificationQueued> = []
    if (reauth.length > 0) {
      const q = yield* queueVerification(snapshot, { kind: "bridge-update", connectionIds: reauth, reason: reasonCode(decision, reauth), detail: firstReason(decision) })
      queued.push(q)
      asked = q.kind === "bridge-update" ? "reauth-queued" : "new-order-queued"
    }
    const closed = decision.verdict === "deny" && decision.reasons.some((r) => r.code === "lineage.closed")
    if (fresh.length > 0 || closed) {
      const ids = closed ? decision.connections.map((c) => c.connectionId) : fresh
      queued.push(yield* queueVerification(snapshot, { kind: "new-order", connectionIds: ids, reason: closed ? "lineage.closed" : reasonCode(decision, ids), detail: firstReason(decision) }))
      asked ??= "new-order-queued"
    }
    if (decision.verdict === "refresh" && attempt !== null) {
      return fromSend(caseId, decision, yield* sendRefresh(snapshot, decision, attempt))
    }
    // The case was verified since the snapshot (its client completed a request meanwhile): nothing asked.
    if (asked !== null && queued.every((q) => q.verifiedMeanwhile === true) && decision.verdict !== "refresh") {
      return result(caseId, "nothing", "re-verified meanwhile (the client completed a request): no verification link asked")
    }
    const lacking = queued.flatMap((q) => q.contactMissing ?? [])
    if (asked !== null && lacking.length > 0) {
      // Nothing to send the client: escalated to a caseworker (once; the next passes find it so).
      return result(caseId, "denied", `${firstReason(decision)}; no verification link asked: the case's client contact lacks ${[...new Set(lacking)].join(", ")} (import it with the case); escalated to a caseworker`)
    }
    if (asked !== null && queued.every((q) => q.escalated === true)) {
      // A caseworker has the case in this cycle (replacements used up, or no usable contact): nothing queued.
      return result(caseId, "denied", `${firstReason(decision)}; escalated to a caseworker in this cycle: no verification link asked`)
    }
    if (asked !== null) {
      const already = queued.every((q) => q.created === 0) ? latest(queued.map((q) => q.alreadyQueuedAt)) : null
      return already === null
        ? result(caseId, asked, firstReason(decision))
        : result(caseId, asked, `${firstReason(decision)} (link already queued at ${already})`, { alreadyQueuedAt: already })
    }
    if (decision.verdict === "wait") {
      const inFlight = decision.reasons.find((r) => r.code === "refresh.in-flight")
      if (inFlight !== undefined) return yield* waitingOn(caseId, inFlight, decision.nextEligibleAt)
      const backoff = decision.connections.some((c) => c.reasons.some((r) => r.code === "connection.unavailable"))
      return result(caseId, backoff ? "retry-later" : "waiting", firstReason(decision), { renewAt: decision.nextEligibleAt })
    }
    return result(caseId, "denied", firstReason(decision))
  })

/**
 * The case waits for a refresh still in flight: reported `in-flight` (or `unknown`) with the
 * attempt as the store has it now (the decision's reason names it; the order id, once sent, is
 * read from the ledger), never `waiting`, so the run does not end that refresh's poll.
 */
const waitingOn = (caseId: string, reason: Reason, renewAt: string | null) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const attemptId = String(reason.data["attemptId"])
    const attempt = (yield* store.loadSnapshot(caseId)).ledger.find((a) => a.id === attemptId)
    const status = attempt?.status ?? (reason.data["status"] as AttemptStatus)
    return result(caseId, status === "unknown" ? "unknown" : "in-flight", reason.message, {
      renewAt, waitsOn: { attemptId, orderId: attempt?.orderId ?? null, status }
    })
  })

const latest = (instants: ReadonlyArray<string | null>): string | null =>
  instants.reduce<string | null>((a, b) => (b !== null && (a === null || Date.parse(b) > Date.parse(a)) ? b : a), null)

const fromSend = (caseId: string, decision: Decision, sent: SendResult): RenewResult => {
  switch (sent.kind) {
    case "sent":
      return result(caseId, "in-flight", `refresh sent: order ${sent.orderId}`, {
        attemptId: sent.attempt.id, orderId: sent.orderId,
        billed: decision.cost.billedVerifications, free: decision.cost.freeVerifications
      })
    case "unknown":
      return result(caseId, "unknown", `refresh outcome unknown (${sent.message}); reconciling from the lineage`, { attemptId: sent.attempt.id, answered: sent.answered })
    case "rejected":
      if (sent.rejection === "refresh-limit") return result(caseId, "limit-rejected", `Truv refused: ${sent.message}`, { limitViolation: true })
      if (sent.rejection === "throttled" || sent.rejection === "not-sent") return result(caseId, "waiting", `not sent (${sent.rejection}); renew at ${sent.retryAt}`, { renewAt: sent.retryAt })
      return result(caseId, "failed", `Truv refused the refresh: ${sent.message}`)
  }
}
