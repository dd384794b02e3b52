/**
 * The one duration grammar of Recert's command lines and configuration (the scheduler's
 * `--interval`, `RECERT_SHUTDOWN_GRACE`, the admin CLI's `--within`). Pure: text in, milliseconds
 * or a typed error out.
 *
 * Grammar: one or more parts `<whole number><unit>`, no spaces, units from largest to smallest,
 * each at most once. Units: `w` (7 days), `d` (24 h), `h`, `m` (minutes), `s`, `ms`.
 * `30d`, `12h`, `90m`, `30s`, `500ms`, `1h30m`, `2d12h`. A bare number is refused (is `30`
 * seconds, minutes or days?), so are fractions (`1.5h`: write `1h30m`), signs, spaces and units
 * out of order (`30m1h`). A day is 24 h of elapsed time, not a calendar day.
 */

/** Milliseconds per unit, largest first (the order parts must follow). */
export const DURATION_UNITS = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const
export type DurationUnit = keyof typeof DURATION_UNITS

/** What a valid duration looks like, for error messages and help texts. */
export const DURATION_EXPECTED = "a duration such as 30d, 12h, 90m, 30s, 500ms or 1h30m (units w d h m s ms, largest first)"

/** Why a text is not a duration; `message` names the value. */
export interface DurationInvalid {
  readonly _tag: "DurationInvalid"
  readonly input: string
  readonly reason: "empty" | "malformed" | "unit-order" | "too-large"
  readonly message: string
}

export type DurationParse = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly error: DurationInvalid }

// `ms` before `m`, so `500ms` is not read as 500 minutes followed by garbage.
const PART = /(\d+)(ms|w|d|h|m|s)/y
const ORDER: ReadonlyArray<DurationUnit> = ["w", "d", "h", "m", "s", "ms"]

const invalid = (input: string, reason: DurationInvalid["reason"]): DurationParse => ({
  ok: false,
  error: { _tag: "DurationInvalid", input, reason, message: `${JSON.stringify(input)} is not ${DURATION_EXPECTED}` }
})

/**
 * Parses a duration, or says why it is not one.
 *
 * @example
 * parseDurationText("1h30m") // { ok: true, ms: 5_400_000 }
 * parseDurationText("30")    // { ok: false, error: { reason: "malformed", message: '"30" is not a duration such as …' } }
 */
export const parseDurationText = (input: string): DurationParse => {
  if (input === "") return invalid(input, "empty")
  let ms = 0
  let at = 0
  let last = -1
  PART.lastIndex = 0
  while (at < input.length) {
    PART.lastIndex = at
    const m = PART.exec(input)
    if (m === null) return invalid(input, "malformed")
    const rank = ORDER.indexOf(m[2] as DurationUnit)
    if (rank <= last) return invalid(input, "unit-order")
    last = rank
    ms += Number(m[1]) * DURATION_UNITS[m[2] as DurationUnit]
    at = PART.lastIndex
  }
  return Number.isSafeInteger(ms) ? { ok: true, ms } : invalid(input, "too-large")
}

/**
 * Milliseconds, or `null` when the text is not a duration (for parsers that report the
 * problem their own way, such as a command-line flag).
 *
 * @example
 * parseDuration("30d") // 2_592_000_000
 */
export const parseDuration = (input: string): number | null => {
  const r = parseDurationText(input)
  return r.ok ? r.ms : null
}
