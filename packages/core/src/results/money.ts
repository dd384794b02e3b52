/**
 * Cents as a caseworker reads them: `$1,477.13`, `-$800.00`. Integer arithmetic only, so the
 * sentence shows exactly the figure in the data.
 */

/**
 * @example
 * formatCents(147713)  // "$1,477.13"
 * formatCents(-5000)   // "-$50.00"
 */
export const formatCents = (cents: number): string => {
  const abs = Math.abs(cents)
  const dollars = Math.floor(abs / 100).toLocaleString("en-US")
  return `${cents < 0 ? "-" : ""}$${dollars}.${String(abs % 100).padStart(2, "0")}`
}

/** A signed amount: `+$12.00`, `-$800.00`. */
export const formatDelta = (cents: number): string => (cents > 0 ? `+${formatCents(cents)}` : formatCents(cents))
