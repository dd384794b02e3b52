/**
 * Case imports, the rules beyond the schema: JSON Lines, a byte-order mark, header and key names
 * with a hint, `lastVerifiedAt` in the future refused (a due date in the past is fine), control
 * characters in ids refused, problems in line order, and a product the lineage's order type
 * cannot refresh refused by the store inside the import.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { parseCsvCases, parseJsonCases } from "../src/import/case-file.js"
import { generateEncryptionKey, SqlStore, Store } from "../src/index.js"

const NOW = Date.parse("2026-11-22T10:00:00Z")
const fields = (r: ReturnType<typeof parseCsvCases>) => ("issues" in r ? r.issues.map((i) => [i.line, i.field, i.message]) : r.cases.map((c) => [c.line, c.value.id]))

describe("case files: formats", () => {
  it("JSON Lines: one case per line, blank lines skipped, bad lines named", () => {
    expect(fields(parseJsonCases([
      "{\"id\":\"a\",\"dueAt\":\"2026-12-01T00:00:00Z\",\"cycle\":\"annual\",\"rootOrderId\":\"o\"}",
      "",
      "{\"id\":\"b\",\"dueAt\":\"2026-12-02T00:00:00Z\",\"cycle\":\"monthly\",\"rootOrderId\":\"o\",\"product\":\"income\"}"
    ].join("\n"), NOW))).toEqual([[1, "a"], [3, "b"]])
    expect(fields(parseJsonCases("{\"id\":\"a\",\"dueAt\":\"2026-12-01T00:00:00Z\",\"cycle\":\"annual\",\"rootOrderId\":\"o\"}\n{\"id\":\n", NOW)))
      .toEqual([[2, "(row)", "not JSON: Unexpected end of JSON input"]])
  })

  it("a UTF-8 byte-order mark is ignored in CSV, JSON and JSON Lines", () => {
    const row = "{\"id\":\"a\",\"dueAt\":\"2026-12-01T00:00:00Z\",\"cycle\":\"annual\",\"rootOrderId\":\"o\"}"
    expect(fields(parseCsvCases("\uFEFFid,dueAt,cycle,rootOrderId\na,2026-12-01T00:00:00Z,annual,o\n", NOW))).toEqual([[2, "a"]])
    expect(fields(parseJsonCases(`\uFEFF[${row}]`, NOW))).toEqual([[1, "a"]])
    expect(fields(parseJsonCases(`\uFEFF${row}\n`, NOW))).toEqual([[1, "a"]])
  })

  it("a header or key that differs only by case (or is misspelt) is refused with a hint", () => {
    expect(fields(parseCsvCases("ID,DueAt,cycle,rootOrderID\n", NOW))).toEqual([
      [1, "ID", "unknown column (did you mean id?)"],
      [1, "DueAt", "unknown column (did you mean dueAt?)"],
      [1, "rootOrderID", "unknown column (did you mean rootOrderId?)"],
      [1, "id", "missing column"],
      [1, "dueAt", "missing column"],
      [1, "rootOrderId", "missing column"]
    ])
    expect(fields(parseJsonCases("{\"id\":\"a\",\"dueAt\":\"2026-12-01T00:00:00Z\",\"cycle\":\"annual\",\"rootOrderId\":\"o\",\"lastVerifiedat\":null}", NOW)))
      .toEqual([[1, "lastVerifiedat", "unknown key (did you mean lastVerifiedAt?)"]])
  })
})

describe("case files: values", () => {
  const csv = (...rows: Array<string>) => parseCsvCases(["id,dueAt,cycle,rootOrderId,product,lastVerifiedAt", ...rows].join("\n"), NOW)

  it("lastVerifiedAt in the future is refused; a due date in the past is fine", () => {
    expect(fields(csv("a,2020-01-01T00:00:00Z,annual,o,,2026-11-22T10:00:00Z", "b,2026-12-01T00:00:00Z,annual,o,,2026-11-22T10:00:01Z"))).toEqual([
      [3, "lastVerifiedAt", "in the future (2026-11-22T10:00:01Z is after the import at 2026-11-22T10:00:00.000Z)"]
    ])
    expect(fields(csv("a,2020-01-01T00:00:00Z,annual,o,,2026-11-22T10:00:00Z"))).toEqual([[2, "a"]])
  })

  it("control characters and terminal escapes in ids are refused, named without being printed", () => {
    expect(fields(csv("\"case\u001b[2J\",2026-12-01T00:00:00Z,annual,o,,", "b,2026-12-01T00:00:00Z,annual,\"o\u0007\",,", "c\u009b1m,2026-12-01T00:00:00Z,annual,o,,"))).toEqual([
      [2, "id", "control character \\x1b in an id (terminal escapes and line breaks are refused)"],
      [3, "rootOrderId", "control character \\x07 in an id (terminal escapes and line breaks are refused)"],
      [4, "id", "control character \\x9b in an id (terminal escapes and line breaks are refused)"]
    ])
  })

  it("problems come in line order (a duplicate found late is listed at its line)", () => {
    expect(fields(csv("a,2026-12-01T00:00:00Z,annual,o,,", "a,2026-12-01T00:00:00Z,annual,o,,", "c,later,annual,o,,"))).toEqual([
      [3, "id", "duplicate case id \"a\" (first on line 2)"],
      [4, "dueAt", "Invalid ISO datetime"]
    ])
  })
})

describe("importCases: a product the lineage's order type cannot refresh", () => {
  const dir = mkdtempSync(join(tmpdir(), "recert-import-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("is refused by line with what the order type can refresh; nothing is written", async () => {
    const layer = SqlStore.layer({ url: join(dir, "db.sqlite"), encryptionKey: generateEncryptionKey() })
    const result = await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      yield* store.insertLineage({
        rootOrderId: "emp-root", orderType: "employment",
        orders: [{ id: "emp-root", parentId: null, createdAt: "2026-09-01T00:00:00Z" }],
        connections: [{ id: "link-e", suborderId: "sub-e", provider: "adp", authKind: "oauth", authenticatedAt: "2026-09-01T00:00:00Z" }]
      }, { "link-e": Redacted.make("tok-e") })
      const refused = yield* Effect.flip(store.importCases("id,dueAt,cycle,rootOrderId,product\nok,2026-12-01T00:00:00Z,annual,emp-root,employment\nbad,2026-12-01T00:00:00Z,annual,emp-root,income\n", "csv"))
      return { refused, cases: (yield* store.listCases({ limit: 10 })).length }
    }).pipe(Effect.provide(layer)))
    expect(result.refused._tag === "ImportFailed" ? result.refused.issues : result.refused).toEqual([
      { line: 3, field: "product", message: "the lineage's order type employment cannot refresh income (it can refresh only employment)" }
    ])
    expect(result.cases).toBe(0)
  })
})
