/**
 * What keeps the ledger from being destroyed or hidden, on every dialect: the encryption key is
 * tied to its database (a fingerprint stored at the first open with a key; another key is refused
 * before anything is read or written), a database is not created unless asked, a case that cannot
 * be loaded is isolated from the others, and `removeCase` removes a case and only what it owns.
 * SQLite only: a read-only open writes nothing, and a path that is a directory or not a database
 * is named.
 */
import { Effect, Exit, Layer, Redacted, Stream } from "effect"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { CaseSnapshot } from "@recert/core"
import { generateEncryptionKey, isUnloadableCase, keyFingerprint, parseEncryptionKey, SqlStore, Store, type StoreOptions, type UnloadableCase } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { aCase, KEY, lineage, run, seed, tokensFor } from "./support/fixtures.js"

const OTHER_KEY = Redacted.make("b".repeat(64))

/** The failure `options` opening fails with (its tag and message), or "opened". */
const openFailure = async (options: StoreOptions): Promise<string> => {
  const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(SqlStore.layer(options))))
  if (Exit.isSuccess(exit)) return "opened"
  const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
  const value = error !== undefined && "error" in error ? error.error as { _tag: string; message: string } : undefined
  return value === undefined ? "defect" : `${value._tag}: ${value.message}`
}

for (const dialect of DIALECTS) {
  describe(`ledger safety on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite
    const at = () => ({ url: suite.t.url, ...(suite.t.schema !== undefined ? { schema: suite.t.schema } : {}) })

    test("the first open with a key stores its fingerprint; another key is refused, naming the database", async () => {
      await run(suite.t, seed("fp-root"))
      const label = suite.t.url.replace(/:[^:@/]+@/, ":***@")
      expect(await openFailure({ ...at(), encryptionKey: OTHER_KEY })).toBe(
        `EncryptionKeyMismatch: the encryption key is not the key of ${label} (the database was created under another key; its access tokens would not decrypt): use that database's key, or another database`)
      expect(await openFailure({ ...at(), encryptionKey: KEY })).toBe("opened")
      // Keyless (a reader without the key) opens and reads; the fingerprint is neither checked nor replaced.
      const cases = await run(suite.t, Effect.flatMap(Store, (s) => s.listCases({ limit: 10 })), undefined, { keyless: true })
      expect(cases.map((c) => c.id)).toContain("case-fp-root")
      expect(await openFailure({ ...at(), encryptionKey: OTHER_KEY })).toContain("EncryptionKeyMismatch")
    })

    test("a case whose root order is a refresh order is isolated: the other due cases load, it is reported with its reason", async () => {
      const loads = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        const l = lineage("iso-root")
        yield* store.insertLineage({ ...l, orders: [...l.orders, { id: "iso-refresh", parentId: "iso-root", createdAt: "2026-10-01T00:00:00Z" }] }, tokensFor(l))
        yield* store.insertCases([aCase("iso-good", "iso-root", "2026-11-01T00:00:00.000Z"), aCase("iso-bad", "iso-refresh", "2026-11-01T00:00:00.000Z")])
        return yield* Stream.runCollect(store.streamDueCaseLoads({ until: "2026-11-02T00:00:00Z" }))
      }))
      const bad = loads.filter(isUnloadableCase)
      expect(bad).toEqual([{
        _tag: "UnloadableCase", caseId: "iso-bad", rootOrderId: "iso-refresh", dueAt: "2026-11-01T00:00:00.000Z",
        reason: "its root order iso-refresh is a refresh order (position 1) of the lineage rooted at iso-root, not a lineage's root: fix the row, or remove the case (`recert cases remove`)"
      } satisfies UnloadableCase])
      expect(loads.filter((l): l is CaseSnapshot => !isUnloadableCase(l)).map((s) => s.case.id)).toContain("iso-good")
      const plain = await run(suite.t, Effect.flatMap(Store, (s) => Stream.runCollect(s.streamDueCases({ until: "2026-11-02T00:00:00Z" }))))
      expect(plain.map((s) => s.case.id)).toEqual(["iso-good"])
    })

    test("removeCase removes the case and what only it owns; refuses while an attempt is in flight", async () => {
      const result = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("rm-root", "rm-case")
        const reserved = yield* store.reserve({ caseId: "rm-case", product: "income" })
        const refused = yield* Effect.flip(store.removeCase("rm-case"))
        const attemptId = reserved.attempt?.id ?? "none"
        yield* store.transitionAttempt(attemptId, "sent", { orderId: "rm-order-2" })
        yield* store.transitionAttempt(attemptId, "failed", {})
        const removed = yield* store.removeCase("rm-case")
        const missing = yield* Effect.flip(store.getCase("rm-case"))
        const again = yield* Effect.flip(store.removeCase("rm-case"))
        return { refused: refused.message.replace(attemptId, "<id>"), removed, missing: missing._tag, again: again._tag }
      }))
      expect(result).toEqual({
        refused: "case rm-case was not removed: attempt(s) in flight: <id> (wait for their outcome, or for the scheduler's reconciliation)",
        removed: { caseId: "rm-case", rootOrderId: "rm-root", lineageRemoved: true, removed: { attempts: 1, decisions: 1, results: 0, verifications: 0, jobs: 0, orders: 1, connections: 2 } },
        missing: "CaseNotFound", again: "CaseNotFound"
      })
    })
  })
}

describe("opening a SQLite file", () => {
  const dir = mkdtempSync(join(tmpdir(), "recert-ledger-safety-"))
  const key = generateEncryptionKey()

  it("without create: a missing file is refused and not created; a directory and a non-database are named", async () => {
    const missing = join(dir, "typo.sqlite")
    expect(await openFailure({ url: missing, encryptionKey: key, create: false })).toBe(`DatabaseUnavailable: ${missing}: no such database file (nothing was created)`)
    expect(() => readFileSync(missing)).toThrow(/ENOENT/)
    expect(await openFailure({ url: dir, encryptionKey: key })).toBe(`DatabaseUnavailable: ${dir}: is a directory, not a database file`)
    const text = join(dir, "notes.txt")
    writeFileSync(text, "these are not the rows you are looking for\n".repeat(50))
    expect(await openFailure({ url: text, encryptionKey: key })).toBe(`DatabaseUnavailable: ${text}: not a SQLite database (is it the right file?)`)
    expect(await openFailure({ url: join(dir, "empty.sqlite"), encryptionKey: key, create: false })).toContain("DatabaseUnavailable")
  })

  it("read-only: no migration and no fingerprint written; the fingerprint is an HMAC of a constant under the key", async () => {
    const file = join(dir, "ro.sqlite")
    expect(await openFailure({ url: file, encryptionKey: key })).toBe("opened")
    const before = readFileSync(file)
    expect(await openFailure({ url: file, encryptionKey: key, readOnly: true })).toBe("opened")
    expect(await openFailure({ url: file, encryptionKey: OTHER_KEY, readOnly: true })).toContain("EncryptionKeyMismatch")
    expect(readFileSync(file).equals(before)).toBe(true)
    const bytes = parseEncryptionKey(key) as Buffer
    expect(keyFingerprint(bytes)).toMatch(/^v1:[A-Za-z0-9+/]{43}=$/)
    expect(keyFingerprint(bytes)).toBe(keyFingerprint(Buffer.from(bytes)))
    expect(keyFingerprint(bytes)).not.toBe(keyFingerprint(parseEncryptionKey(OTHER_KEY) as Buffer))
    rmSync(dir, { recursive: true, force: true })
  })
})
