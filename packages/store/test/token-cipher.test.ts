/** No access token in plaintext anywhere in the SQLite file (main file and WAL), read as bytes. */
import { Effect, Redacted } from "effect"
import { readFileSync, existsSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Store } from "../src/index.js"
import { sqlite, type TestDatabase } from "./support/dialects.js"
import { lineage, run, tokensFor } from "./support/fixtures.js"

describe("access tokens at rest (SQLite file bytes)", () => {
  let t: TestDatabase
  beforeAll(async () => { t = await sqlite.create() })
  afterAll(async () => { await t.cleanup() })

  it("the file holds ciphertext only, and the token still decrypts", async () => {
    const lineages = Array.from({ length: 20 }, (_, i) => lineage(`pt${i}`))
    const token = await run(t, Effect.gen(function*() {
      const store = yield* Store
      for (const l of lineages) yield* store.insertLineage(l, tokensFor(l))
      return yield* store.accessToken("pt7-l2")
    }))
    expect(Redacted.value(token)).toBe("secret-token-pt7-l2-PLAINTEXT")
    const files = [t.file!, `${t.file!}-wal`].filter(existsSync)
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)))
    expect(bytes.length).toBeGreaterThan(0)
    expect(bytes.includes(Buffer.from("PLAINTEXT"))).toBe(false)
    expect(bytes.includes(Buffer.from("secret-token"))).toBe(false)
    // the connection rows are there (sanity check that we read the right file)
    expect(bytes.includes(Buffer.from("pt7-l2-emp"))).toBe(true)
  })
})
