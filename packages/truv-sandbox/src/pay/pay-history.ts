/**
 * The pure pay history generator: `payHistoryAt(spec, seed, asOf)` gives every statement paid up
 * to `asOf`'s UTC date, the same for the same inputs. Periods are walked from each employment's
 * start date; each period draws six numbers from the employment's own seeded PRNG whether it is
 * paid or not, so moving `asOf` forward only appends statements and a knob changes nothing before
 * its date. Terms changes apply from the first period starting on or after their date; an ended
 * employment has no period after its end date, its last period is cut there and paid pro rata, and
 * no pay date falls after the end date (later ones move to it); a `no-pay` stretch drops the
 * statements paid in it. An employment appears once its start date has come.
 */
import { createHash } from "node:crypto"
import { Prng } from "../prng.js"
import { type Day, dayOfInstant, isoDay } from "./civil-date.js"
import type { EmploymentHistory, PayHistory, PayStatement } from "./pay-model.js"
import { type PeriodDraws, periodLines, type Withholding } from "./pay-lines.js"
import { payDateOf, periodFrom } from "./pay-schedule.js"
import type { EmploymentSpec, PayHistorySpec, PayTerms } from "./pay-spec.js"
import { addToYtd, EMPTY_YTD, type StatementYtd } from "./statement-ytd.js"
import { annualSummaries, w2s } from "./year-summaries.js"

export function payHistoryAt(spec: PayHistorySpec, seed: number, asOf: number): PayHistory {
  const day = dayOfInstant(asOf)
  const employments = spec.employments.flatMap((e, index) => (e.startDate <= day ? [employmentAt(e, index, seed, day)] : []))
  return { asOf: new Date(asOf).toISOString(), employments }
}

/** The terms in force on `day`: every change dated on or before it, in date order (ties: as given). */
export function termsOn(e: EmploymentSpec, day: Day): PayTerms {
  return [...e.changes].sort((a, b) => a.from - b.from).filter((c) => c.from <= day).reduce<PayTerms>((t, c) => {
    switch (c.kind) {
      case "rate": return { ...t, rateCents: c.rateCents, incomeUnit: c.incomeUnit ?? t.incomeUnit }
      case "hours": return { ...t, hoursPerWeek: c.hoursPerWeek }
      case "frequency": return { ...t, payFrequency: c.payFrequency }
    }
  }, e.terms)
}

/** A 32-hex id derived from the seed and a name, so ids are stable and need no PRNG draw. */
export const derivedId = (seed: number, name: string): string => createHash("md5").update(`${seed}:${name}`).digest("hex")

function employmentAt(e: EmploymentSpec, index: number, seed: number, day: Day): EmploymentHistory {
  const prng = new Prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0)
  const withholding: Withholding = {
    federal: 800 + Math.floor(prng.next() * 401),
    state: 300 + Math.floor(prng.next() * 201),
    retirement: prng.next() < 0.4 ? 0 : 300 + Math.floor(prng.next() * 301)
  }
  const statements = withYtd(periodsUpTo(e, prng, withholding, day).filter((s) => s.payDay <= day && !inGap(e, s.payDay)), seed, index)
  const ended = e.endDate !== null && e.endDate <= day
  const terms = termsOn(e, day)
  return {
    id: derivedId(seed, `employment:${index}`), index, employer: e.employer, jobTitle: e.jobTitle,
    jobType: terms.hoursPerWeek >= 3500 ? "F" : "P", startDate: isoDay(e.startDate),
    endDate: ended ? isoDay(e.endDate) : null, isActive: !ended, terms,
    statements, annualSummaries: annualSummaries(statements), w2s: w2s(statements, day)
  }
}

type Unnumbered = Omit<PayStatement, "id" | "checkNumber" | "ytd" | "payDate"> & { readonly payDay: Day }

function periodsUpTo(e: EmploymentSpec, prng: Prng, withholding: Withholding, day: Day): Array<Unnumbered> {
  const out: Array<Unnumbered> = []
  for (let cursor = e.startDate; cursor <= day && (e.endDate === null || cursor <= e.endDate);) {
    const terms = termsOn(e, cursor)
    const draws = [prng.next(), prng.next(), prng.next(), prng.next(), prng.next(), prng.next()] as const satisfies PeriodDraws
    const period = periodFrom(terms.payFrequency, cursor, draws[0])
    const end = e.endDate === null ? period.naturalEnd : Math.min(period.naturalEnd, e.endDate)
    const regularPay = payDateOf(terms.payFrequency, period.naturalEnd)
    const payDay = e.endDate !== null && regularPay > e.endDate ? e.endDate : regularPay
    const lines = periodLines(terms, period, end - cursor + 1, draws, withholding, e.employer.state)
    out.push({ payDay, periodStart: isoDay(cursor), periodEnd: isoDay(end), terms, ...lines })
    cursor = period.naturalEnd + 1
  }
  return out
}

const inGap = (e: EmploymentSpec, payDay: Day): boolean => e.gaps.some((g) => payDay >= g.from && payDay < g.from + g.days)

/** Orders the paid statements by pay date, numbers them and adds the YTD figures (reset each calendar year). */
function withYtd(paid: ReadonlyArray<Unnumbered>, seed: number, index: number): Array<PayStatement> {
  const sorted = [...paid].sort((a, b) => a.payDay - b.payDay || a.periodStart.localeCompare(b.periodStart))
  let ytd: StatementYtd = EMPTY_YTD
  let year = ""
  return sorted.map(({ payDay, ...s }, n) => {
    const payDate = isoDay(payDay)
    if (payDate.slice(0, 4) !== year) [ytd, year] = [EMPTY_YTD, payDate.slice(0, 4)]
    ytd = addToYtd(ytd, s.earnings, s.deductions, s.gross, s.net)
    return { id: derivedId(seed, `statement:${index}:${s.periodStart}`), checkNumber: String(100_001 + n), payDate, ...s, ytd }
  })
}
