/**
 * Opening a SQLite file read-only, for readers without write permission on the file or its
 * directory (a support login). better-sqlite3's `readonly` connection never writes the database;
 * but a database in WAL mode also needs its `-shm` index, which a reader cannot create in a
 * directory it may not write (SQLITE_READONLY_DIRECTORY / SQLITE_CANTOPEN). When that is the only
 * obstacle and no `-wal` file exists (the last writer closed cleanly, so the main file holds every
 * commit), the file is read into memory and opened from there: a consistent snapshot, costing
 * memory the size of the file. With a `-wal` present the snapshot could miss commits, so the
 * error stands.
 */
import BetterSqlite3 from "better-sqlite3"
import { Kysely, type LogConfig, SqliteDialect } from "kysely"
import { existsSync, readFileSync, statSync } from "node:fs"
import type { Database } from "../database.js"
import type { DialectAdapter } from "./adapter.js"
import { cachingPrepare, SQLITE_BUSY_TIMEOUT_MS, sqliteAdapter } from "./sqlite.js"

const cannotOpenShm = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code
  return code === "SQLITE_READONLY_DIRECTORY" || code === "SQLITE_CANTOPEN"
}

/** Byte offsets 18 and 19 of the header: file format write/read versions, 2 meaning WAL, 1 rollback journal. */
const asRollbackJournal = (image: Buffer): Buffer => {
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) { image[18] = 1; image[19] = 1 }
  return image
}

const openFile = (file: string): BetterSqlite3.Database => {
  const database = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  try {
    // The first read opens the WAL index: fails here, not in the middle of a command.
    database.prepare("select count(*) from sqlite_master").get()
    return database
  } catch (error) {
    database.close()
    const wal = `${file}-wal`
    if (!cannotOpenShm(error) || (existsSync(wal) && statSync(wal).size > 0)) throw error
    return new BetterSqlite3(asRollbackJournal(readFileSync(file)), { readonly: true })
  }
}

/** Opens an existing SQLite file read-only: every write fails with SQLITE_READONLY; no migration, no WAL switch. */
export const openSqliteReadOnly = (file: string, log?: LogConfig): { db: Kysely<Database>; adapter: DialectAdapter } => {
  const database = openFile(file)
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingPrepare(database) }), ...(log !== undefined ? { log } : {}) }), adapter: sqliteAdapter }
}
