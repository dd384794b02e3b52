/**
 * The `Store` service: everything Recert keeps, on SQLite or Postgres. It is a superset of core's
 * `RenewalStore` port (which `SqlStore.layer` also provides), plus what the scheduler and the
 * admin CLI need around it: migrations, seeding and import, due-case streaming, the decision audit
 * log, job leases and the webhook inbox. This file is the service's definition and its types
 * only; the implementation is sql-store.ts, which imports this file and never the reverse (the
 * record types live beside the operation that owns them, under ops/, and are re-exported here).
 *
 * @example
 * import { Effect, Redacted } from "effect"
 * import { SqlStore, Store } from "@recert/store"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* Store
 *   const due = yield* store.countDue("2026-12-31T00:00:00Z")
 *   console.log(`${due} case(s) due`)
 * })
 * await Effect.runPromise(program.pipe(Effect.provide(SqlStore.layer({
 *   url: ".recert/recert.sqlite",                     // or "postgres://postgres@127.0.0.1:5432/recert"
 *   encryptionKey: Redacted.make(process.env.RECERT_ENCRYPTION_KEY ?? "")
 * }))))
 */
import type {
  OutboxEvent, OutboxEventDraft, Attempt, BaselineInput, Case, CaseContact, CaseInput, CaseResult, CaseNotFound, CaseSnapshot, Decision, InvalidInput, LatestVerification, LineageInput,
  QueuedVerification, RenewalStore, StoreError, ValidityEstimate
} from "@recert/core"
import { Context, type Effect, type Redacted, type Stream } from "effect"
import type { DialectName } from "./dialect/adapter.js"
import type { OwnWritesRead } from "./ops/transition-attempt.js"
import type { CaseCloseRefused, CaseRemovalRefused, ImportFailed, LeaseLost, SchemaTooNew } from "./errors.js"
import type { MigrationReport, SchemaVersion } from "./migrate.js"
import type { ClaimedWebhookEvent, ClaimWebhookEventsOptions } from "./ops/claim-webhook-events.js"
import type { BulkItem } from "./ops/insert-bulk.js"
import type { TruvImportCounts } from "./ops/import-from-truv.js"
import type { ImportOptions } from "./ops/import-cases.js"
import type { MoveClosingResult } from "./ops/move-closing.js"
import type { ClaimJobsOptions, Job, JobFailure, JobInput } from "./ops/jobs.js"
import type { DecisionRecord, ListCasesOptions, VerificationQueueEntry } from "./ops/reads.js"
import type { RemovedCase } from "./ops/remove-case.js"
import type { ClosedCase } from "./ops/close-case.js"
import type { RedactionRecord, RedactionReport, RedactOptions } from "./ops/redact.js"
import type { StoreStats } from "./ops/stats.js"
import type { UnloadableCase } from "./ops/unloadable-case.js"
import type { StreamDueOptions } from "./ops/stream-due-cases.js"
import type { LatestVerificationsOptions } from "./ops/verifications.js"
import type { ClaimDeliveriesOptions, ClaimedDelivery, DeliveryFailure, DeliveryRef, DeliveryStatus, DeliveryTarget, ListEventsOptions, OutboxEntry } from "./ops/outbox-deliveries.js"
import type { WebhookEvent, WebhookEventInput } from "./ops/webhook-inbox.js"
import type { LineageMove, LineageMoveResult } from "./ops/lineage-move.js"
import type { CompletionHow } from "./ops/request-completion.js"

export type { ClaimedWebhookEvent, ClaimWebhookEventsOptions } from "./ops/claim-webhook-events.js"
export type { BulkItem } from "./ops/insert-bulk.js"
export type { TruvImportCounts } from "./ops/import-from-truv.js"
export type { ImportOptions } from "./ops/import-cases.js"
export type { ClaimJobsOptions, Job, JobFailure, JobInput } from "./ops/jobs.js"
export type { DecisionRecord, ListCasesOptions, VerificationQueueEntry } from "./ops/reads.js"
export type { RemovedCase } from "./ops/remove-case.js"
export type { ClosedCase } from "./ops/close-case.js"
export type { HeldPiece, RedactedPiece, RedactionRecord, RedactionReport, RedactOptions, RedactScope } from "./ops/redact.js"
export type { StoreHooks } from "./ops/reserve.js"
export type { StoreStats } from "./ops/stats.js"
export type { StreamDueOptions } from "./ops/stream-due-cases.js"
export type { LatestVerificationsOptions } from "./ops/verifications.js"
export type { ClaimDeliveriesOptions, ClaimedDelivery, DeliveryFailure, DeliveryRef, DeliveryStatus, DeliveryTarget, ListEventsOptions, OutboxEntry } from "./ops/outbox-deliveries.js"
export type { UnloadableCase } from "./ops/unloadable-case.js"
export type { WebhookEvent, WebhookEventInput } from "./ops/webhook-inbox.js"
export type { LineageMove, LineageMoveResult } from "./ops/lineage-move.js"
export type { CompletionHow } from "./ops/request-completion.js"
export type { StoreOptions } from "./store-options.js"

type Port = RenewalStore["Service"]

export interface StoreShape extends Port {
  readonly dialect: DialectName

  // Migrations
  /** Applies pending migrations (idempotent). Fails with `SchemaTooNew` on a newer database. */
  migrate(): Effect.Effect<MigrationReport, SchemaTooNew | StoreError>
  schemaVersion(): Effect.Effect<SchemaVersion, StoreError>

  // Seeding and import
  /** Inserts a lineage with its connections; every connection needs its access token (encrypted here). */
  insertLineage(lineage: LineageInput, accessTokens: Readonly<Record<string, Redacted.Redacted<string>>>): Effect.Effect<void, InvalidInput | StoreError>
  /**
   * Inserts cases in chunked multi-row inserts, in one transaction. Returns the number inserted.
   * A case may carry the baseline an import supplied (core's `Baseline`; `importedBaseline` reads it).
   */
  insertCases(cases: ReadonlyArray<CaseInput & { readonly baseline?: BaselineInput | null }>): Effect.Effect<number, InvalidInput | StoreError>
  /** Lineages, tokens and cases in bulk (seeding, benchmarks), one transaction per call. */
  insertBulk(items: ReadonlyArray<BulkItem>): Effect.Effect<void, InvalidInput | StoreError>
  /**
   * Imports cases from a CSV (header `id,dueAt,cycle,rootOrderId,product,lastVerifiedAt`) or a
   * JSON array. All or nothing: any problem and nothing is written; `ImportFailed.issues` gives
   * every problem's line and field. `options.reach`: the deployment's reach mode, whose needs each
   * row's client contact must meet (`missingAtImport`; absent: none checked). Contacts are stored
   * encrypted (`caseContact` reads one).
   */
  importCases(contents: string, format: "csv" | "json", options?: ImportOptions): Effect.Effect<{ readonly imported: number }, ImportFailed | StoreError>
  /**
   * Onboarding from Truv: imports a case file whose `rootOrderId`s are any Truv order ids, with
   * the lineages built from Truv's answers (`lineages`, tokens encrypted here) and each order id's
   * root (`rootOf`). One transaction, all or nothing; lineages and cases already stored on the
   * same root are kept, so importing again writes nothing (ops/import-from-truv.ts).
   */
  importCasesFromTruv(
    contents: string, format: "csv" | "json",
    onboarding: {
      readonly lineages: ReadonlyArray<Omit<BulkItem, "cases">>
      readonly rootOf: Readonly<Record<string, string>>
      /** The client's contact each root order carries (the file's columns win field by field). */
      readonly contacts?: Readonly<Record<string, CaseContact>>
    },
    options?: ImportOptions
  ): Effect.Effect<TruvImportCounts, ImportFailed | InvalidInput | StoreError>

  // Reading
  getCase(caseId: string): Effect.Effect<Case, CaseNotFound | StoreError>
  listCases(options: ListCasesOptions): Effect.Effect<ReadonlyArray<Case>, StoreError>
  /** Snapshots of the cases due by `until`, in (dueAt, id) order, a page at a time (constant memory). */
  streamDueCases(options: StreamDueOptions): Stream.Stream<CaseSnapshot, StoreError>
  /**
   * Like `streamDueCases`, with each case that cannot be loaded (a bad imported row) as an
   * `UnloadableCase` in its place: the pass and the listings report it and go on with the others.
   */
  streamDueCaseLoads(options: StreamDueOptions): Stream.Stream<CaseSnapshot | UnloadableCase, StoreError>
  countDue(until: string): Effect.Effect<number, StoreError>
  ledgerForCase(caseId: string): Effect.Effect<ReadonlyArray<Attempt>, CaseNotFound | StoreError>
  ledgerForConnection(connectionId: string): Effect.Effect<ReadonlyArray<Attempt>, StoreError>
  listVerificationQueue(options?: { readonly includeResolved?: boolean }): Effect.Effect<ReadonlyArray<VerificationQueueEntry>, StoreError>
  /** Legacy: the `case_results` rows `saveResult` wrote before verifications (kept readable). */
  listResults(caseId: string): Effect.Effect<ReadonlyArray<CaseResult>, StoreError>
  /**
   * Every case's latest verification (`recert results`), in case-id order, keyset-paged
   * (`afterCaseId`), filtered in SQL: `review` keeps cases whose latest is `review`, `since`
   * those whose latest was verified at or after the instant.
   */
  latestVerifications(options: LatestVerificationsOptions): Effect.Effect<ReadonlyArray<LatestVerification>, StoreError>
  decisionsForCase(caseId: string, limit?: number): Effect.Effect<ReadonlyArray<DecisionRecord>, StoreError>
  stats(options: { readonly since: string }): Effect.Effect<StoreStats, StoreError>
  /**
   * The attempts this store (this process: one writer per opened store) gave their `sent` or an
   * outcome, among those written at or after `since` (ms, `updated_at`: the writer's clock), each
   * with `ownWrites`, and the newest `updated_at` among them (issue 15): a
   * process's counts learn from it the writes whose call failed although they landed.
   */
  attemptsWrittenHere(since: number): Effect.Effect<OwnWritesRead, StoreError>
  /** Validity learned from the ledger, per (provider, auth kind) (ops/validity-estimates.ts): computed now, not cached. */
  validityEstimates(): Effect.Effect<ReadonlyArray<ValidityEstimate>, StoreError>
  /**
   * Recomputes the learned validity and keeps it for `reserve`'s decisions (`DecisionInput.validity`)
   * until the next refresh; the scheduler calls it once per pass. Before the first call `reserve`
   * decides without it (the learning rule is then silent).
   */
  refreshValidityEstimates(): Effect.Effect<ReadonlyArray<ValidityEstimate>, StoreError>

  // Writing
  recordDecision(caseId: string, decision: Decision, inputsDigest: string): Effect.Effect<void, StoreError>
  rescheduleCase(caseId: string, nextDueAt: string, lastVerifiedAt: string | null): Effect.Effect<void, CaseNotFound | StoreError>
  /**
   * Moves a lender case's closing date (`YYYY-MM-DD`, validated by the caller) and its due date with
   * it (ops/move-closing.ts); the planner re-plans the case. A missing case or one without a closing
   * date is a value, not an error.
   */
  moveClosing(caseId: string, closingDate: string): Effect.Effect<MoveClosingResult, StoreError>
  /**
   * Removes a case and what only it owns (remove-case.ts). `CaseRemovalRefused` while an attempt
   * of the case is in flight, or when its ledger also limits another case of the same lineage.
   */
  removeCase(caseId: string): Effect.Effect<RemovedCase, CaseNotFound | CaseRemovalRefused | StoreError>
  /**
   * Closes a case (ops/close-case.ts): never due again, its open verification requests resolved
   * `canceled` (cancel them at Truv first), its pending jobs removed, its retention clock started.
   * Closing a closed case changes nothing. `CaseCloseRefused` while a refresh of it is in flight.
   */
  closeCase(caseId: string, reason: string | null): Effect.Effect<ClosedCase, CaseNotFound | CaseCloseRefused | StoreError>

  // Retention (issue 19)
  /**
   * Redacts, at the Clock's now, the personal data the scope names whose clock allows it and that
   * nothing holds (ops/redact.ts; the redactors in retention/redactors.ts); `dryRun` writes nothing.
   *
   * @example
   * const report = yield* store.redact({ scope: { policy: DEFAULT_RETENTION_POLICY }, reason: "retention policy", dryRun: false })
   */
  redact(options: RedactOptions): Effect.Effect<RedactionReport, CaseNotFound | StoreError>
  /** The case's redactions, oldest first: what is gone, when and why. */
  redactionsForCase(caseId: string): Effect.Effect<ReadonlyArray<RedactionRecord>, StoreError>
  /** Sets a lineage's status (e.g. `finalized` on Truv's order-finalized webhook). */
  setLineageStatus(rootOrderId: string, status: "open" | "canceled" | "expired" | "finalized"): Effect.Effect<void, StoreError>

  // Jobs and leases
  /** Inserts jobs (a job whose `key` exists is skipped). Returns the number inserted. */
  enqueueJobs(jobs: ReadonlyArray<JobInput>): Effect.Effect<number, StoreError>
  /** Leases up to `limit` runnable jobs of `kind` for `leaseMs` (expired leases are claimable again). */
  claimJobs(options: ClaimJobsOptions): Effect.Effect<ReadonlyArray<Job>, StoreError>
  completeJob(jobId: string, workerId: string): Effect.Effect<void, LeaseLost | StoreError>
  /** Records the error and schedules a retry with capped exponential backoff and jitter (or gives up). */
  failJob(jobId: string, workerId: string, error: string): Effect.Effect<JobFailure, LeaseLost | StoreError>
  /** Gives a lease back without counting a failure (graceful shutdown). */
  releaseJob(jobId: string, workerId: string): Effect.Effect<void, LeaseLost | StoreError>
  /** Clears expired leases so they show as free (claimJobs also takes them). Returns the number cleared. */
  reclaimExpiredLeases(): Effect.Effect<number, StoreError>
  /**
   * Extends the caller's lease on a running job to now + `leaseMs` (a job longer than its lease
   * renews it while it runs). Returns the new `lockedUntil`; `LeaseLost` (nothing written) when
   * `workerId` no longer holds the lease (another worker claimed the job, or it is done).
   */
  renewLease(jobId: string, workerId: string, leaseMs: number): Effect.Effect<string, LeaseLost | StoreError>

  // Durable follow-ups
  /**
   * Final attempts (`succeeded`/`failed`) whose follow-up was not marked done (`markFollowedUp`)
   * and that became final before `before` (an ISO instant), oldest first, at most `limit`
   * (default 1000): what a worker killed between recording an outcome and finishing its
   * follow-up left behind.
   */
  pendingFollowUps(before: string, limit?: number): Effect.Effect<ReadonlyArray<{ readonly caseId: string; readonly attempt: Attempt }>, StoreError>
  /**
   * Marks the follow-up of a final attempt done (idempotent: the first mark's instant is kept) and,
   * in the same transaction, enqueues `then` (the follow-up's retry renewal, keyed by the attempt).
   */
  markFollowedUp(attemptId: string, then?: ReadonlyArray<JobInput>): Effect.Effect<void, StoreError>

  // Webhook inbox
  insertWebhookEvent(event: WebhookEventInput): Effect.Effect<"inserted" | "duplicate", StoreError>
  /**
   * Unprocessed events, oldest `updatedAt` first; `includeWaiting: false` leaves out the events
   * waiting for something that can apply them (`deferWebhookEvent`). Default: all.
   */
  pendingWebhookEvents(limit: number, options?: { readonly includeWaiting?: boolean }): Effect.Effect<ReadonlyArray<WebhookEvent>, StoreError>
  /** Marks an event processed, unfenced (single worker). Workers sharing the inbox use `completeWebhookEvent`. */
  markWebhookProcessed(webhookId: string, result: string): Effect.Effect<void, StoreError>
  /**
   * Leases up to `limit` unprocessed events to `workerId` for `leaseMs`, oldest `updatedAt` first.
   * Concurrent claimers (workers, processes) never get the same event while its lease lives;
   * events whose lease expired (a crashed worker) are claimable again.
   *
   * @example
   * const events = yield* store.claimWebhookEvents({ workerId: "w1", limit: 50, leaseMs: 60_000 })
   * for (const e of events) yield* store.completeWebhookEvent(e.webhookId, "w1", "applied")
   */
  claimWebhookEvents(options: ClaimWebhookEventsOptions): Effect.Effect<ReadonlyArray<ClaimedWebhookEvent>, StoreError>
  /** Marks a claimed event processed, fenced: `LeaseLost` (nothing written) when `workerId` no longer holds a live lease on it. */
  completeWebhookEvent(webhookId: string, workerId: string, result: string): Effect.Effect<void, LeaseLost | StoreError>
  /** Gives a claimed event back unprocessed (graceful shutdown); `LeaseLost` when the lease is not held. */
  releaseWebhookEvent(webhookId: string, workerId: string): Effect.Effect<void, LeaseLost | StoreError>
  /**
   * Gives a claimed event back unprocessed, waiting: not claimable before `until` (ISO), `note`
   * (why it waits) kept in its `result` for people. `LeaseLost` when the lease is not held.
   */
  deferWebhookEvent(webhookId: string, workerId: string, until: string, note: string): Effect.Effect<void, LeaseLost | StoreError>
  /** Makes every waiting event claimable now (a pass's recovery); returns how many. */
  wakeWaitingWebhookEvents(): Effect.Effect<number, StoreError>

  // Client requests followed to their end (issue 16: ops/request-completion.ts, ops/lineage-move.ts)
  /** The new-order request whose order is `orderId` (an open one first, else the newest resolved), or null. */
  requestForOrder(orderId: string): Effect.Effect<QueuedVerification | null, StoreError>
  /** The open Bridge update-mode requests covering `connectionId`, oldest first. */
  openRequestsForConnection(connectionId: string): Effect.Effect<ReadonlyArray<QueuedVerification>, StoreError>
  /** Open new-order requests with a Truv order, created before `createdBefore` (ISO), oldest first, at most `limit` (default 500). */
  openOrderRequests(createdBefore: string, limit?: number): Effect.Effect<ReadonlyArray<QueuedVerification>, StoreError>
  /**
   * Marks the request completed at `at` (ISO) with its `case.client-action-completed` event, one
   * transaction; `how` the client came back. False (nothing written) when already resolved or unknown.
   */
  completeRequest(requestId: number, at: string, how: CompletionHow): Effect.Effect<boolean, StoreError>
  /** Points the case at a new order's lineage (access tokens encrypted here), fenced on its current root. */
  moveLineage(move: Omit<LineageMove, "lineage"> & { readonly lineage: LineageInput }): Effect.Effect<LineageMoveResult, InvalidInput | StoreError>

  // Outbox (issue 17): events for the agency's system and their deliveries
  /**
   * Appends an event in a transaction of its own, at the Clock's now. A change made by a store
   * operation appends its event inside the change's own transaction instead, with
   * `appendOutboxEvent(trx, draft, now)` (ops/outbox.ts): that is the API for new state changes
   * (e.g. `case.escalated`); this method is for events that have no store change of their own.
   *
   * @example
   * yield* store.appendEvent(caseEscalatedEvent("case-17", "three links unanswered", "call the client"))
   */
  appendEvent(draft: OutboxEventDraft): Effect.Effect<OutboxEvent, StoreError>
  /** Creates the deliveries each destination owes for events appended since it last looked; returns how many. */
  fanOutDeliveries(targets: ReadonlyArray<DeliveryTarget>): Effect.Effect<number, StoreError>
  /** Leases up to `limit` runnable deliveries of a destination (each the earliest open one of its case). */
  claimDeliveries(options: ClaimDeliveriesOptions): Effect.Effect<ReadonlyArray<ClaimedDelivery>, StoreError>
  /** Marks a leased delivery delivered with the answer's status; `LeaseLost` when `workerId` no longer holds it. */
  completeDelivery(ref: DeliveryRef, workerId: string, status: number): Effect.Effect<void, LeaseLost | StoreError>
  /** Records a failed try: retried at `retryAt` (epoch ms), or dead-lettered when it is null. */
  failDelivery(ref: DeliveryRef, workerId: string, failure: DeliveryFailure): Effect.Effect<void, LeaseLost | StoreError>
  /** Gives a lease back without counting the try (graceful shutdown). */
  releaseDelivery(ref: DeliveryRef, workerId: string): Effect.Effect<void, LeaseLost | StoreError>
  /** Owes deliveries again from now with a fresh schedule: one event's, or (`failed`) every dead letter. Returns how many. */
  redeliver(options: { readonly eventId?: string; readonly failed?: boolean }): Effect.Effect<number, StoreError>
  /** Events newest first with their deliveries, by case, or only those with a dead letter. */
  listEvents(options: ListEventsOptions): Effect.Effect<ReadonlyArray<OutboxEntry>, StoreError>
  /** The outbox's size and its deliveries by destination and status. */
  deliveryCounts(): Effect.Effect<{ readonly events: number; readonly byDestination: Readonly<Record<string, Record<DeliveryStatus, number>>> }, StoreError>
}

/** The store's service tag; `SqlStore.layer` (sql-store.ts) provides it, with core's `RenewalStore`. */
export class Store extends Context.Service<Store, StoreShape>()("@recert/store/Store") {}
