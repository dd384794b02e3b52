/**
 * Money for the pay history: every amount is an integer number of cents, every quantity
 * (hours, units) an integer number of hundredths, and only the JSON shows them as Truv's decimal
 * strings ("1234.56"). No float ever holds an amount, so sums add up to the cent.
 */

/** Integer division rounded half up, for non-negative integers (a / b). */
export const divRound = (a: number, b: number): number => Math.floor((2 * a + b) / (2 * b))

/** `bp` basis points (1/100 of a percent) of `cents`, rounded half up to the cent. */
export const basisPoints = (cents: number, bp: number): number => divRound(cents * bp, 10_000)

/** Hundredths (cents or centi-hours) as Truv's decimal string: 123456 -> "1234.56". */
export const decimal = (hundredths: number): string => {
  const sign = hundredths < 0 ? "-" : ""
  const abs = Math.abs(hundredths)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`
}

/** A decimal string with at most two decimals ("22.5", "1234.56") as hundredths; null when it is not one. */
export const parseDecimal = (text: string): number | null => {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text)
  if (m === null) return null
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"))
}

export const sum = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0)
