/**
 * The dialects every suite runs against. SQLite: a fresh temp file per suite. Postgres: the
 * machine's server (`DATABASE_URL` or postgres://postgres@127.0.0.1:5432/test), a fresh schema
 * per suite (other engineers share the server), dropped afterwards. Unreachable Postgres skips
 * its suites with a warning, except in CI (`CI=true`), where it fails them.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Migrator } from "kysely"
import pg from "pg"
import { openDatabase } from "../../src/index.js"
import { migrations } from "../../src/migrations.js"
import { afterAll, beforeAll, it } from "vitest"
import { randomBytes } from "node:crypto"

export const POSTGRES_URL = process.env["DATABASE_URL"] !== undefined && /^postgres/.test(process.env["DATABASE_URL"])
  ? process.env["DATABASE_URL"] : "postgres://postgres@127.0.0.1:5432/test"

export interface TestDatabase {
  readonly url: string
  readonly schema?: string
  /** For SQLite: the file. */
  readonly file?: string
  readonly cleanup: () => Promise<void>
}

export interface DialectUnderTest {
  readonly name: "sqlite" | "postgres"
  /** Why the dialect cannot run here (null when it can). */
  readonly unavailable: () => Promise<string | null>
  readonly create: () => Promise<TestDatabase>
}

let postgresProbe: Promise<string | null> | undefined
const probePostgres = (): Promise<string | null> => {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 })
    try {
      await client.connect()
      await client.query("select 1")
      return null
    } catch (error) {
      return `Postgres at ${POSTGRES_URL} unreachable: ${error instanceof Error ? error.message : String(error)}`
    } finally {
      await client.end().catch(() => undefined)
    }
  })()
  return postgresProbe
}

export const sqlite: DialectUnderTest = {
  name: "sqlite",
  unavailable: async () => null,
  create: async () => {
    const dir = mkdtempSync(join(tmpdir(), "recert-store-"))
    const file = join(dir, "recert.sqlite")
    return { url: file, file, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
  }
}

export const postgres: DialectUnderTest = {
  name: "postgres",
  unavailable: probePostgres,
  create: async () => {
    const schema = `recert_t_${randomBytes(6).toString("hex")}`
    return {
      url: POSTGRES_URL,
      schema,
      cleanup: async () => {
        const client = new pg.Client({ connectionString: POSTGRES_URL })
        await client.connect()
        try {
          await client.query(`drop schema if exists ${schema} cascade`)
        } finally {
          await client.end()
        }
      }
    }
  }
}

export const DIALECTS: ReadonlyArray<DialectUnderTest> = [sqlite, postgres]

/** Resolves whether to run a dialect's suite: skip with a warning, or fail in CI. */
export const checkDialect = async (dialect: DialectUnderTest): Promise<boolean> => {
  const reason = await dialect.unavailable()
  if (reason === null) return true
  if (process.env["CI"] === "true") throw new Error(`${reason} (CI=true: Postgres suites must run in CI)`)
  console.warn(`skipping ${dialect.name} suite: ${reason}`)
  return false
}

/**
 * A fresh database of `dialect` for the enclosing `describe`: created before its tests, dropped
 * after. `test` skips (with checkDialect's printed reason) when the dialect is unavailable.
 */
export const useTestDatabase = (dialect: DialectUnderTest) => {
  let db: TestDatabase | null = null
  beforeAll(async () => {
    if (await checkDialect(dialect)) db = await dialect.create()
  })
  afterAll(async () => {
    await db?.cleanup()
  })
  return {
    get t(): TestDatabase {
      if (db === null) throw new Error(`no ${dialect.name} database: the suite is skipped`)
      return db
    },
    test: (name: string, body: () => Promise<void>, timeout?: number) =>
      it(name, async (ctx) => {
        if (db === null) return ctx.skip()
        await body()
      }, timeout)
  }
}

/** Migrates a fresh test database up to `name` only (to test an upgrade from that version). */
export const migrateTo = async (t: TestDatabase, name: string): Promise<void> => {
  const { db, adapter } = openDatabase(t.url, t.schema !== undefined ? { schema: t.schema } : {})
  try {
    const migrator = new Migrator({
      db, provider: { getMigrations: async () => migrations(adapter) },
      ...(adapter.migrationTableSchema === undefined ? {} : { migrationTableSchema: adapter.migrationTableSchema })
    })
    const { error } = await migrator.migrateTo(name)
    if (error !== undefined) throw error instanceof Error ? error : new Error(`migrating to ${name} failed: ${JSON.stringify(error)}`)
  } finally {
    await db.destroy()
  }
}
