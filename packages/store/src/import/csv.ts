/**
 * A small RFC 4180 CSV reader: comma separated, `"` quoted fields with `""` escapes, quoted
 * fields may span lines, CRLF or LF. Each record keeps the 1-based line it starts on, so import
 * errors can point at it.
 */
export interface CsvRecord {
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

export type CsvResult = { readonly records: ReadonlyArray<CsvRecord> } | { readonly error: { readonly line: number; readonly message: string } }

export const parseCsv = (text: string): CsvResult => {
  const records: Array<CsvRecord> = []
  let fields: Array<string> = []
  let field = ""
  let line = 1
  let recordLine = 1
  let quoted = false
  let quoteStartLine = 0
  let i = 0
  const endRecord = () => {
    fields.push(field)
    // A blank line is not a record.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields })
    fields = []
    field = ""
  }
  while (i < text.length) {
    const ch = text[i]!
    if (quoted) {
      if (ch === "\"") {
        if (text[i + 1] === "\"") { field += "\""; i += 2; continue }
        quoted = false
      } else {
        if (ch === "\n") line++
        field += ch
      }
      i++
      continue
    }
    if (ch === "\"" && field === "") { quoted = true; quoteStartLine = line }
    else if (ch === ",") { fields.push(field); field = "" }
    else if (ch === "\r" && text[i + 1] === "\n") { i++; continue }
    else if (ch === "\n") { endRecord(); line++; recordLine = line }
    else field += ch
    i++
  }
  if (quoted) return { error: { line: quoteStartLine, message: "unterminated quoted field" } }
  endRecord()
  return { records }
}
