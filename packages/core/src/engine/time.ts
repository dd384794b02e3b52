/**
 * Instants inside the engine are epoch milliseconds: parsed once per decision, compared as
 * numbers on the hot path, formatted back to ISO strings only for the decision.
 */
import { Instant } from "../model/primitives.js"

/** The pattern `z.iso.datetime({ offset: true })` checks (the `Instant` schema). */
export const INSTANT_PATTERN: RegExp = (Instant._zod.def as { readonly pattern: RegExp }).pattern

export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

const digits2 = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48
const isDigit = (c: number): boolean => c >= 48 && c <= 57

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
const daysFromCivil = (y: number, m: number, d: number): number => {
  const yy = m <= 2 ? y - 1 : y
  const era = Math.floor(yy / 400)
  const yoe = yy - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468
}

/**
 * ISO-8601 → epoch ms. The engine parses every instant of every decision, and `Date.parse` costs
 * about 0.3 µs, so the shape the schemas accept (`YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`) is read
 * by hand; anything else falls back to `Date.parse`. A property test checks both agree.
 * Inputs are validated by the schemas, so NaN here is a bug.
 */
export const toMs = (iso: string): number => {
  const n = iso.length
  if (n < 20 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45 || iso.charCodeAt(10) !== 84 ||
    iso.charCodeAt(13) !== 58 || iso.charCodeAt(16) !== 58) return Date.parse(iso)
  let i = 19
  let ms = 0
  if (iso.charCodeAt(i) === 46) {
    i++
    let scale = 100
    while (i < n && isDigit(iso.charCodeAt(i))) {
      ms += (iso.charCodeAt(i) - 48) * scale
      scale = scale === 1 ? 0 : scale / 10
      i++
    }
  }
  let offset = 0
  const z = iso.charCodeAt(i)
  if (z === 90 || z === 122) i++
  else if ((z === 43 || z === 45) && n === i + 6 && iso.charCodeAt(i + 3) === 58) {
    offset = (z === 43 ? 1 : -1) * (digits2(iso, i + 1) * 60 + digits2(iso, i + 4)) * MINUTE_MS
    i += 6
  } else return Date.parse(iso)
  if (i !== n) return Date.parse(iso)
  const days = daysFromCivil(digits2(iso, 0) * 100 + digits2(iso, 2), digits2(iso, 5), digits2(iso, 8))
  return days * DAY_MS + digits2(iso, 11) * HOUR_MS + digits2(iso, 14) * MINUTE_MS + digits2(iso, 17) * 1000 + ms - offset
}

/** "00".."99": two-digit fields without a branch or a `padStart` per field. */
const D2: ReadonlyArray<string> = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`))
const pad3 = (x: number): string => (x < 10 ? `00${x}` : x < 100 ? `0${x}` : `${x}`)

// Instants of one decision mostly share a day: keep the last `YYYY-MM-DDT` prefix.
let lastDays = Number.NaN
let lastDayPrefix = ""

/** `YYYY-MM-DDT` of a day since the epoch (H. Hinnant's civil_from_days), or null outside years 0000-9999. */
const dayPrefix = (days: number): string | null => {
  if (days === lastDays) return lastDayPrefix
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  if (y < 0 || y > 9999) return null
  lastDays = days
  lastDayPrefix = `${y < 1000 ? String(y).padStart(4, "0") : y}-${D2[m]!}-${D2[d]!}T`
  return lastDayPrefix
}

/** `toISOString` costs about 1 µs; this formats years 0000-9999 by hand. */
const formatIso = (ms: number): string => {
  const days = Math.floor(ms / DAY_MS)
  const prefix = dayPrefix(days)
  if (prefix === null) return new Date(ms).toISOString()
  const rest = ms - days * DAY_MS
  const h = Math.floor(rest / HOUR_MS)
  const mi = Math.floor((rest % HOUR_MS) / MINUTE_MS)
  const s = Math.floor((rest % MINUTE_MS) / 1000)
  return `${prefix}${D2[h]!}:${D2[mi]!}:${D2[s]!}.${pad3(rest % 1000)}Z`
}

// A batch decides many inputs at one instant: remember the last instant formatted.
let lastMs = Number.NaN
let lastIso = ""

/** Epoch ms → `2026-11-22T10:00:00.000Z` (the same string as `Date.prototype.toISOString`). */
export const toIso = (ms: number): string => {
  if (ms !== lastMs) {
    lastIso = formatIso(ms)
    lastMs = ms
  }
  return lastIso
}

// `now` is formatted once per decision and is the same for a whole batch: its own slot, so the
// other instants of a decision do not evict it.
let nowMs = Number.NaN
let nowIso = ""

/** `toIso` for the decision instant (a separate one-entry cache). */
export const instantIso = (ms: number): string => {
  if (ms !== nowMs) {
    nowIso = formatIso(ms)
    nowMs = ms
  }
  return nowIso
}

/**
 * Whether `iso` is already exactly what `toIso(toMs(iso))` returns (`YYYY-MM-DDTHH:MM:SS.sssZ`
 * naming a real instant), so a decision can quote it instead of formatting it again. The date
 * and time ranges are the schema's own pattern (real days, leap years), which V8 runs as
 * compiled code faster than a hand loop over the characters.
 */
export const isCanonicalIso = (iso: string): boolean =>
  iso.length === 24 && iso.charCodeAt(23) === 90 && iso.charCodeAt(19) === 46 && INSTANT_PATTERN.test(iso)

/** The ISO form of an instant given as `source` (parsed to `ms`): `source` itself when canonical. */
export const isoOf = (source: string, ms: number): string => (isCanonicalIso(source) ? source : toIso(ms))

/** Epoch ms → `2026-11-22`, for sentences a caseworker reads. */
export const toDay = (ms: number): string => toIso(ms).slice(0, 10)

/** A duration in words: "3 h 20 min", "2 days 4 h", "45 min". */
export const describeDuration = (ms: number): string => {
  const minutes = Math.ceil(ms / MINUTE_MS)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours < 48) return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`
  const days = Math.floor(hours / 24)
  const h = hours % 24
  return h === 0 ? `${days} days` : `${days} days ${h} h`
}
