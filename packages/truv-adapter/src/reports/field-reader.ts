/**
 * Reads the leaf values of a report one by one, recording what is odd as core `DataIssue`s that
 * name the field. A present but malformed amount or date is `blocking` (the income would be
 * wrong); an unknown code or a rounded rate is a `note`; a missing optional value is simply
 * null. Messages never quote the value (income is personal data).
 */
import type { DataIssue } from "@recert/core"
import { decimalToCents } from "./decimal-cents.js"
import { truvDate } from "./truv-date.js"

export class FieldReader {
  readonly issues: Array<DataIssue> = []

  private note(path: string, problem: DataIssue["problem"], severity: DataIssue["severity"], message: string): null {
    this.issues.push({ path, problem, severity, message })
    return null
  }

  /** A string (numbers are written as text); null when absent. */
  text(value: unknown): string | null {
    if (typeof value === "string") return value
    return typeof value === "number" ? String(value) : null
  }

  /** Cents from a decimal string or number. `required`: absence is blocking too. */
  cents(value: unknown, path: string, required = false): number | null {
    if (value === null || value === undefined || value === "") {
      return required ? this.note(path, "malformed-amount", "blocking", "is missing") : null
    }
    const parsed = typeof value === "string" || typeof value === "number" ? decimalToCents(value) : { ok: false as const }
    if (!parsed.ok) return this.note(path, "malformed-amount", "blocking", "is not a decimal amount")
    if (parsed.rounded) this.note(path, "rounded-amount", "note", "has more than two decimals; rounded to the cent")
    return parsed.cents
  }

  /** A decimal quantity (hours, units) as a number. */
  quantity(value: unknown, path: string): number | null {
    if (value === null || value === undefined || value === "") return null
    const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN
    return Number.isFinite(n) && n >= 0 ? n : this.note(path, "malformed-amount", "blocking", "is not a non-negative decimal")
  }

  /** A calendar date from `YYYY-MM-DD` or an ISO timestamp. `required`: absence is blocking too. */
  date(value: unknown, path: string, required = false): string | null {
    if (value === null || value === undefined || value === "") {
      return required ? this.note(path, "malformed-date", "blocking", "is missing") : null
    }
    const d = typeof value === "string" ? truvDate(value) : null
    return d ?? this.note(path, "malformed-date", "blocking", "is not a date (YYYY-MM-DD or an ISO timestamp)")
  }

  /** A boolean; anything else present is a note and reads as null. */
  flag(value: unknown, path: string): boolean | null {
    if (typeof value === "boolean") return value
    return value === null || value === undefined ? null : this.note(path, "wrong-type", "note", "is not true or false")
  }

  /** A code among `known`; an unknown one is kept raw with a note. */
  code<K extends string>(value: unknown, known: ReadonlyArray<K>, path: string): { code: K | null; raw: string | null } {
    const raw = this.text(value)
    if (raw === null) return { code: null, raw: null }
    if ((known as ReadonlyArray<string>).includes(raw)) return { code: raw as K, raw: null }
    this.note(path, "unknown-code", "note", `is a code Recert does not know; kept as given`)
    return { code: null, raw }
  }

  /** A string array (e.g. `derived_fields`); anything else reads as empty. */
  strings(value: unknown): Array<string> {
    return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : []
  }
}
