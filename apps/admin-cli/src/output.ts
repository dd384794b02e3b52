/**
 * Output helpers: JSON with a fixed layout, aligned plain-text tables, and ANSI colour that is
 * used only when stdout is a terminal and `NO_COLOR` is unset (effect's `TerminalCapabilities`
 * decides, the same switch its help output uses). Colour is decoration only: the text with
 * colour stripped is byte-for-byte the uncoloured output.
 */
import { Console, Effect } from "effect"
import { TerminalCapabilities } from "effect/cli"

export interface Paint {
  readonly bold: (s: string) => string
  readonly dim: (s: string) => string
  readonly red: (s: string) => string
  readonly green: (s: string) => string
  readonly yellow: (s: string) => string
  readonly cyan: (s: string) => string
}

const ansi = (code: number) => (s: string) => s === "" ? s : `\u001b[${code}m${s}\u001b[0m`
const plain = (s: string) => s

export const COLOR: Paint = { bold: ansi(1), dim: ansi(2), red: ansi(31), green: ansi(32), yellow: ansi(33), cyan: ansi(36) }
export const NO_COLOR: Paint = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain }

/** The paint for this run: colour only on a terminal without `NO_COLOR`. */
export const paint: Effect.Effect<Paint> = Effect.gen(function*() {
  return (yield* TerminalCapabilities.TerminalCapabilities).canColor ? COLOR : NO_COLOR
})

/** Prints a JSON document (two-space indent) on stdout. */
export const printJson = (value: unknown): Effect.Effect<void> => Console.log(JSON.stringify(value, null, 2))

/** Prints lines of text on stdout as one write. */
export const printLines = (lines: ReadonlyArray<string>): Effect.Effect<void> => Console.log(lines.join("\n"))

/**
 * A value from the database or a file made safe for a terminal: control characters (C0, DEL,
 * C1, so ESC of a terminal escape sequence too) are shown as `\x1b`-style escapes instead of
 * acting on the terminal. Imports refuse such ids; this guards everything else printed (ids that
 * came from Truv, a database written by other means).
 *
 * @example
 * printable("case\u001b[2J") // "case\\x1b[2J"
 */
export const printable = (s: string): string =>
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)

/** A table cell: its text, and how to colour it once padded. */
export type Cell = string | { readonly text: string; readonly paint: (s: string) => string }

const text = (c: Cell): string => printable(typeof c === "string" ? c : c.text)

/**
 * Aligns rows under headers with two spaces between columns; the last column is not padded, so
 * lines carry no trailing spaces.
 *
 * @example
 * table(NO_COLOR, ["CASE", "VERDICT"], [["case-1", "refresh"]])
 * // ["CASE    VERDICT", "case-1  refresh"]
 */
export const table = (p: Paint, headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): Array<string> => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<Cell>, header: boolean): string =>
    cells.map((c, i) => {
      const t = text(c)
      const padded = i === cells.length - 1 ? t : t.padEnd(widths[i]!)
      if (header) return p.bold(padded)
      return typeof c === "string" ? padded : c.paint(t) + padded.slice(t.length)
    }).join("  ")
  return [line(headers, true), ...rows.map((r) => line(r, false))]
}

/** `-` for an absent value. */
export const orDash = (v: string | number | null | undefined): string => v === null || v === undefined ? "-" : String(v)
