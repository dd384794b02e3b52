/**
 * @recert/store: everything Recert knows, on SQLite (default, one file) or Postgres
 * (`DATABASE_URL=postgres://...`). Provides core's `RenewalStore` port and the richer `Store`
 * service through one Layer, `SqlStore.layer(options)`. See README.md for the tables, indexes and locking choices.
 */
export * from "./errors.js"
export type * from "./store.js"
export type { Database } from "./database.js"
export type * from "./database.js"
export type { DialectName } from "./dialect/adapter.js"
export type { MigrationReport, SchemaVersion } from "./migrate.js"
export { LATEST_MIGRATION } from "./migrations.js"
export { DEFAULT_SQLITE_PATH, defaultDatabaseUrl, isPostgresUrl, openDatabase, type OpenedDatabase, redactDatabaseUrl } from "./open-database.js"
export { isUnloadableCase } from "./ops/unloadable-case.js"
export { KEY_FINGERPRINT, keyFingerprint } from "./ops/key-fingerprint.js"
export { generateEncryptionKey, parseEncryptionKey } from "./token-cipher.js"
export { CSV_COLUMNS } from "./import/case-file.js"
export type { MoveClosingResult } from "./ops/move-closing.js"
export { parseCsvCases, parseJsonCases, type ParsedCase, type ParseResult } from "./import/case-file.js"
export { JOB_BACKOFF, jobBackoffMs } from "./ops/jobs.js"
export { appendOutboxEvent, uuidV7 } from "./ops/outbox.js"
export { duePage } from "./ops/stream-due-cases.js"
export { loadSnapshots } from "./ops/load-snapshots.js"
export { runMigrations } from "./migrate.js"

export { Store } from "./store.js"
/** The SQL implementation of `Store`: `SqlStore.layer(options)` (sql-store.ts). */
export * as SqlStore from "./sql-store.js"
export type { StoreOpenError } from "./sql-store.js"
export { REDACTORS } from "./retention/redactors.js"
export type { CaseFacts, Piece, Redactor, RedactionStamp } from "./retention/redactor.js"
