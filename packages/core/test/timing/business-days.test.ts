import { describe, expect, it } from "vitest"
import { businessCalendar, businessDaysBefore, dateOfDay, dayNumber, TimingPolicy, usFederalHolidays } from "@recert/core"

const calendar = (closing: Record<string, unknown> = {}) => businessCalendar(TimingPolicy.parse({ closing }).closing)

describe("US federal holidays (observed dates)", () => {
  it("2027: Juneteenth on a Saturday is observed Friday June 18, July 4 on a Sunday Monday July 5, Christmas on a Saturday Friday December 24", () => {
    expect(usFederalHolidays(2027).map(dateOfDay)).toEqual([
      "2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05",
      "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24"
    ])
  })

  it("New Year's Day on a Saturday is observed on December 31 of the year before, and that day is not a business day", () => {
    expect(dateOfDay(usFederalHolidays(2022)[0]!)).toBe("2021-12-31")
    expect(calendar().isBusinessDay(dayNumber("2027-12-31"))).toBe(false) // 2028-01-01 is a Saturday
    expect(calendar().isBusinessDay(dayNumber("2027-12-30"))).toBe(true)
    expect(usFederalHolidays(2020).map(dateOfDay)).not.toContain("2020-06-19") // before Juneteenth became federal
  })
})

describe("businessDaysBefore: the opening of the pre-closing window", () => {
  it.each([
    ["10 before Fri 2027-07-09: across July 5 (observed) and two weekends", "2027-07-09", 10, {}, "2027-06-24"],
    ["the same without a holiday calendar", "2027-07-09", 10, { holidays: "none" }, "2027-06-25"],
    ["10 before Mon 2027-11-29: across Thanksgiving and a weekend", "2027-11-29", 10, {}, "2027-11-12"],
    ["11 before: Veterans Day (Thu 2027-11-11) is skipped too", "2027-11-29", 11, {}, "2027-11-10"],
    ["Thanksgiving declared a working day", "2027-11-29", 10, { workingHolidays: ["2027-11-25"] }, "2027-11-15"],
    ["an extra holiday (the day after Thanksgiving)", "2027-11-29", 10, { extraHolidays: ["2027-11-26"] }, "2027-11-10"],
    ["10 before Fri 2027-06-25: Juneteenth observed Friday June 18", "2027-06-25", 10, {}, "2027-06-10"],
    ["1 before a Monday is the Friday before", "2027-06-07", 1, {}, "2027-06-04"]
  ] as const)("%s", (_name, closing, n, policy, opens) => {
    expect(dateOfDay(businessDaysBefore(dayNumber(closing), n, calendar(policy)))).toBe(opens)
  })
})
