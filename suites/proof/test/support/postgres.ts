/**
 * The machine's Postgres for the suites: `DATABASE_URL` or the local server. Unreachable: the
 * Postgres suites skip with a printed reason, except under `CI=true`, where they fail.
 */
import { randomBytes } from "node:crypto"
import pg from "pg"

export const POSTGRES_URL = process.env["DATABASE_URL"]?.startsWith("postgres") === true
  ? process.env["DATABASE_URL"]
  : "postgres://postgres@127.0.0.1:5432/test"

export const postgresReachable = async (): Promise<string | null> => {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    return null
  } catch (e) {
    const reason = `Postgres at ${POSTGRES_URL} unreachable (${e instanceof Error ? e.message : String(e)})`
    if (process.env["CI"] === "true") throw new Error(`${reason}; CI=true requires it`)
    console.warn(`${reason}: Postgres suites skipped`)
    return reason
  } finally {
    await client.end().catch(() => undefined)
  }
}

export const freshSchema = (prefix: string) => `${prefix}_${randomBytes(4).toString("hex")}`

export const dropSchema = async (schema: string): Promise<void> => {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}
