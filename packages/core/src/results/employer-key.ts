/**
 * Which records are the same employer: within a snapshot (a re-hire is a second employment
 * record at the same employer) and across verifications (new employer, employer missing, pay
 * frequency changed). The EIN decides when both sides have one; otherwise the name, compared
 * without case, punctuation, extra spaces or a trailing company form (Inc, LLC, ...), since
 * payroll providers spell one employer several ways.
 */
const FORMS = /\b(inc|incorporated|llc|l l c|ltd|co|corp|corporation|company|lp|llp|plc)$/

/**
 * @example
 * employerNameKey("Riverside Health Services, Inc.") // "riverside health services"
 */
export const employerNameKey = (name: string | null): string => {
  const plain = (name ?? "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim()
  return plain.replace(FORMS, "").trim()
}

const einDigits = (ein: string | null | undefined): string | null => {
  const digits = (ein ?? "").replace(/\D/g, "")
  return digits.length === 9 ? digits : null
}

/** The grouping key of an employer: `ein:<9 digits>` when known, else `name:<normalised name>`. */
export const employerKey = (e: { readonly name: string | null; readonly ein?: string | null }): string => {
  const ein = einDigits(e.ein)
  return ein !== null ? `ein:${ein}` : `name:${employerNameKey(e.name)}`
}

/** The same employer: equal EINs when both have one, else equal normalised names. */
export const sameEmployer = (
  a: { readonly name: string | null; readonly ein?: string | null },
  b: { readonly name: string | null; readonly ein?: string | null }
): boolean => {
  const ea = einDigits(a.ein)
  const eb = einDigits(b.ein)
  if (ea !== null && eb !== null) return ea === eb
  return employerNameKey(a.name) === employerNameKey(b.name)
}
