/**
 * A verification as a caseworker reads it (`recert result`): the headline beside the previous
 * verification's, the summary per employer and in total (status, pay frequency, statements in
 * the window, gross, average hours, last pay date and days since, monthly income), the monthly
 * gross totals with partial months labelled, both annualised figures with their methods named,
 * then every reason (code, sentence, numbers) and note. Amounts are dollars with cents.
 */
import {
  type ChangeReason, formatCents, type IncomeSummary, PAY_FREQUENCY_LABEL, type SummaryTotal, type VerificationRecord
} from "@recert/core"
import { type Cell, orDash, type Paint, table } from "../output.js"

const money = (cents: number | null): string => cents === null ? "-" : formatCents(cents)
const hours = (h: number | null): string => h === null ? "-" : h.toFixed(2)
const label = (key: string): string => `  ${key.padEnd(14)}`

/** The figures a verification is recognised by, for the CURRENT / PREVIOUS columns. */
const headline = (v: VerificationRecord | null): Array<string> => {
  if (v === null) return ["none (first verification)", "-", "-", "-", "-", "-", "-", "-"]
  const total = v.result.summary?.total ?? null
  return [
    v.orderId, v.verifiedAt, v.via, v.result.class, money(total?.monthlyIncome.cents ?? null), hours(total?.weeklyHours ?? null),
    String(v.snapshot.employers.length), orDash(total?.lastPayDate)
  ]
}

const HEADLINE_ROWS = ["order", "verified", "via", "class", "monthly income", "hours a week", "employments", "last pay date"]

const sideBySide = (p: Paint, current: VerificationRecord, previous: VerificationRecord | null): Array<string> => {
  const [now, before] = [headline(current), headline(previous)]
  return table(p, ["", "CURRENT", "PREVIOUS"], HEADLINE_ROWS.map((row, i) => [row, now[i]!, before[i]!]))
}

type Figures = SummaryTotal

const figureCells = (f: Figures): Array<string> => [
  String(f.statementsInWindow), money(f.grossCents), hours(f.averageHoursPerStatement), hours(f.weeklyHours),
  orDash(f.lastPayDate), orDash(f.daysSinceLastPay), money(f.monthlyIncome.cents)
]

const employerTable = (p: Paint, s: IncomeSummary): Array<string> => table(p,
  ["EMPLOYER", "STATUS", "PAY", "STATEMENTS", "GROSS", "AVG HOURS", "HOURS/WEEK", "LAST PAY", "DAYS SINCE", "MONTHLY INCOME"],
  [
    ...s.employers.map((e) => [orDash(e.name), `${e.status.state} (${e.status.confidence})`, PAY_FREQUENCY_LABEL[e.payFrequency], ...figureCells(e)]),
    ["total", "-", "-", ...figureCells(s.total)]
  ])

const monthlyTable = (p: Paint, s: IncomeSummary): Array<string> => {
  const names = s.employers.map((e, i) => e.name ?? `employer ${i + 1}`)
  const rows = s.total.monthly.map((m): Array<Cell> => [
    m.partial ? `${m.month} (partial: ${m.from} to ${m.to})` : m.month,
    ...s.employers.map((e) => money(e.monthly.find((x) => x.month === m.month)?.grossCents ?? 0)),
    money(m.grossCents)
  ])
  return table(p, ["MONTH", ...names.map((n) => n.toUpperCase()), "TOTAL"], rows)
}

const annualised = (s: IncomeSummary): Array<string> => {
  const rows = [...s.employers.map((e) => [e.name ?? "-", e] as const), ["total", s.total] as const]
  const width = Math.max(...rows.map(([n]) => n.length))
  return rows.flatMap(([name, f]) => [
    `  ${name.padEnd(width)}  from statements ${money(f.annualisedFromStatements.cents)} (${f.annualisedFromStatements.method})`,
    `  ${"".padEnd(width)}  from the rate   ${money(f.annualisedFromRate.cents)} (${f.annualisedFromRate.method})`
  ])
}

const numbers = (data: Readonly<Record<string, unknown>>): string =>
  Object.entries(data).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")

const reasonLines = (p: Paint, title: string, reasons: ReadonlyArray<ChangeReason>): Array<string> => {
  if (reasons.length === 0) return [p.bold(title), "  none"]
  const width = Math.max(...reasons.map((r) => r.code.length))
  return [p.bold(title), ...reasons.flatMap((r) => [
    `  ${r.code.padEnd(width)}  ${r.message}`,
    ...(Object.keys(r.data).length > 0 ? [`  ${"".padEnd(width)}  ${p.dim(numbers(r.data))}`] : [])
  ])]
}

const summaryLines = (p: Paint, s: IncomeSummary | null): Array<string> => s === null
  ? [p.bold("Summary"), "  none: the report is not usable (see the reasons)"]
  : [
    p.bold(`Summary, ${s.window.label}`), ...employerTable(p, s), "",
    p.bold("Monthly gross, by pay date"), ...monthlyTable(p, s), "",
    p.bold("Annualised"), ...annualised(s)
  ]

/**
 * @example
 * printLines(renderResult(NO_COLOR, latest, previous))
 */
export const renderResult = (p: Paint, v: VerificationRecord, previous: VerificationRecord | null): Array<string> => {
  const r = v.result
  const classText = r.class === "renew" ? p.green("renew") : p.yellow("review")
  const compared = r.baseline === null ? "nothing (first verification, no imported baseline)"
    : `${r.baseline.source === "import" ? "the imported baseline" : "the previous verification"} of ${r.baseline.verifiedAt}: monthly income ${money(r.baseline.monthlyIncomeCents)}, ${hours(r.baseline.weeklyHours)} hours a week`
  return [
    `case ${v.caseId}: ${classText}${r.reasons.length > 0 ? ` (${r.reasons.length} reason${r.reasons.length === 1 ? "" : "s"})` : ""}`,
    `${label("source")}order ${v.orderId} via ${v.via}, verified ${v.verifiedAt}, attempt ${orDash(v.attemptId)}`,
    `${label("classified")}${r.at}, results policy ${r.policyVersion.slice(0, 12)}`,
    `${label("compared with")}${compared}`,
    "",
    ...sideBySide(p, v, previous),
    "",
    ...summaryLines(p, r.summary),
    "",
    ...reasonLines(p, "Reasons", r.reasons),
    ...(r.notes.length > 0 ? ["", ...reasonLines(p, "Notes", r.notes)] : [])
  ]
}
