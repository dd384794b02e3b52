/**
 * The `Store` service: everything Recert keeps, on SQLite or Postgres. It is a superset of core's
 * `RenewalStore` port (which `Store.layer` also provides), plus what the scheduler and the admin
 * CLI need around it: migrations, seeding and import, due-case streaming, the decision audit log,
 * job leases and the webhook inbox.
 *
 * @example
 * import { Effect, Redacted } from "effect"
 * import { Store } from "@recert/store"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* Store
 *   const due = yield* store.countDue("2026-12-31T00:00:00Z")
 *   console.log(`${due} case(s) due`)
 * })
 * await Effect.runPromise(program.pipe(Effect.provide(Store.layer({
 *   url: ".recert/recert.sqlite",                     // or "postgres://postgres@127.0.0.1:5432/recert"
 *   encryptionKey: Redacted.make(process.env.RECERT_ENCRYPTION_KEY ?? "")
 * }))))
 */
import type {
  Attempt, Case, CaseInput, CaseResult, CaseNotFound, CaseSnapshot, Decision, InvalidInput, LineageInput, PolicyConfig,
  QueuedVerification, RenewalStore, StoreError
} from "@recert/core"
import { Context, type Effect, type Layer, type Redacted, type Stream } from "effect"
import type { DialectName } from "./dialect/adapter.js"
import type { EncryptionKeyInvalid, ImportFailed, LeaseLost, SchemaTooNew } from "./errors.js"
import { storeLayer } from "./layer.js"
import type { MigrationReport, SchemaVersion } from "./migrate.js"

export interface StoreOptions {
  /**
   * A SQLite file path (or `:memory:`), or a `postgres://` / `postgresql://` URL.
   * Default: `DATABASE_URL` when set, else `.recert/recert.sqlite`.
   */
  readonly url?: string
  /** 32 bytes as hex or base64 (from `RECERT_ENCRYPTION_KEY`). Missing or malformed: `EncryptionKeyInvalid` at startup. */
  readonly encryptionKey: Redacted.Redacted<string> | undefined
  /** The policy `reserve` decides with. Default: core's `DEFAULT_POLICY_CONFIG`. */
  readonly policy?: PolicyConfig
  /** Postgres only: the schema to use (created by `migrate`). Default `public`. */
  readonly schema?: string
  /** Postgres only: pool size. Default 10. */
  readonly poolSize?: number
  /** Run pending migrations when the layer starts. Default true. */
  readonly migrate?: boolean
  /** Test hooks (crash tests). Not for production use. */
  readonly hooks?: StoreHooks
}

export interface StoreHooks {
  /** Runs inside reserve's transaction, after the attempt's insert and before commit. */
  readonly insideReserve?: () => Promise<void>
}

/** A case joined with nothing: the row as core's `Case`. */
export interface ListCasesOptions {
  readonly limit: number
  /** Keyset cursor: cases with id greater than this. */
  readonly afterId?: string
}

export interface StreamDueOptions {
  /** Cases with `dueAt <= until` (an ISO instant). */
  readonly until: string
  /** Cases per page (one page = 4 queries). Default 500. */
  readonly pageSize?: number
}

/** A verification-queue entry: core's request with its id and resolution (`QueuedVerification`). */
export type VerificationQueueEntry = QueuedVerification

export interface DecisionRecord {
  readonly id: number
  readonly caseId: string
  readonly at: string
  readonly policyVersion: string
  readonly inputsDigest: string
  readonly decision: Decision
}

export interface StoreStats {
  readonly since: string
  /** Decisions made since `since`, by verdict, counting each case once (its latest decision). */
  readonly casesByVerdict: Readonly<Record<string, number>>
  /** Attempts made since `since`, by status. */
  readonly attemptsByStatus: Readonly<Record<string, number>>
  /** Connection refreshes Truv accepted (or may have) that are billed / free under the GSE quota. */
  readonly refreshesBilled: number
  readonly refreshesFree: number
  /** Attempts Truv rejected with the refresh-limit error. */
  readonly limitRejections: number
  /** Open entries of the verification queue (any age). */
  readonly verificationQueueOpen: number
}

export interface JobInput {
  readonly kind: string
  readonly payload: unknown
  /** De-duplication key: a job with the same key already in the table wins. */
  readonly key?: string
  /** Default: now. */
  readonly runAt?: string
  /** Default 5. */
  readonly maxAttempts?: number
}

export interface Job {
  readonly id: string
  readonly kind: string
  readonly key: string | null
  readonly payload: unknown
  readonly attempts: number
  readonly maxAttempts: number
  readonly runAt: string
  readonly lockedBy: string | null
  readonly lockedUntil: string | null
  readonly lastError: string | null
}

export interface ClaimJobsOptions {
  readonly workerId: string
  readonly kind: string
  readonly limit: number
  readonly leaseMs: number
}

/** What `failJob` recorded: the retry instant and delay, or `null` when the job is out of attempts. */
export interface JobFailure {
  readonly retryAt: string | null
  readonly backoffMs: number | null
}

export interface WebhookEventInput {
  readonly webhookId: string
  readonly eventType: string
  /** The raw body exactly as received (its signature was computed over these bytes). */
  readonly body: string
  readonly receivedAt: string
  /** Truv's `updated_at`, used to order events that arrive out of order. */
  readonly updatedAt: string
  /**
   * The event's result when the receiver already knows that processing it would change nothing
   * (an event type with no outcome): it is stored processed at `receivedAt`, in the same insert,
   * and never claimed. Absent: stored pending, for a worker to claim.
   */
  readonly processedResult?: string
}

export interface WebhookEvent extends Omit<WebhookEventInput, "processedResult"> {
  readonly processedAt: string | null
  readonly result: string | null
}

export interface ClaimWebhookEventsOptions {
  readonly workerId: string
  /** At most this many events (oldest Truv `updatedAt` first). */
  readonly limit: number
  /** The lease: after `leaseMs` without completion, other workers may claim the event again. */
  readonly leaseMs: number
}

/** An inbox event leased to the worker that claimed it. */
export interface ClaimedWebhookEvent extends WebhookEvent {
  readonly lockedBy: string
  readonly lockedUntil: string
  /** How many times the event has been claimed, this claim included (above 1: a previous holder lost its lease). */
  readonly claims: number
}

/** A lineage, its access tokens and its cases: one unit of `insertBulk`. */
export interface BulkItem {
  readonly lineage: LineageInput
  readonly accessTokens: Readonly<Record<string, Redacted.Redacted<string>>>
  readonly cases: ReadonlyArray<CaseInput>
}

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
  /** Inserts cases in chunked multi-row inserts, in one transaction. Returns the number inserted. */
  insertCases(cases: ReadonlyArray<CaseInput>): Effect.Effect<number, InvalidInput | StoreError>
  /** Lineages, tokens and cases in bulk (seeding, benchmarks), one transaction per call. */
  insertBulk(items: ReadonlyArray<BulkItem>): Effect.Effect<void, InvalidInput | StoreError>
  /**
   * Imports cases from a CSV (header `id,dueAt,cycle,rootOrderId,product,lastVerifiedAt`) or a
   * JSON array. All or nothing: any problem and nothing is written; `ImportFailed.issues` gives
   * every problem's line and field.
   */
  importCases(contents: string, format: "csv" | "json"): Effect.Effect<{ readonly imported: number }, ImportFailed | StoreError>

  // Reading
  getCase(caseId: string): Effect.Effect<Case, CaseNotFound | StoreError>
  listCases(options: ListCasesOptions): Effect.Effect<ReadonlyArray<Case>, StoreError>
  /** Snapshots of the cases due by `until`, in (dueAt, id) order, a page at a time (constant memory). */
  streamDueCases(options: StreamDueOptions): Stream.Stream<CaseSnapshot, StoreError>
  countDue(until: string): Effect.Effect<number, StoreError>
  ledgerForCase(caseId: string): Effect.Effect<ReadonlyArray<Attempt>, CaseNotFound | StoreError>
  ledgerForConnection(connectionId: string): Effect.Effect<ReadonlyArray<Attempt>, StoreError>
  listVerificationQueue(options?: { readonly includeResolved?: boolean }): Effect.Effect<ReadonlyArray<VerificationQueueEntry>, StoreError>
  listResults(caseId: string): Effect.Effect<ReadonlyArray<CaseResult>, StoreError>
  decisionsForCase(caseId: string, limit?: number): Effect.Effect<ReadonlyArray<DecisionRecord>, StoreError>
  stats(options: { readonly since: string }): Effect.Effect<StoreStats, StoreError>

  // Writing
  recordDecision(caseId: string, decision: Decision, inputsDigest: string): Effect.Effect<void, StoreError>
  rescheduleCase(caseId: string, nextDueAt: string, lastVerifiedAt: string | null): Effect.Effect<void, CaseNotFound | StoreError>
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

  // Durable follow-ups
  /**
   * Final attempts (`succeeded`/`failed`) whose follow-up was not marked done (`markFollowedUp`)
   * and that became final before `before` (an ISO instant), oldest first, at most `limit`
   * (default 1000): what a worker killed between recording an outcome and finishing its
   * follow-up left behind.
   */
  pendingFollowUps(before: string, limit?: number): Effect.Effect<ReadonlyArray<{ readonly caseId: string; readonly attempt: Attempt }>, StoreError>
  /** Marks the follow-up of a final attempt done (idempotent: the first mark's instant is kept). */
  markFollowedUp(attemptId: string): Effect.Effect<void, StoreError>

  // Webhook inbox
  insertWebhookEvent(event: WebhookEventInput): Effect.Effect<"inserted" | "duplicate", StoreError>
  /** Unprocessed events, oldest `updatedAt` first. */
  pendingWebhookEvents(limit: number): Effect.Effect<ReadonlyArray<WebhookEvent>, StoreError>
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
}

export class Store extends Context.Service<Store, StoreShape>()("@recert/store/Store") {
  /**
   * Opens the database, checks the encryption key, runs pending migrations (unless
   * `migrate: false`) and provides `Store` and core's `RenewalStore`. The database closes with
   * the layer's scope.
   */
  static readonly layer = (options: StoreOptions): Layer.Layer<Store | RenewalStore, EncryptionKeyInvalid | SchemaTooNew | StoreError> =>
    storeLayer(options)
}
