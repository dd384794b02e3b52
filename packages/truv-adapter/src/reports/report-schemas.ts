/**
 * zod schemas of Truv's income and employment report payloads (truv-reports-notes §2): the
 * order's `employers[].employments[]`, the link report (`/v1/links/{id}/income|employment/report/`)
 * and the user report. LIBERAL by design: every object keeps unknown fields (`looseObject`), and
 * leaf values (amounts, dates, codes) are read as `unknown` here and checked one by one by the
 * mapping, so a bad amount becomes an issue naming its field instead of failing the whole
 * report. Only the containers must have their shape (an `employments` that is not an array is
 * an error naming it).
 */
import { z } from "zod"

const leaf = z.unknown().optional()
const list = <T extends z.ZodType>(item: T) => z.array(item).nullable().optional()

export const EarningJson = z.looseObject({ name: leaf, amount: leaf, category: leaf, rate: leaf, units: leaf })
export const DeductionJson = z.looseObject({ name: leaf, amount: leaf, category: leaf })

export const StatementJson = z.looseObject({
  id: leaf, check_number: leaf, pay_date: leaf, period_start: leaf, period_end: leaf,
  gross_pay: leaf, net_pay: leaf, gross_pay_ytd: leaf, net_pay_ytd: leaf,
  regular: leaf, overtime: leaf, bonus: leaf, commission: leaf, other_pay: leaf,
  hours: leaf, basis_of_pay: leaf,
  earnings: list(EarningJson), deductions: list(DeductionJson)
})
export type StatementJson = z.infer<typeof StatementJson>

export const EmploymentJson = z.looseObject({
  id: leaf, is_active: leaf, job_title: leaf, job_type: leaf,
  start_date: leaf, original_hire_date: leaf, end_date: leaf,
  derived_fields: leaf, missing_data_fields: leaf,
  income: leaf, income_unit: leaf, pay_rate: leaf, pay_frequency: leaf,
  company: z.looseObject({ name: leaf, ein: leaf }).nullable().optional(),
  statements: list(StatementJson)
})
export type EmploymentJson = z.infer<typeof EmploymentJson>

/** One suborder of `GET /v1/orders/{id}/` with its `employments[]`. */
export const SuborderReportJson = z.looseObject({
  id: leaf, status: leaf, link_id: leaf,
  employments: list(EmploymentJson)
})
export type SuborderReportJson = z.infer<typeof SuborderReportJson>

/** `GET /v1/orders/{id}/` read as a report. */
export const OrderReportJson = z.looseObject({
  id: z.string(),
  products: z.array(z.string()).nullable().optional(),
  employers: z.array(SuborderReportJson).nullable().optional()
})
export type OrderReportJson = z.infer<typeof OrderReportJson>

/** `GET /v1/links/{link_id}/income/report/` or `.../employment/report/`. */
export const LinkReportJson = z.looseObject({
  id: leaf, status: leaf, is_suspicious: leaf, refresh_status: leaf, finished_at: leaf,
  employments: list(EmploymentJson)
})
export type LinkReportJson = z.infer<typeof LinkReportJson>

/** `GET /v1/users/{user_id}/reports/{report_id}/`. */
export const UserReportJson = z.looseObject({
  report_id: leaf,
  links: z.array(z.looseObject({ link_id: leaf, employments: list(EmploymentJson) }))
})
export type UserReportJson = z.infer<typeof UserReportJson>
