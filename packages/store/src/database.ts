/**
 * The kysely types of the Recert database: one interface per table, shared by both dialects.
 * Conventions that make one definition work on SQLite and Postgres:
 * - instants are epoch milliseconds (`bigint` on Postgres, parsed back to `number`; `integer` on
 *   SQLite), so range scans and keyset pagination compare integers in both;
 * - booleans are 0/1 integers (SQLite has no boolean type);
 * - JSON documents are text (we never query inside them);
 * - `decisions` and `verification_queue` have generated integer ids; every other id is ours or Truv's.
 */
import type { Generated, Insertable, Selectable } from "kysely"

/** A case: the user's record to re-verify by `due_at`, linked to the lineage of `root_order_id`. */
export interface CasesTable {
  id: string
  due_at: number
  cycle: string
  root_order_id: string
  product: string | null
  last_verified_at: number | null
  created_at: number
  /** The baseline a case import supplied (core's `Baseline` as JSON), or null. Migration `0005_verification_results`. */
  baseline: Generated<string | null>
  /** The closing (note) date `YYYY-MM-DD` of a lender pre-closing case, or null. Migration `0012_timing`. */
  closing_date: Generated<string | null>
  /** When the case was closed (`recert cases close`, an import's `closedAt`), or null. Migration `0014_retention`. */
  closed_at: Generated<number | null>
  /** Why it was closed, as the operator said, or null. */
  closed_reason: Generated<string | null>
}

/**
 * A case's client (issue 16, migration `0009_client_contact`): first and last name, email, phone
 * and external user id as one JSON document, encrypted like access tokens (`ops/client-contacts.ts`).
 */
export interface CaseContactsTable {
  case_id: string
  ciphertext: string
  updated_at: number
}

/**
 * Every order of every lineage, root first (`seq` 0, `parent_id` null). The lineage's own
 * attributes (order type, GSE flag, order_number, Truv user id, status) are authoritative on the
 * root row; refresh rows carry the order type and order_number forward, as Truv does.
 */
export interface OrdersTable {
  id: string
  root_order_id: string
  parent_id: string | null
  seq: number
  created_at: number
  order_type: string
  gse: number
  order_number: string | null
  user_id: string | null
  status: string
}

/** One Truv link of a lineage. `access_token` is AES-256-GCM ciphertext (see token-cipher.ts). */
export interface ConnectionsTable {
  id: string
  root_order_id: string
  position: number
  suborder_id: string
  suborder_number: string | null
  kind: string
  provider: string
  auth_kind: string
  authenticated_at: number
  last_task_status: string | null
  last_status_at: number | null
  mfa_on_every_login: number
  /** AES-256-GCM ciphertext; the empty string once the link was deleted (erased). */
  access_token: string
  /** When Truv deleted the link, or null. Migration `0016_link_deletion`. */
  deleted_at: Generated<number | null>
}

/** The ledger: one row per refresh request we reserved or made. */
export interface AttemptsTable {
  id: string
  case_id: string
  root_order_id: string
  at: number
  product: string
  status: string
  order_id: string | null
  rejection: string | null
  /** JSON object: connection id -> final task status. */
  outcomes: string
  resolved_at: number | null
  gse_free: number
  updated_at: number
  /**
   * When the scheduler finished the follow-up of this final attempt (report stored and case
   * rescheduled, verification link queued, or retry scheduled); null while it is owed. Migration
   * `0003_follow_ups`.
   */
  followed_up_at: Generated<number | null>
  /** The store instance whose write gave the attempt its refresh order (migration `0018_attempt_writers`). */
  sent_by: Generated<string | null>
  /** JSON object: connection id -> the store instance that wrote its outcome (`0018_attempt_writers`). */
  outcome_writers: Generated<string>
}

/** Which connections an attempt includes (the per-connection view of the ledger). */
export interface AttemptConnectionsTable {
  attempt_id: string
  connection_id: string
  at: number
}

/** The webhook inbox: the raw event, stored before we answer 2xx, unique by Truv's webhook_id. */
export interface WebhookEventsTable {
  webhook_id: string
  event_type: string
  body: string
  received_at: number
  updated_at: number
  processed_at: number | null
  result: string | null
  /** The worker holding the event's lease (`claimWebhookEvents`), if any; a past `locked_until` is no lease. */
  locked_by: Generated<string | null>
  locked_until: Generated<number | null>
  /** How many times the event was claimed (a poison event shows as a growing count). */
  claims: Generated<number>
}

/** Refreshed data for the caseworker screen, one row per (case, refresh order). */
export interface CaseResultsTable {
  case_id: string
  order_id: string
  product: string
  received_at: number
  employment_status: string | null
  annual_income: number | null
  pay_periods: number | null
  data: string
}

/**
 * One verification of a case (migration `0005_verification_results`): immutable, one row per
 * (case, order). The class, reason codes and source are columns; the classification's parts and
 * the raw Truv JSON are JSON text. Its employers and statements are rows of their own.
 */
export interface VerificationsTable {
  case_id: string
  order_id: string
  attempt_id: string | null
  via: string
  verified_at: number
  class: string
  product: string
  policy_version: string
  /** The classification's instant (`result.at`). */
  classified_at: number
  /** JSON array of the reasons' codes, in order. */
  reason_codes: string
  source_provider: string
  source_order_id: string
  source_fetched_at: number
  source_report: string
  /** JSON: the snapshot's data issues. */
  issues: string
  reasons: string
  notes: string
  summary: string | null
  baseline: string | null
  problems: string
  raw: string
}

/** One employment record of a verification's snapshot, in the snapshot's order (`position`). */
export interface VerificationEmployersTable {
  case_id: string
  order_id: string
  position: number
  employment_id: string | null
  name: string | null
  ein: string | null
  job_title: string | null
  status_state: string
  status_confidence: string
  status_why: string
  start_date: string | null
  original_hire_date: string | null
  end_date: string | null
  pay_frequency: string
  pay_frequency_code: string | null
  income_cents: number | null
  income_unit: string | null
  pay_rate_cents: number | null
  /** 0 when the record's statements are null (employment-only), 1 otherwise (possibly none). */
  has_statements: number
}

/** One pay statement of a verification's employment record, in the record's order. */
export interface VerificationStatementsTable {
  case_id: string
  order_id: string
  employer_position: number
  position: number
  statement_id: string | null
  pay_date: string | null
  period_start: string | null
  period_end: string | null
  gross_cents: number | null
  net_cents: number | null
  gross_ytd_cents: number | null
  net_ytd_cents: number | null
  hours: number | null
  basis_of_pay: string | null
  regular_cents: number | null
  overtime_cents: number | null
  bonus_cents: number | null
  commission_cents: number | null
  other_pay_cents: number | null
  /** JSON arrays of the earning and deduction lines. */
  earnings: string
  deductions: string
}

/** Cases that need the user (a Bridge update-mode token or a new order). */
export interface VerificationQueueTable {
  id: Generated<number>
  case_id: string
  kind: string
  connection_ids: string
  reason: string
  detail: string
  bridge_token: string | null
  share_url: string | null
  order_id: string | null
  created_at: number
  resolved_at: number | null
  /** The attempt whose follow-up queued the request (null: queued by a decision). Migration `0003_follow_ups`. */
  attempt_id: Generated<string | null>
  /** Why it was resolved: `superseded` or `handled` (null while open). Migration `0004_verification_resolution`. */
  resolution: Generated<string | null>
  /** Our own key of a request stored as an intent (null: stored before 0008, or by `enqueueVerification`). Migration `0008_verification_intents`. */
  request_key: Generated<string | null>
  /** `intent`, `created` or `unknown` (null: stored already created). */
  state: Generated<string | null>
  /** When its Truv call was last about to leave (null: never sent). */
  sent_at: Generated<number | null>
  /** Until when `claim` alone may complete the intent. */
  lease_until: Generated<number | null>
  /** The current claimant's token (fences the sent mark, release and forget). */
  claim: Generated<string | null>
  /** Core's `RequestState` (migration `0010_request_lifecycle`). */
  lifecycle: Generated<string | null>
  /** When the link or token stops serving; set when sent. */
  expires_at: Generated<number | null>
  reminders: Generated<number>
  last_reminded_at: Generated<number | null>
  /** When the sweep looks next (a reminder or the expiry); null once final. */
  next_due_at: Generated<number | null>
}

/** Every lifecycle transition of a verification request, in `id` order (migration `0010_request_lifecycle`). */
export interface VerificationRequestTransitionsTable {
  id: Generated<number>
  request_id: number
  case_id: string
  from_state: string | null
  to_state: string
  at: number
  reason: string
}

/** Work items with leases (graphile-worker style). */
export interface JobsTable {
  id: string
  kind: string
  /** Optional de-duplication key: enqueueing the same key twice keeps the first job. */
  key: string | null
  payload: string
  /** `pending` (runnable when `run_at <= now` and not leased), `done`, or `failed` (out of attempts). */
  status: string
  run_at: number
  attempts: number
  max_attempts: number
  locked_by: string | null
  locked_until: number | null
  last_error: string | null
  last_backoff_ms: number | null
  created_at: number
  updated_at: number
}

/** The decision audit log: enough to replay any decision (instant, policy version, inputs digest). */
export interface DecisionsTable {
  id: Generated<number>
  case_id: string
  at: number
  policy_version: string
  inputs_digest: string
  verdict: string
  /** The whole decision as JSON. */
  decision: string
}

/** The outbox (migration `0011_outbox`): every event for the agency's system, in `seq` order; `body` is the JSON delivered. */
export interface OutboxEventsTable {
  seq: Generated<number>
  id: string
  type: string
  version: number
  case_id: string
  order_number: string | null
  occurred_at: number
  body: string
}

/** What the deliverer owes one destination for one event: `pending`, `delivered` or `dead` (out of tries). */
export interface OutboxDeliveriesTable {
  destination: string
  event_seq: number
  event_id: string
  case_id: string
  status: string
  attempts: number
  next_attempt_at: number
  locked_by: string | null
  locked_until: number | null
  last_status: number | null
  last_error: string | null
  delivered_at: number | null
  created_at: number
  updated_at: number
}

/** Per destination, the last event `seq` fanned out into deliveries. */
export interface OutboxCursorsTable {
  destination: string
  last_seq: number
}

/** A Truv request budget (migration `0007_truv_budget`): its key is a hash of the secret, never the secret. */
/**
 * One piece of personal data a redaction removed (migration `0014_retention`): the redactor
 * (`target`, e.g. `verification.raw`), the piece (`ref`: an order id, an event id, a request id),
 * its retention kind, when, why, and how many rows it touched.
 */
export interface RedactionsTable {
  case_id: string
  target: string
  ref: string
  kind: string
  at: number
  reason: string
  rows: number
}

export interface TruvBudgetsTable {
  key: string
  /** `Retry-After`: no holder gets a permit before this instant. */
  not_before: number
  updated_at: number
}

/** A grant of permits still counted, until `counts_until` (core's `grantPermits`). */
export interface TruvBudgetGrantsTable {
  id: Generated<number>
  key: string
  granted_at: number
  counts_until: number
  permits: number
  holder: string | null
}

export interface Database {
  cases: CasesTable
  case_contacts: CaseContactsTable
  orders: OrdersTable
  connections: ConnectionsTable
  attempts: AttemptsTable
  attempt_connections: AttemptConnectionsTable
  webhook_events: WebhookEventsTable
  case_results: CaseResultsTable
  verification_queue: VerificationQueueTable
  verification_request_transitions: VerificationRequestTransitionsTable
  jobs: JobsTable
  decisions: DecisionsTable
  verifications: VerificationsTable
  verification_employers: VerificationEmployersTable
  verification_statements: VerificationStatementsTable
  outbox_events: OutboxEventsTable
  outbox_deliveries: OutboxDeliveriesTable
  outbox_cursors: OutboxCursorsTable
  truv_budgets: TruvBudgetsTable
  truv_budget_grants: TruvBudgetGrantsTable
  redactions: RedactionsTable
}

/** A case row as core's `Case` needs it (the imported baseline is read on its own, `importedBaseline`). */
export type CaseRow = Omit<Selectable<CasesTable>, "baseline" | "closed_at" | "closed_reason">
export type OrderRow = Selectable<OrdersTable>
export type ConnectionRow = Selectable<ConnectionsTable>
export type AttemptRow = Selectable<AttemptsTable>
export type JobRow = Selectable<JobsTable>
export type VerificationQueueRow = Selectable<VerificationQueueTable>
export type NewCase = Insertable<CasesTable>
export type VerificationRow = Selectable<VerificationsTable>
export type VerificationEmployerRow = Selectable<VerificationEmployersTable>
export type VerificationStatementRow = Selectable<VerificationStatementsTable>
