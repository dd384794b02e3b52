/** The case-file readers: CSV records with their lines, JSON element lines, every issue at once. */
import { describe, expect, it } from "vitest"
import { parseCsvCases, parseJsonCases } from "../src/import/case-file.js"
import { parseCsv } from "../src/import/csv.js"
import { arrayElementLines } from "../src/import/json-lines.js"

const NOW = Date.parse("2026-11-22T10:00:00Z")

describe("CSV reader", () => {
  it("quotes, escaped quotes, CRLF, a quoted newline, blank lines", () => {
    expect(parseCsv("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",z\n")).toEqual({
      records: [
        { line: 1, fields: ["a", "b"] },
        { line: 2, fields: ["x,1", "say \"hi\""] },
        { line: 4, fields: ["multi\nline", "z"] }
      ]
    })
  })
  it("an unterminated quote names its line", () => {
    expect(parseCsv("a\n\"oops\n")).toEqual({ error: { line: 2, message: "unterminated quoted field" } })
  })
})

describe("case files", () => {
  it("CSV: unknown and missing columns are reported on the header line", () => {
    expect(parseCsvCases("id,due,cycle\n", NOW)).toEqual({ issues: [
      { line: 1, field: "due", message: "unknown column (expected id, dueAt, cycle, rootOrderId, product, lastVerifiedAt, closingDate, baselineMonthlyIncome, baselineWeeklyHours, baselineEmployer, baselinePayFrequency, baselineVerifiedAt, firstName, lastName, email, phone, externalUserId, closedAt, closedReason)" },
      { line: 1, field: "dueAt", message: "missing column" },
      { line: 1, field: "rootOrderId", message: "missing column" }
    ] })
  })
  it("CSV: wrong field counts and duplicate ids, each with its line", () => {
    const result = parseCsvCases("id,dueAt,cycle,rootOrderId\nc1,2026-12-01T00:00:00Z,annual,o1\nc2,2026-12-01T00:00:00Z\nc1,2026-12-02T00:00:00Z,annual,o1\n", NOW)
    expect(result).toEqual({ issues: [
      { line: 3, field: "(row)", message: "2 field(s), expected 4" },
      { line: 4, field: "id", message: "duplicate case id \"c1\" (first on line 2)" }
    ] })
  })
  it("JSON: element lines, nested braces and strings with brackets do not confuse the scan", () => {
    const text = "[\n  {\"id\": \"a[1]\", \"x\": {\"y\": [1, 2]}},\n\n  {\"id\": \"b\"}, {\"id\": \"c\"}\n]"
    expect(arrayElementLines(text)).toEqual([2, 4, 4])
  })
  it("JSON: not an array, and invalid fields by line", () => {
    expect(parseJsonCases("7", NOW)).toEqual({ issues: [{ line: 1, field: "(file)", message: "expected a JSON array of cases, or JSON Lines (one case object per line)" }] })
    const result = parseJsonCases("[\n{\"id\":\"a\",\"dueAt\":\"2026-12-01T00:00:00Z\",\"cycle\":\"annual\",\"rootOrderId\":\"o\"},\n{\"id\":\"b\",\"cycle\":\"annual\",\"rootOrderId\":\"o\"}\n]", NOW)
    expect("issues" in result ? result.issues.map((i) => [i.line, i.field]) : []).toEqual([[3, "dueAt"]])
  })
})
