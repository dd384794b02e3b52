/**
 * The renewal store port: the cases, lineages and ledger the renewal workflow reads and
 * writes. `@recert/store` implements it on SQLite and Postgres; `makeInMemoryRenewalStore`
 * (in-memory-store.ts) serves tests. The one operation that makes the limits safe is `reserve`:
 * it re-reads the ledger, re-decides and inserts a `reserved` attempt in one transaction, so two
 * workers can never both pass the check for the same connection.
 */
import { Context, type Effect, type Redacted, Schema } from "effect"
import type { Attempt, AttemptStatus, Rejection, WrittenAttempt } from "../model/attempt.js"
import type { Case } from "../model/case.js"
import type { CaseContact } from "../model/client-contact.js"
import type { Decision } from "../model/decision.js"
import type { LoanHistory } from "../model/decision-input.js"
import type { Lineage, LineageOrder } from "../model/lineage.js"
import type { Product, TaskStatus } from "../model/primitives.js"
import type { Baseline } from "../results/baseline.js"
import type { ExpiryResult } from "../requests/expiry-outcome.js"
import type { RequestLifecycle, RequestTransitionResult, TransitionOptions } from "../requests/request-record.js"
import type { IllegalRequestTransition, RequestNotFound, RequestState } from "../requests/request-state.js"
import type { VerificationRecord } from "./verification-record.js"

/**
 * What kind of database failure a `StoreError` is, when the store can tell (absent: a bug, a
 * constraint, anything else): `disk-full`, `read-only`, `io` (the disk failed), `busy` (lock
 * contention, a serialization failure), `unavailable` (the database cannot be reached or dropped
 * the connection). The last two are `retryable`: the same call may succeed later, unchanged.
 */
export const StoreErrorReason = Schema.Literals(["disk-full", "read-only", "io", "busy", "unavailable"])
export type StoreErrorReason = typeof StoreErrorReason.Type

export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  operation: Schema.String,
  message: Schema.String,
  reason: Schema.optional(StoreErrorReason),
  /** The driver's own code (`SQLITE_FULL`, Postgres' SQLSTATE `57P01`, `ECONNREFUSED`), when it has one. */
  code: Schema.optional(Schema.String)
}) {
  /** Whether the same call may succeed later unchanged (the database came back, the lock was freed). */
  get retryable(): boolean {
    return this.reason === "busy" || this.reason === "unavailable"
  }
}
export class CaseNotFound extends Schema.TaggedError<CaseNotFound>()("CaseNotFound", {
  caseId: Schema.String
}) {
  override get message(): string {
    return `no case with id "${this.caseId}"`
  }
}
export class AttemptNotFound extends Schema.TaggedError<AttemptNotFound>()("AttemptNotFound", {
  attemptId: Schema.String
}) {
  override get message(): string {
    return `no attempt with id "${this.attemptId}"`
  }
}
/** The attempt state machine refused a transition (see `canTransition`). Nothing was written. */
export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()("IllegalTransition", {
  attemptId: Schema.String,
  from: Schema.String,
  to: Schema.String
}) {
  override get message(): string {
    return `attempt ${this.attemptId}: illegal transition ${this.from} -> ${this.to}`
  }
}

/** Everything one decision about a case reads. */
export interface CaseSnapshot {
  readonly case: Case
  readonly lineage: Lineage
  readonly ledger: ReadonlyArray<Attempt>
  /** A GSE loan's history on the lineages it has left (the GSE quota counts per loan), when it has any. */
  readonly loan?: LoanHistory | undefined
}

/** The result of `reserve`: the decision made inside the transaction, and the attempt if one was inserted. */
export interface Reservation {
  readonly decision: Decision
  /** Present only when the decision was `refresh`; its connections are the request's. */
  readonly attempt: Attempt | null
  /**
   * Set (and no attempt inserted) when the case no longer needs renewing inside the transaction:
   * another worker re-verified it, or it is not due (`renewalNotNeeded`).
   */
  readonly notNeeded?: string
}

/** Fields a transition may set besides the status. */
export interface AttemptPatch {
  readonly orderId?: string
  readonly rejection?: Rejection
  readonly resolvedAt?: string
  readonly gseFree?: boolean
}

/** A request for the user to act: a Bridge update-mode token, or a new order (verification link). */
export interface VerificationRequest {
  readonly caseId: string
  readonly kind: "bridge-update" | "new-order"
  readonly connectionIds: ReadonlyArray<string>
  /** The rule code that sent the case here (e.g. `connection.auth-expired`). */
  readonly reason: string
  readonly detail: string
  readonly bridgeToken: string | null
  readonly shareUrl: string | null
  readonly orderId: string | null
  readonly createdAt: string
  /**
   * The attempt whose follow-up asked (absent or null: asked by a decision, without a refresh).
   * A store keeps one request per attempt, kind and connection ids: a follow-up run again after a
   * crash finds what it already queued (`verificationsForAttempt`) and does not ask twice.
   */
  readonly attemptId?: string | null
}

/**
 * Why a verification request stopped waiting for the user: `superseded` (the scheduler replaced
 * it, e.g. a Bridge token past its 6 h validity) or `handled` (someone dealt with it, e.g. a
 * caseworker).
 */
export type VerificationResolution = "superseded" | "handled"

/**
 * Where a request stored as an intent (`claimVerifications`) stands with Truv: `intent` (stored,
 * Truv not yet asked or its answer not yet known), `created` (Truv's answer recorded: the token or
 * the order), `unknown` (a Bridge token whose answer was lost: it may exist at Truv, and no call
 * can tell; it serves out its 6 h like any token, then is superseded), `completed` (the client
 * came back: the request is resolved, issue 16).
 */
export type VerificationState = "intent" | "created" | "unknown" | "completed"

/** A request as the store keeps it: its id, and whether (when, why) it was resolved. */
export interface QueuedVerification extends VerificationRequest {
  readonly id: number
  readonly resolvedAt: string | null
  /** Why it was resolved; a request ended by its lifecycle (issue 16) also `expired`, `canceled` or `escalated`. */
  readonly resolution: VerificationResolution | "expired" | "canceled" | "escalated" | null
  /**
   * Present on requests stored as intents (issue 15/16; `enqueueVerification`'s have none): our own
   * key, sent to Truv with the call (a new order's `order_number`, a token's `tracking_info`).
   */
  readonly requestKey?: string
  /** With `requestKey`: where it stands with Truv. */
  readonly state?: VerificationState
  /** With `requestKey`: when its Truv call was last about to leave (null: never sent). */
  readonly sentAt?: string | null
  /** With `requestKey`: until when its claimant alone may complete it (null once settled). */
  readonly leaseUntil?: string | null
}

/** What `claimVerifications` shows its `plan`: the case's open requests and the attempt's own (resolved included). */
export interface VerificationsSeen {
  readonly open: ReadonlyArray<QueuedVerification>
  readonly forAttempt: ReadonlyArray<QueuedVerification>
  /**
   * The case's `lastVerifiedAt` as the transaction reads it (null: never; absent: the store does
   * not say). A plan made on an older snapshot asks nothing when the case was verified since: the
   * client completed a request meanwhile (issue 16: the check and the insert one atomic step).
   */
  readonly caseVerifiedAt?: string | null
}

/** A request to store as an intent: the request without Truv's answer (the attempt is the claim's). */
export type VerificationIntent = Omit<VerificationRequest, "bridgeToken" | "shareUrl" | "orderId" | "attemptId">

/** An intent and the caller's claim on it (fences `markVerificationSent` and `settleVerification`). */
export interface ClaimedVerification {
  readonly request: QueuedVerification
  readonly claim: string
}

/**
 * What became of an intent: `created` with Truv's answer; `unknown` (a Bridge token whose answer
 * was lost); `released` (the claimant lets it go, sent or not: the next ask completes it);
 * `forgotten` (Truv provably created nothing: the intent is deleted).
 */
export type VerificationSettlement =
  | { readonly outcome: "created"; readonly bridgeToken: string | null; readonly shareUrl: string | null; readonly orderId: string | null }
  | { readonly outcome: "unknown" }
  | { readonly outcome: "released"; readonly claim: string }
  | { readonly outcome: "forgotten"; readonly claim: string }

/** What `connectionDeleted` recorded. */
export interface DeletedConnection {
  readonly connectionId: string
  /** When the link was deleted: `at`, or the first recorded instant. */
  readonly deletedAt: string
  readonly alreadyDeleted: boolean
  /** The cases on the connection's lineage still open (not closed): each needs the client at its next renewal. */
  readonly openCases: ReadonlyArray<string>
}

/** Refreshed data for the caseworker screen. */
export interface CaseResult {
  readonly caseId: string
  readonly orderId: string
  readonly product: Product
  readonly receivedAt: string
  readonly employmentStatus: string | null
  readonly annualIncome: number | null
  readonly payPeriods: number | null
  readonly data: unknown
}

/**
 * @example
 * const program = Effect.gen(function*() {
 *   const store = yield* RenewalStore
 *   const { decision, attempt } = yield* store.reserve({ caseId: "case-17", product: "income" })
 *   if (attempt === null) return decision.verdict
 *   // ... call Truv, then store.transitionAttempt(attempt.id, "sent", { orderId })
 * })
 */
export class RenewalStore extends Context.Service<RenewalStore, {
  /** The case, its lineage and the lineage's ledger, read consistently. */
  loadSnapshot(caseId: string): Effect.Effect<CaseSnapshot, CaseNotFound | StoreError>
  /**
   * In one transaction: re-read the snapshot, decide at the Clock's `now` with the store's
   * policy configuration, record the decision, and insert a `reserved` attempt for the
   * connections the decision refreshes. No attempt when the verdict is not `refresh`, nor when
   * the case no longer needs renewing (`notNeeded`: already re-verified, or not due).
   */
  reserve(input: {
    readonly caseId: string
    readonly product: Product | null
    /**
     * Renewal semantics (the scheduler's): a refresh of this case that already succeeded in the
     * current cycle makes the case `notNeeded` too, even before its report is stored and the case
     * rescheduled. Without it, only the limits, `lastVerifiedAt` and the due date are checked.
     */
    readonly oncePerCycle?: boolean
  }): Effect.Effect<Reservation, CaseNotFound | StoreError>
  /**
   * Moves an attempt along the state machine; refuses illegal transitions. The attempt returned
   * says whether this store wrote its `sent` (`ownWrites`): a process counts only its own writes.
   */
  transitionAttempt(attemptId: string, to: AttemptStatus, patch?: AttemptPatch): Effect.Effect<WrittenAttempt, AttemptNotFound | IllegalTransition | StoreError>
  /**
   * Records one connection's final task status for an attempt. When every connection of the
   * attempt has one, the attempt becomes `succeeded` (all `done`) or `failed`. Idempotent:
   * the same outcome twice is a no-op; a different one for a resolved connection is kept out.
   * The attempt returned says which outcomes this store wrote (`ownWrites`): when two processes
   * record the same outcome, only the first one's call has it among its own.
   */
  recordOutcome(attemptId: string, connectionId: string, status: TaskStatus, at: string): Effect.Effect<WrittenAttempt, AttemptNotFound | IllegalTransition | StoreError>
  /** The attempt whose refresh created `orderId`, with its case. */
  findAttemptByOrderId(orderId: string): Effect.Effect<{ readonly caseId: string; readonly attempt: Attempt } | null, StoreError>
  /** Adds a refresh order to the end of a lineage's chain (its id becomes the newest). */
  appendOrder(rootOrderId: string, order: LineageOrder): Effect.Effect<void, StoreError>
  /** Updates what we know of a connection from a webhook or a poll. */
  updateConnection(connectionId: string, patch: {
    readonly lastTaskStatus?: TaskStatus
    readonly lastStatusAt?: string
    readonly authenticatedAt?: string
  }): Effect.Effect<void, StoreError>
  /**
   * Truv deleted the link (the `link-deleted` webhook, or our own `DELETE /v1/links/{link_id}/`):
   * the connection is marked deleted at `at` (a second call keeps the first instant), its access
   * token erased (useless now, and a liability), and no refresh nor re-authentication is decided
   * for it again (`connection.deleted`: the client must connect again). Null when no connection of
   * ours has this id.
   */
  connectionDeleted(connectionId: string, at: string): Effect.Effect<DeletedConnection | null, StoreError>
  /** The connection's access token, decrypted, for Truv calls that need it; an error once its link was deleted. */
  accessToken(connectionId: string): Effect.Effect<Redacted.Redacted<string>, StoreError>
  /** Queues the request; a second one with the same `attemptId`, kind and connection ids is not stored. */
  enqueueVerification(request: VerificationRequest): Effect.Effect<void, StoreError>
  /**
   * Issue 16: a request that cannot be made (the case's client contact lacks what the reach mode
   * needs) goes to a caseworker once. In one transaction (the case locked): unless the case is
   * escalated in its cycle already (core's `escalatedInCycle`), `request` is stored (never sent:
   * no key, nothing asked of Truv) and moved `created` → `escalated` with `why`, its `case.escalated`
   * event written with it. False, changing nothing, when the case was escalated already.
   */
  escalateWithoutAsking(request: VerificationIntent, why: string): Effect.Effect<boolean, StoreError>
  /**
   * Issue 15/16: a verification link is asked of Truv only after its intent is stored. In one
   * transaction (the case's requests locked): read the case's open requests and `attemptId`'s own,
   * let `plan` decide from them what to ask, and store each intent it returns (state `intent`, a
   * new `requestKey`, claimed by the caller for `leaseMs`). Two callers for one case run one after
   * the other, so the second sees the first's intents: they never both ask Truv for a connection.
   */
  claimVerifications(input: {
    readonly caseId: string
    readonly attemptId: string | null
    readonly leaseMs: number
    readonly plan: (seen: VerificationsSeen) => ReadonlyArray<VerificationIntent>
  }): Effect.Effect<{ readonly seen: VerificationsSeen; readonly claimed: ReadonlyArray<ClaimedVerification> }, StoreError>
  /**
   * Claims an open intent whose lease has expired (its claimant died, or released it) for
   * `leaseMs`; null, changing nothing, when it is settled, resolved, gone, or its lease is live.
   */
  takeOverVerification(id: number, leaseMs: number): Effect.Effect<ClaimedVerification | null, StoreError>
  /**
   * The claimant is about to call Truv: `sentAt` = now and the lease renewed. False, changing
   * nothing, when the claim is no longer the intent's (it was taken over): then it must not call.
   * The request's life restarts (`createdAt` = now): the link is made now, so its expiry and
   * reminders count from now, as Truv's do (an intent taken over and sent later must not expire
   * here before the link Truv made expires there); `settleVerification` `created`/`unknown` moves
   * it again to Truv's answer (the link exists by then, on Truv's time).
   */
  markVerificationSent(id: number, claim: string, leaseMs: number): Effect.Effect<boolean, StoreError>
  /**
   * Records what became of an intent. `created` and `unknown` apply to an intent whoever holds it
   * (the first answer wins); `released` and `forgotten` only for the claimant. False, changing
   * nothing, when it does not apply (settled already, taken over, gone).
   */
  settleVerification(id: number, settlement: VerificationSettlement): Effect.Effect<boolean, StoreError>
  /** The requests a follow-up of `attemptId` queued (resolved ones included), oldest first. */
  verificationsForAttempt(attemptId: string): Effect.Effect<ReadonlyArray<QueuedVerification>, StoreError>
  /**
   * The case's open requests (not resolved), oldest first (`createdAt`, then id). Before asking
   * Truv for a link, the scheduler reads them: an open request for the same connections is not
   * asked again.
   */
  openVerificationsForCase(caseId: string): Effect.Effect<ReadonlyArray<QueuedVerification>, StoreError>
  /**
   * Resolves an open request at the Clock's now, with why (default `handled`). Returns false,
   * changing nothing, when the request is already resolved or does not exist.
   */
  resolveVerification(id: number, resolution?: VerificationResolution): Effect.Effect<boolean, StoreError>
  /**
   * Issue 16: moves verification request `requestId` along its lifecycle (core's
   * `REQUEST_TRANSITIONS`, applied by `applyRequestTransition`) at `at` (default: the Clock's now)
   * with `reason`, records the transition, and writes its outbox event in the same transaction
   * (`requestTransitionEvent`: `completed` is `case.client-action-completed`, `expired`
   * `verification.expired`, `escalated` `case.escalated`; `notify` makes a reminder a
   * `case.client-reminder-due`). A final state sets `resolvedAt`, so the request is no longer open.
   * `unchanged` (nothing written) when the request already is in that final state, or a reminder
   * is not due at `at` (a repeated or concurrent sweep); `IllegalRequestTransition` for any other
   * move the table does not allow.
   *
   * @example
   * // the completion path, once the client's new order completed:
   * yield* store.transitionRequest(request.id, "completed", "order ord-9 completed", completedAt)
   */
  transitionRequest(requestId: number, to: RequestState, reason: string, at?: string, options?: TransitionOptions): Effect.Effect<RequestTransitionResult, RequestNotFound | IllegalRequestTransition | StoreError>
  /**
   * Expires request `requestId` at the Clock's now if its expiry has passed, in one transaction
   * with the case's requests read (core's `planExpiry` with the store's `requests` policy):
   * `expired` (with whether the case still needs a replacement, up to `maxReplacementsPerCycle`)
   * or, the replacements used up, `escalated` (final; `case.escalated`). `not-due` or `final`
   * (nothing written) otherwise, so workers racing on one request record one outcome.
   */
  expireRequest(requestId: number): Effect.Effect<ExpiryResult, RequestNotFound | StoreError>
  /** Open requests (`sent`, `reminded`) with a reminder or their expiry due at the Clock's now, earliest due first, at most `limit`. */
  dueRequests(limit: number): Effect.Effect<ReadonlyArray<RequestLifecycle>, StoreError>
  /** The case's requests with their lifecycle and transitions, oldest first (`createdAt`, then id). */
  caseRequests(caseId: string): Effect.Effect<ReadonlyArray<RequestLifecycle>, StoreError>
  /** Stores the refreshed data; one result per (case, order): saving it again replaces it. */
  saveResult(result: CaseResult): Effect.Effect<void, StoreError>
  /**
   * Stores a verification, immutable: true when stored, false (changing nothing) when one is
   * already stored for the same (case, order), so a repeated follow-up is harmless.
   */
  saveVerification(verification: VerificationRecord): Effect.Effect<boolean, StoreError>
  /** The case's latest verification (greatest `verifiedAt`, then order id), or null. */
  latestVerification(caseId: string): Effect.Effect<VerificationRecord | null, StoreError>
  /** Every verification of the case, oldest first (`verifiedAt`, then order id). */
  listVerifications(caseId: string): Effect.Effect<ReadonlyArray<VerificationRecord>, StoreError>
  /**
   * The baseline the case import supplied (figures of a verification made outside Recert), or
   * null: none imported, or no such case. The scheduler classifies a case's first verification
   * against it (`assessVerification`'s `importedBaseline`).
   */
  importedBaseline(caseId: string): Effect.Effect<Baseline | null, StoreError>
  /**
   * The client's identity and contact the case import supplied (issue 16; encrypted at rest), or
   * null: none imported, or no such case. Read only to ask Truv for a new order; never logged.
   */
  caseContact(caseId: string): Effect.Effect<Redacted.Redacted<CaseContact> | null, StoreError>
  /** Attempts still `reserved`, `sent` or `unknown` that were made before `before`. */
  unresolvedAttempts(before: string): Effect.Effect<ReadonlyArray<{ readonly caseId: string; readonly attempt: Attempt }>, StoreError>
}>()("@recert/core/RenewalStore") {}
