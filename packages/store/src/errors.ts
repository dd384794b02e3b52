/**
 * Errors of the store, besides the port's own (`StoreError`, `CaseNotFound`, `AttemptNotFound`,
 * `IllegalTransition`, re-exported from `@recert/core`). Each is a tagged value in the error
 * channel; none ever carries a secret (an encryption key or an access token).
 */
import { Schema } from "effect"

export { AttemptNotFound, CaseNotFound, IllegalTransition, StoreError } from "@recert/core"

/** The database was migrated by a newer Recert: this build does not know some of its migrations. */
export class SchemaTooNew extends Schema.TaggedError<SchemaTooNew>()("SchemaTooNew", {
  unknownMigrations: Schema.Array(Schema.String),
  latestKnown: Schema.String
}) {
  override get message(): string {
    return `the database schema is newer than this build of @recert/store: it has migration(s) ` +
      `${this.unknownMigrations.join(", ")} that this build does not know (latest known: ${this.latestKnown}). ` +
      `Upgrade Recert instead of running an older version against this database.`
  }
}

/** The encryption key is missing or malformed. The message names the problem, never the key. */
export class EncryptionKeyInvalid extends Schema.TaggedError<EncryptionKeyInvalid>()("EncryptionKeyInvalid", {
  reason: Schema.String
}) {
  override get message(): string {
    return `RECERT_ENCRYPTION_KEY: ${this.reason} (expected 32 bytes as 64 hex characters or 44 base64 characters; ` +
      `generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`
  }
}

/** One problem in an imported case file: the 1-based line, the field and what is wrong. */
export interface ImportIssue {
  readonly line: number
  readonly field: string
  readonly message: string
}

/** An import was refused. Nothing was written; `issues` lists every problem found. */
export class ImportFailed extends Schema.TaggedError<ImportFailed>()("ImportFailed", {
  format: Schema.String,
  issues: Schema.Array(Schema.Struct({ line: Schema.Number, field: Schema.String, message: Schema.String }))
}) {
  override get message(): string {
    const shown = this.issues.slice(0, 50).map((i) => `  line ${i.line}, ${i.field}: ${i.message}`)
    const more = this.issues.length > 50 ? [`  ... and ${this.issues.length - 50} more`] : []
    return [`import refused (${this.format}): ${this.issues.length} problem(s), nothing was written`, ...shown, ...more].join("\n")
  }
}

/**
 * A leased operation was fenced out: the caller no longer holds the lease of a job (or, with
 * `subject: "webhook event"`, of an inbox event, whose id is then in `jobId`). Nothing was written.
 */
export class LeaseLost extends Schema.TaggedError<LeaseLost>()("LeaseLost", {
  jobId: Schema.String,
  workerId: Schema.String,
  subject: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `${this.subject ?? "job"} ${this.jobId}: worker ${this.workerId} does not hold its lease (it expired and was reclaimed, or it is done)`
  }
}

/**
 * The encryption key is well formed but not the key of this database: the database holds the
 * fingerprint of another key (`ops/key-fingerprint.ts`). Nothing was read or written. `database`
 * names the database (a Postgres password redacted); the caller names where the key came from.
 */
export class EncryptionKeyMismatch extends Schema.TaggedError<EncryptionKeyMismatch>()("EncryptionKeyMismatch", {
  database: Schema.String
}) {
  override get message(): string {
    return `the encryption key is not the key of ${this.database} (the database was created under another key; ` +
      `its access tokens would not decrypt): use that database's key, or another database`
  }
}

/**
 * Why a database cannot be used: `missing` (no such SQLite file, or a database without Recert's
 * schema while creating was not asked for), `is-a-directory`, `not-a-database` (a file that is not
 * SQLite), `host-not-found`, `login-refused` (Postgres refused the user or password),
 * `unreachable` (the server did not answer: refused, timed out, reset).
 */
export type DatabaseUnavailableReason =
  | "missing" | "is-a-directory" | "not-a-database" | "host-not-found" | "login-refused" | "unreachable"

/** Reasons that are the operator's configuration (exit 2); the others are the moment's (exit 1). */
export const CONFIGURATION_REASONS: ReadonlySet<DatabaseUnavailableReason> =
  new Set(["missing", "is-a-directory", "not-a-database", "host-not-found", "login-refused"])

/** The database named cannot be opened for the reason given. Nothing was created or written. */
export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  database: Schema.String,
  reason: Schema.Literals(["missing", "is-a-directory", "not-a-database", "host-not-found", "login-refused", "unreachable"]),
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.database}: ${this.detail}`
  }

  /** Whether the fix is in the configuration (a wrong path or URL) rather than in the moment. */
  get isConfiguration(): boolean {
    return CONFIGURATION_REASONS.has(this.reason)
  }
}

/** `removeCase` refused: the case still has work in flight, or its ledger limits another case. Nothing was removed. */
export class CaseRemovalRefused extends Schema.TaggedError<CaseRemovalRefused>()("CaseRemovalRefused", {
  caseId: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `case ${this.caseId} was not removed: ${this.reason}`
  }
}

/** `closeCase` refused: a refresh of the case is in flight. Nothing was written. */
export class CaseCloseRefused extends Schema.TaggedError<CaseCloseRefused>()("CaseCloseRefused", {
  caseId: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `case ${this.caseId} was not closed: ${this.reason}`
  }
}
