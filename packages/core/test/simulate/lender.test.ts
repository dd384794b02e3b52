/**
 * The simulator's lender cases live in the pre-closing mode (issue 18, part 3): every strategy
 * holds them to the window of N business days before the note date (US federal holidays), the
 * loan's requirement; nothing is refreshed or sent before it opens, a renewal not done by the note
 * date is lost, and the GSE free quota is counted per loan.
 */
import { describe, expect, it } from "vitest"
import {
  businessCalendar, businessDaysBefore, dayNumber, DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, DEFAULT_TIMING_POLICY, PolicyConfig, type SimulatedAction,
  simulate, simulationCaseload
} from "../../src/index.js"

const lenders = { ...DEFAULT_SIMULATION, cases: 400, months: 12, seed: 5, annual: 0, semiannual: 0, quarterly: 0, lender: 1 }
const configs = { configured: PolicyConfig.parse({ learning: {}, timing: {} }), basic: DEFAULT_POLICY_CONFIG }
const START = dayNumber("2027-01-01")

describe("the simulator's lender cases: the pre-closing window", () => {
  const actions: Array<SimulatedAction> = []
  const result = simulate(lenders, configs, undefined, (a) => actions.push(a))
  const caseload = new Map(simulationCaseload(lenders).map((c) => [c.id, c]))
  const firstDay = (strategy: string, caseId: string) => actions.find((a) => a.strategy === strategy && a.caseId === caseId)?.day
  const opensDay = (closingDate: string) => businessDaysBefore(dayNumber(closingDate), 10, businessCalendar(DEFAULT_TIMING_POLICY.closing)) - START
  const date = (day: number) => new Date((START + day) * 86_400_000).toISOString().slice(0, 10)

  it.each([
    ["across Independence Day observed (Mon July 5) and a weekend: a Saturday closing", "sim-380", "2027-07-10", "2027-06-25"],
    ["a closing on the observed holiday itself", "sim-373", "2027-07-05", "2027-06-21"],
    ["across Thanksgiving and a weekend", "sim-320", "2027-12-09", "2027-11-24"],
    ["across Martin Luther King Day and two weekends", "sim-291", "2027-01-25", "2027-01-08"],
    ["across Juneteenth observed (Fri June 18)", "sim-277", "2027-06-25", "2027-06-10"],
    ["across Christmas observed (Fri December 24)", "sim-272", "2027-12-27", "2027-12-10"],
    ["across Veterans Day", "sim-382", "2027-11-22", "2027-11-05"],
    ["a window opened before the simulation starts (across New Year's Day): the first day", "sim-292", "2027-01-15", "2027-01-01"]
  ])("%s: %s closing %s, first asked %s by every strategy", (_name, caseId, closing, first) => {
    expect(caseload.get(caseId)!.closingDate).toBe(closing)
    for (const strategy of ["guide", "recert-basic", "recert", "oracle"]) expect([strategy, date(firstDay(strategy, caseId)!)]).toEqual([strategy, first])
  })

  it("every lender case: nothing before its window opens, the guide's loop refreshes on the opening day, nothing on or after the note date", () => {
    const late: Array<string> = []
    for (const c of caseload.values()) {
      const opens = Math.max(0, opensDay(c.closingDate!))
      const note = dayNumber(c.closingDate!) - START
      for (const a of actions.filter((x) => x.caseId === c.id)) if (a.day < opens || a.day >= note) late.push(`${a.strategy} ${a.caseId} ${a.kind} ${date(a.day)}`)
      expect([c.id, firstDay("guide", c.id)]).toEqual([c.id, opens])
    }
    expect(late).toEqual([])
  })

  it("the GSE free quota per loan: at most 5 free refreshes per case, and these figures exactly", () => {
    const free = new Map<string, number>()
    for (const a of actions) if (a.kind === "refresh-free") free.set(`${a.strategy} ${a.caseId}`, (free.get(`${a.strategy} ${a.caseId}`) ?? 0) + 1)
    expect(Math.max(...free.values())).toBeLessThanOrEqual(5)
    expect(result.strategies.map((s) => [s.strategy, s.renewals, s.completed, s.completedOnTime, s.refreshes, s.billedVerifications, s.billedRefreshesFailed, s.links, s.escalated]))
      .toEqual([
        ["guide", 400, 361, 361, 400, 0, 0, 223, 39],
        ["recert-basic", 400, 362, 362, 397, 0, 0, 207, 38],
        ["recert", 400, 362, 362, 397, 0, 0, 207, 38],
        ["oracle", 400, 363, 363, 308, 0, 0, 206, 37]
      ])
  })
})
