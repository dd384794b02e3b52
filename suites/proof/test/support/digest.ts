/**
 * A digest of every table of a Recert database (row count and a SHA-256 of the rows, sorted),
 * to show that a refused operation changed nothing. Works on SQLite files and Postgres schemas.
 */
import { createHash } from "node:crypto"
import Database from "better-sqlite3"
import pg from "pg"

export type TableDigest = Record<string, { readonly rows: number; readonly sha256: string }>

const digestRows = (rows: ReadonlyArray<unknown>) => {
  const lines = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).sort()
  return { rows: rows.length, sha256: createHash("sha256").update(lines.join("\n")).digest("hex") }
}

export const digestSqlite = (file: string): TableDigest => {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
    return Object.fromEntries(tables.map(({ name }) => [name, digestRows(db.prepare(`SELECT * FROM "${name}"`).all())]))
  } finally {
    db.close()
  }
}

export const digestPostgres = async (url: string, schema: string): Promise<TableDigest> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [schema])
    const out: TableDigest = {}
    for (const { table_name } of tables.rows) {
      out[table_name] = digestRows((await client.query(`SELECT * FROM "${schema}"."${table_name}"`)).rows)
    }
    return out
  } finally {
    await client.end()
  }
}
