/**
 * `recert result` and `recert results`, in-process against a temporary SQLite database seeded
 * with the results world (scripts/seed-results.ts: verifications built by core's functions),
 * with exact expected output, as text and as JSON.
 */
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { first, renewed, second, seedResults, unreviewed } from "../scripts/seed-results.js"
import { run } from "./helpers.js"

let dir: string
let db: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "recert-results-"))
  db = join(dir, "results.sqlite")
  await Effect.runPromise(seedResults(db))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const recert = (args: ReadonlyArray<string>) => run([...args, "--db", db])

describe("recert result", () => {
  it("a review: the summary per employer and in total, monthly totals with partial months, both annualisations, every reason, beside the previous", async () => {
    expect(await recert(["result", "case-201"])).toEqual({ exitCode: 0, stderr: "", stdout: `case case-201: review (2 reasons)
  source        order ord-201-n1 via new-order, verified 2026-11-22T09:00:00.000Z, attempt -
  classified    2026-11-22T09:00:00.000Z, results policy 41a69af84639
  compared with the previous verification of 2026-11-02T10:00:00.000Z: monthly income $4,955.71, 43.56 hours a week

                CURRENT                   PREVIOUS
order           ord-201-n1                ord-201-r1
verified        2026-11-22T09:00:00.000Z  2026-11-02T10:00:00.000Z
via             new-order                 refresh
class           review                    review
monthly income  $4,305.71                 $4,955.71
hours a week    34.84                     43.56
employments     2                         2
last pay date   2026-11-20                2026-10-31

Summary, last 90 days (2026-08-25 to 2026-11-22)
EMPLOYER                   STATUS              PAY           STATEMENTS  GROSS       AVG HOURS  HOURS/WEEK  LAST PAY    DAYS SINCE  MONTHLY INCOME
Riverside Health Services  active (confirmed)  bi-weekly     7           $10,680.00  64.00      34.84       2026-11-20  2           $3,305.71
Northside Pantry Co-op     active (derived)    semi-monthly  5           $2,500.00   -          -           2026-11-15  7           $1,000.00
total                      -                   -             12          $13,180.00  64.00      34.84       2026-11-20  2           $4,305.71

Monthly gross, by pay date
MONTH                                        RIVERSIDE HEALTH SERVICES  NORTHSIDE PANTRY CO-OP  TOTAL
2026-08 (partial: 2026-08-25 to 2026-08-31)  $1,500.00                  $0.00                   $1,500.00
2026-09                                      $3,000.00                  $1,000.00               $4,000.00
2026-10                                      $3,180.00                  $1,000.00               $4,180.00
2026-11 (partial: 2026-11-01 to 2026-11-22)  $3,000.00                  $500.00                 $3,500.00

Annualised
  Riverside Health Services  from statements $39,668.57 (mean of 7 BW statement(s) x26)
                             from the rate   $37,440.00 (hourly rate x 64 mean hours per statement x26)
  Northside Pantry Co-op     from statements $12,000.00 (mean of 5 SM statement(s) x24)
                             from the rate   $12,000.00 (pay rate per SM cycle x24)
  total                      from statements $51,668.57 (sum over employers)
                             from the rate   $49,440.00 (sum over employers)

Reasons
  income.down  Monthly income went down from $4,955.71 to $4,305.71 (-$650.00, -13.1 %); the tolerance is $100.00 a month and 10 %
               previousMonthlyCents=495571, currentMonthlyCents=430571, deltaCents=-65000, percent=-13.1, toleranceMonthlyCents=10000, tolerancePercent=10
  hours.down   Hours went down from 43.56 to 34.84 a week (-20 %; the tolerance is 10 %)
               previousWeeklyHours=43.56, currentWeeklyHours=34.84, percent=-20, tolerancePercent=10

Notes
  status.uncertain  The status of Northside Pantry Co-op is active: active (derived by the data vendor, not reported by the payroll provider)
                    employer=Northside Pantry Co-op, state=active, confidence=derived` })
  })

  it("a renewal after a first verification: no reasons, the previous verification's class beside it", async () => {
    // The summary tables have the layout the review above shows; here the head and the reasons.
    const r = await recert(["result", "case-202"])
    expect(r).toMatchObject({ exitCode: 0, stderr: "" })
    const lines = r.stdout.split("\n")
    expect(lines.slice(0, 15).join("\n")).toBe(`case case-202: renew
  source        order ord-202-r1 via refresh, verified 2026-11-21T16:30:00.000Z, attempt att-ord-202-r1
  classified    2026-11-21T16:30:00.000Z, results policy 41a69af84639
  compared with the previous verification of 2026-10-23T16:30:00.000Z: monthly income $4,955.71, 43.56 hours a week

                CURRENT                   PREVIOUS
order           ord-202-r1                ord-202-r0
verified        2026-11-21T16:30:00.000Z  2026-10-23T16:30:00.000Z
via             refresh                   refresh
class           renew                     review
monthly income  $4,955.71                 $4,955.71
hours a week    43.56                     43.56
employments     2                         2
last pay date   2026-11-20                2026-10-23
`)
    expect(lines.slice(lines.indexOf("Reasons")).join("\n")).toBe(`Reasons
  none

Notes
  status.uncertain  The status of Northside Pantry Co-op is active: active (derived by the data vendor, not reported by the payroll provider)
                    employer=Northside Pantry Co-op, state=active, confidence=derived`)
  })

  it("--json: the latest verification without the raw JSON, and the previous one's headline", async () => {
    const r = await recert(["result", "case-201", "--json"])
    expect(r.exitCode).toBe(0)
    const { raw: _raw, ...verification } = second
    expect(JSON.parse(r.stdout)).toEqual({
      caseId: "case-201", verification,
      previous: {
        orderId: "ord-201-r1", via: "refresh", verifiedAt: "2026-11-02T10:00:00.000Z", class: first.result.class,
        reasonCodes: first.result.reasons.map((x) => x.code), monthlyIncomeCents: 495_571, weeklyHours: 43.56
      }
    })
    expect(JSON.parse((await recert(["result", "case-202", "--json"])).stdout)).toMatchObject({
      verification: { orderId: "ord-202-r1", result: { class: "renew", reasons: [] } },
      previous: { orderId: "ord-202-r0", class: unreviewed.result.class, reasonCodes: ["baseline.none"] }
    })
    expect(renewed.result.class).toBe("renew")
  })

  it("a case without a verification, and an unknown case: exit 1 naming it", async () => {
    expect(await recert(["result", "case-203"])).toEqual({
      exitCode: 1, stdout: "", stderr: "recert: case case-203 has no verification yet: its first renewal stores one (`recert explain case-203` says when)"
    })
    expect(await recert(["result", "case-999", "--json"])).toEqual({
      exitCode: 1, stdout: "", stderr: JSON.stringify({ error: { code: "unknown-case", message: "no case with id \"case-999\"" } }, null, 2)
    })
  })
})

describe("recert results", () => {
  it("one line per case's latest verification; --review and --since filter", async () => {
    expect(await recert(["results"])).toEqual({ exitCode: 0, stderr: "", stdout: `CASE      CLASS   VERIFIED                  VIA        ORDER       REASONS
case-201  review  2026-11-22T09:00:00.000Z  new-order  ord-201-n1  income.down hours.down
case-202  renew   2026-11-21T16:30:00.000Z  refresh    ord-202-r1  -

2 case(s): 1 renew, 1 review` })
    expect(await recert(["results", "--review"])).toEqual({ exitCode: 0, stderr: "", stdout: `CASE      CLASS   VERIFIED                  VIA        ORDER       REASONS
case-201  review  2026-11-22T09:00:00.000Z  new-order  ord-201-n1  income.down hours.down

1 case(s): 0 renew, 1 review` })
    expect(await recert(["results", "--since", "2026-11-22"])).toEqual({ exitCode: 0, stderr: "", stdout: `CASE      CLASS   VERIFIED                  VIA        ORDER       REASONS
case-201  review  2026-11-22T09:00:00.000Z  new-order  ord-201-n1  income.down hours.down

1 case(s): 0 renew, 1 review` })
    expect(await recert(["results", "--review", "--since", "2026-11-23"])).toEqual({ exitCode: 0, stderr: "", stdout: "no verifications to review since 2026-11-23T00:00:00.000Z" })
  })

  it("--json: { count, renew, review, results } with core's LatestVerification rows", async () => {
    const r = await recert(["results", "--json"])
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      count: 2, renew: 1, review: 1, results: [
        { caseId: "case-201", orderId: "ord-201-n1", via: "new-order", verifiedAt: "2026-11-22T09:00:00.000Z", class: "review", reasonCodes: ["income.down", "hours.down"] },
        { caseId: "case-202", orderId: "ord-202-r1", via: "refresh", verifiedAt: "2026-11-21T16:30:00.000Z", class: "renew", reasonCodes: [] }
      ]
    })
  })

  it("a malformed --since: exit 2 naming the flag", async () => {
    const r = await recert(["results", "--since", "yesterday"])
    expect(r.exitCode).toBe(2)
    expect(r.stderr.split("\n")[0]).toBe("recert: Invalid value for flag --since: \"yesterday\". Expected: an ISO-8601 instant with a zone (2026-12-01T00:00:00Z) or a date (2026-12-01)")
  })
})
