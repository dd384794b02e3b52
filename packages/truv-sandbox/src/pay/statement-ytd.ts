/**
 * Year-to-date figures of a statement: running sums over the employment's statements paid
 * earlier in the same calendar year (by pay date) plus this one. They restart at zero with the
 * first statement paid in a new year. Lines are summed by name, in the order first seen.
 */
import type { DeductionLine, EarningLine } from "./pay-lines.js"

export interface YtdLine {
  readonly name: string
  readonly category: string
  readonly amount: number
}

export interface StatementYtd {
  readonly gross: number
  readonly net: number
  readonly regular: number
  readonly overtime: number
  readonly bonus: number
  readonly earnings: ReadonlyArray<YtdLine>
  readonly deductions: ReadonlyArray<YtdLine>
}

export const EMPTY_YTD: StatementYtd = { gross: 0, net: 0, regular: 0, overtime: 0, bonus: 0, earnings: [], deductions: [] }

const byCategory = (lines: ReadonlyArray<EarningLine>, category: EarningLine["category"]): number =>
  lines.filter((l) => l.category === category).reduce((a, l) => a + l.amount, 0)

/** The YTD after a statement with these lines, given the YTD before it (EMPTY_YTD in a new year). */
export function addToYtd(before: StatementYtd, earnings: ReadonlyArray<EarningLine>, deductions: ReadonlyArray<DeductionLine>, gross: number, net: number): StatementYtd {
  return {
    gross: before.gross + gross,
    net: before.net + net,
    regular: before.regular + byCategory(earnings, "regular"),
    overtime: before.overtime + byCategory(earnings, "overtime"),
    bonus: before.bonus + byCategory(earnings, "bonus"),
    earnings: addLines(before.earnings, earnings),
    deductions: addLines(before.deductions, deductions)
  }
}

function addLines(before: ReadonlyArray<YtdLine>, lines: ReadonlyArray<{ readonly name: string; readonly category: string; readonly amount: number }>): ReadonlyArray<YtdLine> {
  const out = before.map((l) => ({ ...l }))
  for (const line of lines) {
    const found = out.find((l) => l.name === line.name)
    if (found === undefined) out.push({ name: line.name, category: line.category, amount: line.amount })
    else found.amount += line.amount
  }
  return out
}
