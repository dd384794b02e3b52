/**
 * The scenario knobs: each `PayChangeInput` changes a resolved `PayHistorySpec` from its date.
 * A raise or cut, fewer hours and a new frequency (irregular included) become terms changes of
 * one employment; `end` sets its end date (the earliest end wins); `no-pay` adds an unpaid
 * stretch; `new-employer` adds an employment starting on its date. Used when a lineage is seeded
 * and when a knob is set later (`sandbox.changePay`, `POST /_sandbox/links/{id}/pay`).
 */
import { type Day } from "./civil-date.js"
import { parseDecimal } from "./money.js"
import { type Employer, type EmploymentSpec, knobDay, type PayChangeInput, type PayHistorySpec, type PayHistoryInput, type PayTerms } from "./pay-spec.js"

/** What a new employment is made of when its input leaves a field out. */
export const DEFAULT_TERMS: PayTerms = { payFrequency: "BW", incomeUnit: "HOURLY", rateCents: 2250, hoursPerWeek: 4000 }
export const DEFAULT_JOB_TITLE = "Associate"

type JobInput = Pick<PayHistoryInput, "employer" | "jobTitle" | "payFrequency" | "incomeUnit" | "rate" | "hoursPerWeek">

export const defaultEmployer = (name: string, index: number): Employer => ({
  name, ein: `12-34567${String(80 + index).padStart(2, "0")}`, phone: `503555${String(1000 + index).padStart(4, "0")}`,
  street: `${100 + index} Main St`, city: "Portland", state: "OR", zip: "97201"
})

const withDefaults = (base: Employer, given: JobInput["employer"]): Employer =>
  Object.fromEntries(Object.entries(base).map(([k, v]) => [k, given?.[k as keyof Employer] ?? v])) as unknown as Employer

/** An employment from job fields, starting on `startDate`, with the defaults for what is left out. */
export const employmentFrom = (job: JobInput, startDate: Day, fallbackName: string, index: number): EmploymentSpec => ({
  employer: withDefaults(defaultEmployer(job.employer?.name ?? fallbackName, index), job.employer),
  jobTitle: job.jobTitle ?? DEFAULT_JOB_TITLE,
  startDate,
  terms: {
    payFrequency: job.payFrequency ?? DEFAULT_TERMS.payFrequency,
    incomeUnit: job.incomeUnit ?? DEFAULT_TERMS.incomeUnit,
    rateCents: job.rate === undefined ? (job.incomeUnit === "YEARLY" ? 5_200_000 : DEFAULT_TERMS.rateCents) : parseDecimal(job.rate)!,
    hoursPerWeek: job.hoursPerWeek === undefined ? DEFAULT_TERMS.hoursPerWeek : Math.round(job.hoursPerWeek * 100)
  },
  changes: [],
  endDate: null,
  gaps: []
})

/** The spec with `change` applied to employment `employment` (0 = the connection's first). */
export function applyPayChange(spec: PayHistorySpec, change: PayChangeInput, employment = 0): PayHistorySpec {
  const from = knobDay(change.at)
  if (change.kind === "new-employer") {
    const index = spec.employments.length
    return { ...spec, employments: [...spec.employments, employmentFrom(change, from, `Employer ${index + 1}`, index)] }
  }
  const target = spec.employments[employment]
  if (target === undefined) throw new Error(`pay change: no employment ${employment} (the connection has ${spec.employments.length})`)
  const changed = changeEmployment(target, change, from)
  return { ...spec, employments: spec.employments.map((e, i) => (i === employment ? changed : e)) }
}

function changeEmployment(e: EmploymentSpec, change: Exclude<PayChangeInput, { kind: "new-employer" }>, from: Day): EmploymentSpec {
  switch (change.kind) {
    case "rate":
      return { ...e, changes: [...e.changes, { kind: "rate", from, rateCents: parseDecimal(change.rate)!, incomeUnit: change.incomeUnit }] }
    case "hours":
      return { ...e, changes: [...e.changes, { kind: "hours", from, hoursPerWeek: Math.round(change.hoursPerWeek * 100) }] }
    case "frequency":
      return { ...e, changes: [...e.changes, { kind: "frequency", from, payFrequency: change.payFrequency }] }
    case "irregular":
      return { ...e, changes: [...e.changes, { kind: "frequency", from, payFrequency: "irregular" }] }
    case "end":
      return { ...e, endDate: e.endDate === null ? from : Math.min(e.endDate, from) }
    case "no-pay":
      return { ...e, gaps: [...e.gaps, { from, days: change.days }] }
  }
}
