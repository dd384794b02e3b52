/**
 * Truv's amounts are decimal strings (`"1477.13"`); money in Recert is integer cents. The
 * conversion is done on the digits, never through a float, so `"0.29"` is 29 cents and not
 * 28.999999999999996. More than two decimals (seen on rates) are rounded half away from zero on
 * the digits and reported as rounded; anything that is not a plain decimal is malformed.
 */

export type CentsParse =
  | { readonly ok: true; readonly cents: number; readonly rounded: boolean }
  | { readonly ok: false }

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$|^([+-]?)\.(\d+)$/

/**
 * @example
 * decimalToCents("1477.13")   // { ok: true, cents: 147713, rounded: false }
 * decimalToCents("19.505")    // { ok: true, cents: 1951, rounded: true }
 * decimalToCents("12,50")     // { ok: false }
 */
export const decimalToCents = (value: string | number): CentsParse => {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim()
  if (/e/i.test(text)) return { ok: false }
  const m = DECIMAL.exec(text)
  if (m === null) return { ok: false }
  const sign = (m[1] ?? m[4]) === "-" ? -1 : 1
  const whole = m[2] ?? "0"
  const fraction = m[3] ?? m[5] ?? ""
  const cents2 = (fraction + "00").slice(0, 2)
  const roundUp = fraction.length > 2 && fraction.charCodeAt(2) >= 53
  const cents = Number(whole) * 100 + Number(cents2) + (roundUp ? 1 : 0)
  if (!Number.isSafeInteger(cents)) return { ok: false }
  return { ok: true, cents: sign * cents === 0 ? 0 : sign * cents, rounded: /[1-9]/.test(fraction.slice(2)) }
}
