/**
 * Which database a command reads, and the `Store` for it. The database is `--db`, else
 * `DATABASE_URL`, else `.recert/recert.sqlite` in the working directory (the file the demo
 * is the scheduler's default; the demo writes its own, `.recert/demo.sqlite`). A database that does
 * not exist is an error, not a new empty one, except for the commands asked to create one
 * (`db init`, `cases import --create`). Reading commands open the database read-only and never
 * migrate: a database whose schema is behind is an error that says to run `recert db migrate`.
 *
 * The encryption key: `RECERT_ENCRYPTION_KEY`, else `encryption.key` beside the SQLite file. The
 * CLI never decrypts an access token (it reads lineages and ledgers and imports cases, which carry
 * none), so without a key it opens the store keyless; a key that is set is checked against the
 * database's fingerprint (another database's key: exit 2), and a malformed one is reported.
 */
import { CaseNotFound, StoreError } from "@recert/core"
import { DatabaseUnavailable, EncryptionKeyInvalid, EncryptionKeyMismatch, SchemaTooNew, SqlStore, Store, type StoreShape } from "@recert/store"
import { Effect, Option, Redacted } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { CliEnvironment } from "./environment.js"
import { CommandFailed, UsageError } from "./errors.js"

export const DEFAULT_DATABASE = ".recert/recert.sqlite"

export interface DatabaseTarget {
  /** What the store opens: a postgres URL or an absolute SQLite path. */
  readonly url: string
  /** What messages show: the path as given, or the URL without its password. */
  readonly label: string
  /** The SQLite file, or null for Postgres and `:memory:`. */
  readonly sqliteFile: string | null
  readonly isDefault: boolean
}

const isPostgres = (url: string) => /^postgres(ql)?:\/\//.test(url)

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`: a password never reaches output. */
export const redactUrl = (url: string): string => url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, "$1:***@")

export const resolveTarget = (db: Option.Option<string>): Effect.Effect<DatabaseTarget> =>
  Effect.gen(function*() {
    const { cwd, env } = yield* CliEnvironment
    const fromEnv = env["DATABASE_URL"]
    const given = Option.getOrUndefined(db) ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined)
    const raw = given ?? DEFAULT_DATABASE
    if (isPostgres(raw)) return { url: raw, label: redactUrl(raw), sqliteFile: null, isDefault: false }
    if (raw === ":memory:") return { url: raw, label: raw, sqliteFile: null, isDefault: false }
    const file = isAbsolute(raw) ? raw : resolve(cwd, raw)
    return { url: file, label: raw, sqliteFile: file, isDefault: given === undefined }
  })

/** The configured key and where it came from; null when none is configured (reading needs none). */
const resolveKey = (target: DatabaseTarget): Effect.Effect<{ readonly key: Redacted.Redacted<string>; readonly source: string } | null, UsageError> =>
  Effect.gen(function*() {
    const { env } = yield* CliEnvironment
    const fromEnv = env["RECERT_ENCRYPTION_KEY"]
    if (fromEnv !== undefined && fromEnv !== "") return { key: Redacted.make(fromEnv), source: "RECERT_ENCRYPTION_KEY" }
    if (target.sqliteFile === null) return null
    const file = join(dirname(target.sqliteFile), "encryption.key")
    if (!existsSync(file)) return null
    try {
      return { key: Redacted.make(readFileSync(file, "utf8").trim()), source: file }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      const why = code === "EISDIR" ? "is a directory, not a key file" : code === "EACCES" ? "permission denied" : String(code ?? e)
      return yield* new UsageError({ code: "encryption-key", message: `encryption key file ${file}: ${why}` })
    }
  })

const failed = (code: string, message: string) => new CommandFailed({ code, message })

/**
 * How a command uses the database: `read` opens an existing, migrated one read-only (no
 * migration, no write: a login without write permission can read); `write` needs an existing,
 * migrated one; `create` creates and migrates it if needed (`db init`, and `--create` on import);
 * `migrate` needs an existing one and leaves the migrating to the command (so it can report what
 * it applied).
 */
export type Access = "read" | "write" | "create" | "migrate"

const checkSchema = (store: StoreShape, target: DatabaseTarget) =>
  Effect.flatMap(store.schemaVersion(), (version) => {
    if (version.pending.length === 0) return Effect.void
    return Effect.fail(failed("schema-outdated", version.current === null
      ? `${target.label} is not a Recert database (no migrations applied): run \`recert db migrate\` to create the schema`
      : `the schema of ${target.label} is behind (pending: ${version.pending.join(", ")}): run \`recert db migrate\``))
  })

/** Store failures as CLI failures; a database error names the database (its password redacted). */
const toFailure = (target: DatabaseTarget, keySource: string | null) => <E>(e: E | EncryptionKeyInvalid | EncryptionKeyMismatch | DatabaseUnavailable | SchemaTooNew | CaseNotFound | StoreError): CommandFailed | UsageError | E => {
  // A malformed key, or another database's, is invalid configuration, like a malformed flag: exit 2, not 1.
  if (e instanceof EncryptionKeyInvalid) return new UsageError({ code: "encryption-key", message: e.message })
  if (e instanceof EncryptionKeyMismatch) {
    return new UsageError({ code: "encryption-key-mismatch", message: `the encryption key (${keySource ?? "?"}) is not the key of ${target.label}: it was created under another key` })
  }
  if (e instanceof DatabaseUnavailable) {
    if (!e.isConfiguration) return failed("database-unreachable", `${target.label}: ${e.detail}`)
    const hint = e.reason === "missing" ? ": create one with `recert db init`, or pass --db with an existing database" : ""
    return new UsageError({ code: "database-unusable", message: `${target.label}: ${e.detail}${hint}` })
  }
  if (e instanceof SchemaTooNew) return failed("schema-too-new", e.message)
  if (e instanceof CaseNotFound) return failed("unknown-case", e.message)
  if (e instanceof StoreError) return failed("database", `${target.label}: ${e.operation}: ${e.message}`)
  return e
}

/**
 * Runs `f` with a `Store` on the target database. Store failures become `CommandFailed` with a
 * stable code: `unknown-case`, `no-database`, `schema-outdated`, `schema-too-new`, `database`; a
 * malformed encryption key is a `UsageError` with code `encryption-key` (exit 2).
 */
export const withStore = <A, E, R>(db: Option.Option<string>, access: Access, f: (store: StoreShape, target: DatabaseTarget) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const target = yield* resolveTarget(db)
    if (access !== "create" && target.sqliteFile !== null && !existsSync(target.sqliteFile)) {
      return yield* failed("no-database", target.isDefault
        ? `no database at ${target.label}: pass --db (the demo's is .recert/demo.sqlite), or create one with \`recert db init\``
        : `no database at ${target.label}: pass --db with an existing database, or create one with \`recert db init\``)
    }
    const key = yield* resolveKey(target)
    const layer = SqlStore.layer({
      url: target.url, encryptionKey: key?.key, keyless: key === null, create: access === "create", readOnly: access === "read",
      // Never here: `db init` and `db migrate` migrate themselves (to report it), `cases import --create` too.
      migrate: false
    })
    return yield* Effect.gen(function*() {
      const store = yield* Store
      if (access === "read" || access === "write") yield* checkSchema(store, target)
      return yield* f(store, target)
    }).pipe(Effect.provide(layer), Effect.mapError(toFailure(target, key?.source ?? null)))
  })
