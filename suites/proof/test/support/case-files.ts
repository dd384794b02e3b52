/**
 * Generated case files for the import suites: a batch of valid rows, and one defect planted on
 * one row, with the line and field the import must name.
 */
import fc from "fast-check"

export const SEED_LINEAGE = "ord-seed"
export const SEED_CASES = ["case-seed-1", "case-seed-2"]

export interface Row {
  readonly id: string
  readonly dueAt: string
  readonly cycle: string
  readonly rootOrderId: string
  readonly product: string
  readonly lastVerifiedAt: string
}

/** A defect: how it changes the row (or the raw CSV line), and the field the import must name. */
export interface Defect {
  readonly name: string
  readonly field: string
  readonly apply: (row: Row) => Row
  /** CSV only: replaces the row's whole line. */
  readonly csvLine?: (line: string) => string
}

export const DEFECTS: ReadonlyArray<Defect> = [
  { name: "bad instant", field: "dueAt", apply: (r) => ({ ...r, dueAt: "2026-02-30 noon" }) },
  { name: "local time without zone", field: "dueAt", apply: (r) => ({ ...r, dueAt: "2026-12-01T10:00:00" }) },
  { name: "unknown cycle", field: "cycle", apply: (r) => ({ ...r, cycle: "weekly" }) },
  { name: "unknown product", field: "product", apply: (r) => ({ ...r, product: "pizza" }) },
  { name: "bad lastVerifiedAt", field: "lastVerifiedAt", apply: (r) => ({ ...r, lastVerifiedAt: "yesterday" }) },
  { name: "empty id", field: "id", apply: (r) => ({ ...r, id: "" }) },
  { name: "unknown lineage", field: "rootOrderId", apply: (r) => ({ ...r, rootOrderId: "ord-nowhere" }) },
  { name: "case already stored", field: "id", apply: (r) => ({ ...r, id: SEED_CASES[0]! }) },
  { name: "extra field", field: "(row)", apply: (r) => r, csvLine: (l) => `${l},surplus` },
  { name: "missing field", field: "(row)", apply: (r) => r, csvLine: (l) => l.split(",").slice(0, 3).join(",") }
]

export const validRows = (n: number, tag: string): Array<Row> =>
  Array.from({ length: n }, (_, i) => ({
    id: `case-${tag}-${i}`,
    dueAt: new Date(Date.UTC(2026, 11, 1 + (i % 28))).toISOString(),
    cycle: ["annual", "semiannual", "quarterly", "monthly", "ad-hoc"][i % 5]!,
    rootOrderId: SEED_LINEAGE,
    product: i % 2 === 0 ? "income" : "",
    lastVerifiedAt: i % 3 === 0 ? "2025-12-01T00:00:00.000Z" : ""
  }))

const COLUMNS = ["id", "dueAt", "cycle", "rootOrderId", "product", "lastVerifiedAt"] as const

/** CSV with the header on line 1, row i on line i + 2; the defect (if any) on row `at`. */
export const toCsv = (rows: ReadonlyArray<Row>, at: number, defect: Defect | null): string =>
  [COLUMNS.join(","), ...rows.map((r, i) => {
    const row = defect !== null && i === at ? defect.apply(r) : r
    const line = COLUMNS.map((c) => row[c]).join(",")
    return defect?.csvLine !== undefined && i === at ? defect.csvLine(line) : line
  })].join("\n") + "\n"

/** A JSON array, one case per line: element i on line i + 2. `(row)` defects do not apply. */
export const toJson = (rows: ReadonlyArray<Row>, at: number, defect: Defect | null): string =>
  `[\n${rows.map((r, i) => {
    const row = defect !== null && i === at ? defect.apply(r) : r
    return JSON.stringify({ ...row, product: row.product === "" ? null : row.product, lastVerifiedAt: row.lastVerifiedAt === "" ? null : row.lastVerifiedAt })
  }).join(",\n")}\n]\n`

/** A batch of 1–30 valid rows, a row index and a defect. */
export const plantedDefect = (defects: ReadonlyArray<Defect>) =>
  fc.record({ n: fc.integer({ min: 1, max: 30 }), pick: fc.nat(), defect: fc.constantFrom(...defects), tag: fc.integer({ min: 0, max: 0xffffff }).map((t) => t.toString(16)) })
    .map(({ n, pick, defect, tag }) => ({ rows: validRows(n, tag), at: pick % n, defect }))

/** Files that are not case files at all, with the line the import must point at. */
export const BROKEN_FILES: ReadonlyArray<{ name: string; format: "csv" | "json"; text: string; line: number; field: string }> = [
  { name: "empty CSV", format: "csv", text: "", line: 1, field: "(file)" },
  { name: "unterminated quote on line 3", format: "csv", text: `${COLUMNS.join(",")}\ncase-q1,2026-12-01T00:00:00Z,annual,${SEED_LINEAGE},,\n"case-q2,2026-12-01T00:00:00Z,annual,${SEED_LINEAGE},,\n`, line: 3, field: "(file)" },
  { name: "unknown column", format: "csv", text: "id,dueAt,cycle,rootOrderId,colour\n", line: 1, field: "colour" },
  { name: "missing column", format: "csv", text: "id,dueAt,rootOrderId\n", line: 1, field: "cycle" },
  { name: "truncated JSON", format: "json", text: `[\n{"id":"case-t1","dueAt":"2026-12-01T00:00:00Z"`, line: 1, field: "(file)" },
  // A file starting with `{` is JSON Lines: this one line is a case missing every field (and with an unknown key).
  { name: "JSON object that is not a case", format: "json", text: `{"cases":[]}`, line: 1, field: "id" },
  { name: "binary bytes", format: "json", text: "\u0000\u0001\u00ff\ufffd", line: 1, field: "(file)" }
]
