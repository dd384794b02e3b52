/**
 * The request sweep (issue 16): every open verification request whose reminder or expiry is due,
 * handled once. Run at the start of each pass (after recovery) and, in `serve`, every
 * `REQUEST_SWEEP_EVERY_MS` between passes.
 *
 * - A reminder: when Truv sends the link (a new order, reach `truv-sends`, the default), Truv
 *   sends its own reminders (truv-reports-notes §3.3): the sweep records them on their documented
 *   schedule (the policy's `requests.reminders`, which mirrors the Dashboard setting) and sends
 *   nothing. When the agency sends the link (`agency-sends`) or the client re-authenticates in
 *   the agency's Bridge portal, the reminder is a `case.client-reminder-due` event for the agency.
 * - Expiry (`RenewalStore.expireRequest`): Truv is asked first (`expiry-at-truv.ts`): a new order
 *   its client completed is left to its completion (the webhook waiting in the inbox, which a pass
 *   reads after the sweep, or the order's poll), never expired under it; one still open at Truv is
 *   canceled there first (the replacement is then the client's only live link); a Bridge link
 *   re-authenticated since the token (its webhook lost) is followed to the end instead; Truv not
 *   answering leaves the request for the next sweep. Otherwise `expired`,
 *   replaced at once by a new ask for the same connections while the case still needs it
 *   (`queueVerification`, which asks Truv exactly once), up to the configured replacements per
 *   cycle; then `escalated` (final, `case.escalated`), and no ask for the case again in the cycle.
 *   A replacement Truv fails (a 5xx, no answer) is owed: the caller enqueues a renewal of the case
 *   at once (`runner/sweep.ts`), which asks again through the same intent, exactly once at Truv.
 *
 * Idempotent under concurrent workers and re-runs: every step is the store's, guarded (a reminder
 * not due any more, an expiry already recorded, change nothing), and a replacement is the ordinary
 * ask, whose intent is stored under the case's lock: two sweepers replacing one request ask Truv once.
 */
import { ClientReach, type ReachMode, RenewalStore, type RequestLifecycle, type StoreError, type TruvError, type TruvGateway } from "@recert/core"
import { Clock, Effect, Result } from "effect"
import { atTruvAtExpiry, expiresNow } from "./expiry-at-truv.js"
import { queueVerification } from "./queue-verification.js"

/** How the client of a new order is reached: Truv sends the link (and its reminders), or the agency does. */
export type NewOrderReach = "truv-sends" | "agency-sends"

/** Serve's sweep between passes. */
export const REQUEST_SWEEP_EVERY_MS = 5 * 60_000

export interface SweepOptions {
  /** Default `truv-sends` (Truv's government renewal guide). */
  readonly newOrderReach?: NewOrderReach
  /** Requests read per page. Default 200. */
  readonly pageSize?: number
  /**
   * Told of each request expired whose replacement could not be asked now (Truv failed, the
   * store for a moment): the caller owes the case a renewal soon (`runner/sweep.ts`), so the
   * client is not left without a link until the case's next day's renewal.
   */
  readonly onReplaceFailed?: (owed: { readonly caseId: string; readonly requestId: number }) => void
}

export interface SweepCounts {
  /** Reminders Truv sent, recorded (no message from us). */
  truvReminders: number
  /** Reminders handed to the agency as `case.client-reminder-due` events. */
  reminderEvents: number
  expired: number
  replaced: number
  escalated: number
  /** Replacements that Truv refused or could not be asked now (a renewal of the case asks again: `onReplaceFailed`). */
  replaceFailed: number
}

/** Whether a reminder of `r` is ours to hand to the agency (an event) rather than Truv's own. */
export const remindsThroughAgency = (r: Pick<RequestLifecycle, "kind">, reach: NewOrderReach): boolean =>
  r.kind === "bridge-update" || reach === "agency-sends"

const remind = (r: RequestLifecycle, reach: NewOrderReach, counts: SweepCounts) =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const notify = remindsThroughAgency(r, reach)
    const n = r.reminders + 1
    const reason = notify ? `reminder ${n}: the agency reminds the client (case.client-reminder-due)` : `Truv's reminder ${n} (Truv's own schedule; no message from Recert)`
    const done = yield* store.transitionRequest(r.id, "reminded", reason, undefined, { notify }).pipe(
      Effect.catchTags({ RequestNotFound: () => Effect.succeed(null), IllegalRequestTransition: () => Effect.succeed(null) })
    )
    if (done?._tag !== "applied") return
    if (notify) counts.reminderEvents++
    else counts.truvReminders++
  })

const expire = (r: RequestLifecycle, counts: SweepCounts, onReplaceFailed: SweepOptions["onReplaceFailed"]): Effect.Effect<void, StoreError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    // Truv first (expiry-at-truv.ts): a completion or a re-authentication whose webhook was lost
    // is followed, an order still open there is canceled before it is replaced here.
    const atTruv = yield* atTruvAtExpiry(r)
    if (!expiresNow(atTruv)) {
      if (atTruv.kind === "completing") yield* Effect.logInfo("verification request past its expiry not expired: its client completed the order at Truv; the completion follows", { caseId: r.caseId, requestId: r.id })
      if (atTruv.kind === "not-now") yield* Effect.logWarning("verification request past its expiry not expired now: Truv did not answer; the next sweep asks again", { caseId: r.caseId, requestId: r.id, why: atTruv.why })
      return
    }
    const result = yield* store.expireRequest(r.id).pipe(Effect.catchTag("RequestNotFound", () => Effect.succeed(null)))
    if (result === null || result._tag === "not-due" || result._tag === "final") return
    if (result._tag === "escalated") {
      counts.escalated++
      yield* Effect.logInfo("verification request escalated to a caseworker", { caseId: r.caseId, requestId: r.id, reason: result.reason })
      return
    }
    counts.expired++
    if (!result.replace) return
    const snapshot = yield* store.loadSnapshot(r.caseId).pipe(Effect.catchTag("CaseNotFound", () => Effect.succeed(null)))
    if (snapshot === null) return
    const asked = yield* Effect.result(queueVerification(snapshot, { kind: r.kind, connectionIds: r.connectionIds, reason: "request.expired", detail: `replaces request ${r.id}, expired unanswered` }))
    if (Result.isSuccess(asked)) {
      if (asked.success.created > 0) counts.replaced++
      return
    }
    counts.replaceFailed++
    onReplaceFailed?.({ caseId: r.caseId, requestId: r.id })
    yield* Effect.logWarning("replacement of an expired request not asked now; a renewal of the case asks again", { caseId: r.caseId, requestId: r.id, error: errorMessage(asked.failure) })
  })

const errorMessage = (e: TruvError | StoreError): string => e.message

/** Who sends a new order's link under the deployment's reach mode. */
export const newOrderReachOf = (mode: ReachMode): NewOrderReach => mode === "truv-sends" ? "truv-sends" : "agency-sends"

/** Sweeps every due request once (see the top of the file); the counts of what it did. */
export const sweepRequests = (options: SweepOptions = {}): Effect.Effect<SweepCounts, StoreError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    // The deployment's reach (core's `ClientReach`) unless the caller says: under `bridge`, a new
    // order (when Bridge cannot serve) is created with Truv's notifications suppressed, as under `agency-sends`.
    const reach = options.newOrderReach ?? newOrderReachOf(yield* ClientReach)
    const pageSize = options.pageSize ?? 200
    const counts: SweepCounts = { truvReminders: 0, reminderEvents: 0, expired: 0, replaced: 0, escalated: 0, replaceFailed: 0 }
    // Each request at most once per sweep: a step that changed nothing (another worker's) is not retried here.
    const seen = new Set<number>()
    const now = yield* Clock.currentTimeMillis
    for (;;) {
      const page = (yield* store.dueRequests(pageSize)).filter((r) => !seen.has(r.id))
      if (page.length === 0) return counts
      for (const r of page) {
        seen.add(r.id)
        if (r.expiresAt !== null && now >= Date.parse(r.expiresAt)) yield* expire(r, counts, options.onReplaceFailed)
        else yield* remind(r, reach, counts)
      }
    }
  })
