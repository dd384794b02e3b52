/**
 * Malformed case files through the store's own `importCases`, on SQLite and Postgres: every
 * file with a defect is refused with `ImportFailed` naming the defect's line and field, and the
 * database is unchanged (row count and SHA-256 of every table, before and after).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateEncryptionKey, type ImportFailed, SqlStore, Store } from "@recert/store"
import { Effect, ManagedRuntime, Redacted } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BROKEN_FILES, DEFECTS, plantedDefect, SEED_CASES, SEED_LINEAGE, toCsv, toJson, validRows } from "../support/case-files.js"
import { digestPostgres, digestSqlite, type TableDigest } from "../support/digest.js"
import { dropSchema, freshSchema, POSTGRES_URL, postgresReachable } from "../support/postgres.js"

interface Dialect {
  readonly name: string
  readonly setup: () => Promise<{ url: string; schema?: string; digest: () => Promise<TableDigest>; cleanup: () => Promise<void> } | null>
}

const DIALECTS: ReadonlyArray<Dialect> = [
  {
    name: "sqlite",
    setup: () => {
      const dir = mkdtempSync(join(tmpdir(), "recert-proof-import-"))
      const url = join(dir, "recert.sqlite")
      return Promise.resolve({ url, digest: () => Promise.resolve(digestSqlite(url)), cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) })
    }
  },
  {
    name: "postgres",
    setup: async () => {
      if ((await postgresReachable()) !== null) return null
      const schema = freshSchema("recert_proof_import")
      return { url: POSTGRES_URL, schema, digest: () => digestPostgres(POSTGRES_URL, schema), cleanup: () => dropSchema(schema) }
    }
  }
]

type Refusal = { readonly issues: ReadonlyArray<{ line: number; field: string; message: string }> }

for (const dialect of DIALECTS) {
  describe(`importCases refuses malformed files (${dialect.name})`, () => {
    let env: Awaited<ReturnType<Dialect["setup"]>> = null
    let runtime: ManagedRuntime.ManagedRuntime<Store, unknown> | null = null
    let before: TableDigest = {}

    const importRefusal = (text: string, format: "csv" | "json"): Promise<Refusal | { imported: number }> =>
      runtime!.runPromise(Effect.gen(function*() {
        const store = yield* Store
        return yield* store.importCases(text, format).pipe(
          Effect.catchTag("ImportFailed", (e: ImportFailed) => Effect.succeed<Refusal>({ issues: e.issues }))
        )
      }))

    beforeAll(async () => {
      env = await dialect.setup()
      if (env === null) return
      runtime = ManagedRuntime.make(SqlStore.layer({ url: env.url, encryptionKey: generateEncryptionKey(), ...(env.schema !== undefined ? { schema: env.schema } : {}) }))
      await runtime.runPromise(Effect.gen(function*() {
        const store = yield* Store
        yield* store.insertLineage({
          rootOrderId: SEED_LINEAGE, orderType: "income",
          orders: [{ id: SEED_LINEAGE, parentId: null, createdAt: "2026-09-01T00:00:00Z" }],
          connections: [{ id: "link-seed", suborderId: "emp-seed", provider: "adp", authKind: "oauth", authenticatedAt: "2026-09-01T00:00:00Z" }]
        }, { "link-seed": Redacted.make("tok-seed") })
        yield* store.insertCases(SEED_CASES.map((id) => ({ id, dueAt: "2026-12-01T00:00:00Z", cycle: "annual" as const, rootOrderId: SEED_LINEAGE })))
      }))
      before = await env.digest()
    })
    afterAll(async () => {
      await runtime?.dispose()
      await env?.cleanup()
    })

    it("names the line and field of a planted defect, and writes nothing (CSV)", async ({ skip }) => {
      if (env === null) return skip("Postgres unreachable")
      await fc.assert(fc.asyncProperty(plantedDefect(DEFECTS), async ({ rows, at, defect }) => {
        const result = await importRefusal(toCsv(rows, at, defect), "csv")
        expect(result).toHaveProperty("issues")
        expect((result as Refusal).issues).toContainEqual(expect.objectContaining({ line: at + 2, field: defect.field }))
        expect(await env!.digest()).toEqual(before)
      }), { numRuns: 40, seed: 7 })
    })

    it("names the line and field of a planted defect, and writes nothing (JSON)", async ({ skip }) => {
      if (env === null) return skip("Postgres unreachable")
      await fc.assert(fc.asyncProperty(plantedDefect(DEFECTS.filter((d) => d.csvLine === undefined)), async ({ rows, at, defect }) => {
        const result = await importRefusal(toJson(rows, at, defect), "json")
        expect(result).toHaveProperty("issues")
        expect((result as Refusal).issues).toContainEqual(expect.objectContaining({ line: at + 2, field: defect.field }))
        expect(await env!.digest()).toEqual(before)
      }), { numRuns: 40, seed: 11 })
    })

    it.for(BROKEN_FILES)("refuses a file that is not a case file: $name", async ({ format, text, line, field }, { skip }) => {
      if (env === null) return skip("Postgres unreachable")
      const result = await importRefusal(text, format)
      expect(result).toHaveProperty("issues")
      expect((result as Refusal).issues[0]).toEqual(expect.objectContaining({ line, field }))
      expect(await env.digest()).toEqual(before)
    })

    it("still imports the same rows once the defect is gone (the refusals were about the defect)", async ({ skip }) => {
      if (env === null) return skip("Postgres unreachable")
      expect(await importRefusal(toCsv(validRows(12, "clean"), 0, null), "csv")).toEqual({ imported: 12 })
    })
  })
}
