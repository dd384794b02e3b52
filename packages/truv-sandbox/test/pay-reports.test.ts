/* eslint-disable @typescript-eslint/no-unsafe-call -- assertions over raw JSON bodies */
/**
 * Where the pay history is served: the order's `employers[].employments[]` (as of the suborder's
 * completion), the refresh order (everything paid up to its completion), the link reports
 * (`/v1/links/{id}/income/report/`, `/employment/report/`), null income fields for VOE, the admin
 * route for knobs, and `sandbox.payHistory` agreeing with what was served.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { employmentsJson, parseScenario, type SeededLineage, type TruvSandbox } from "../src/index.js"
import { startSandbox } from "./helpers.js"
import { refresh, truv } from "./truv-http.js"

const DAY = 86_400_000
let sandbox: TruvSandbox
let lineage: SeededLineage

beforeEach(async () => {
  sandbox = await startSandbox({ faults: { completionDelayMs: 1 } })
  lineage = sandbox.seedLineage({ orderId: "root0001", firstName: "Ann", lastName: "Lee", connections: [{ linkId: "link-a", companyName: "Acme Care", pay: { payFrequency: "W", startDate: "2026-01-05" } }] })
})
afterEach(async () => {
  await sandbox.close()
})

const served = (linkId: string) => {
  const h = sandbox.payHistory(linkId)
  return employmentsJson(h.history, h.spec, h.seed, h.product)
}

describe("orders", () => {
  it("the root order's employer carries the employment as of its completion, in Truv's shape", async () => {
    const order = (await truv(sandbox, "GET", "/v1/orders/root0001/")).body
    const [employment] = order.employers[0].employments
    expect(employment).toMatchObject({
      is_active: true, job_title: "Associate", job_type: "F", start_date: "2026-01-05", end_date: null,
      income: "22.50", income_unit: "HOURLY", pay_rate: "900.00", pay_frequency: "W",
      company: { name: "Acme Care", address: { state: "OR", country: "US" } },
      profile: { first_name: "Ann", last_name: "Lee", full_name: "Ann Lee", ssn: "XXXXX9991" }
    })
    expect(employment.statements).toHaveLength(45) // Fridays 2026-01-16 .. 2026-11-20: 308 days / 7 + 1
    expect(employment.statements[0]).toMatchObject({ pay_date: "2026-11-20", period_start: "2026-11-09", period_end: "2026-11-15", regular: "900.00", hours: expect.stringMatching(/^\d+\.\d\d$/) })
    expect(employment.annual_income_summary[0]).toMatchObject({ year: 2026, gross_pay: employment.statements[0].gross_pay_ytd })
    expect(order.employers[0].employments).toEqual(served("link-a"))
  })

  it("a refresh order 30 days later sees the 4 statements paid since; the root order keeps what it had", async () => {
    sandbox.clock.advance(30 * DAY)
    const r = await refresh(sandbox, "root0001")
    expect(r.body.employers[0].employments).toEqual([]) // not completed yet
    await sandbox.idle()
    const refreshed = (await truv(sandbox, "GET", `/v1/orders/${r.body.id}/`)).body.employers[0].employments[0]
    expect(refreshed.statements.map((s: { pay_date: string }) => s.pay_date).slice(0, 5)).toEqual(["2026-12-18", "2026-12-11", "2026-12-04", "2026-11-27", "2026-11-20"])
    expect((await truv(sandbox, "GET", "/v1/orders/root0001/")).body.employers[0].employments[0].statements).toHaveLength(45)
    expect(sandbox.payHistory("link-a").history.asOf).toBe("2026-12-22T10:00:00.000Z")
    expect([refreshed]).toEqual(served("link-a"))
  })
})

describe("link reports", () => {
  it("income report: the container fields and the employments of the last pull", async () => {
    const r = await truv(sandbox, "GET", "/v1/links/link-a/income/report/")
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      id: "link-a", status: "done", finished_at: "2026-11-22T10:00:00.000Z", access_token: lineage.connections[0]!.accessToken,
      is_suspicious: false, refresh_status: null, provider: { id: "truv_payroll_provider", name: "Truv Payroll Provider", logo_url: "https://cdn.truv.com/providers/truv_payroll_provider.svg" }, data_source: "payroll"
    })
    expect(r.body.employments).toEqual(served("link-a"))
  })

  it("employment report: the income fields are null", async () => {
    const [e] = (await truv(sandbox, "GET", "/v1/links/link-a/employment/report/")).body.employments
    expect(e).toMatchObject({ is_active: true, start_date: "2026-01-05", income: null, income_unit: null, pay_rate: null, pay_frequency: null, statements: null, annual_income_summary: null, w2s: null, bank_accounts: null })
  })

  it("an unknown link is 404", async () => {
    expect((await truv(sandbox, "GET", "/v1/links/nope/income/report/")).status).toBe(404)
  })
})

describe("VOE lineage and knobs", () => {
  it("an employment-only lineage serves null income fields on the order and on the income report", async () => {
    sandbox.seedLineage({ orderId: "voe00001", orderType: "employment", connections: [{ linkId: "link-v" }] })
    const [onOrder] = (await truv(sandbox, "GET", "/v1/orders/voe00001/")).body.employers[0].employments
    expect(onOrder).toMatchObject({ is_active: true, income: null, statements: null, w2s: null })
    expect((await truv(sandbox, "GET", "/v1/links/link-v/income/report/")).body.employments[0].statements).toBeNull()
  })

  it("POST /_sandbox/links/{id}/pay sets a knob; the next refresh shows it, the earlier pull does not", async () => {
    const set = await fetch(`${sandbox.url}/_sandbox/links/link-a/pay`, { method: "POST", body: JSON.stringify({ change: { kind: "end", at: "2026-12-01" } }) })
    expect(set.status).toBe(200)
    expect((await truv(sandbox, "GET", "/v1/links/link-a/income/report/")).body.employments[0].is_active).toBe(true)
    sandbox.clock.advance(30 * DAY)
    await refresh(sandbox, "root0001")
    await sandbox.idle()
    const [e] = (await truv(sandbox, "GET", "/v1/links/link-a/income/report/")).body.employments
    expect(e).toMatchObject({ is_active: false, end_date: "2026-12-01" })
    expect(e.statements[0]).toMatchObject({ pay_date: "2026-12-01", period_start: "2026-11-30", period_end: "2026-12-01" })
    const bad = await fetch(`${sandbox.url}/_sandbox/links/link-a/pay`, { method: "POST", body: JSON.stringify({ change: { kind: "raise" } }) })
    expect(bad.status).toBe(400)
  })

  it("a scenario file seeds pay histories with knobs", () => {
    const parsed = parseScenario(JSON.stringify({ lineages: [{ connections: [{ pay: { rate: "30.00", changes: [{ kind: "no-pay", at: "2026-06-01", days: 14 }] } }] }] }))
    expect(parsed.ok).toBe(true)
    const wrong = parseScenario(JSON.stringify({ lineages: [{ connections: [{ pay: { rate: 30 } }] }] }), "s.json")
    expect(wrong).toEqual({ ok: false, error: "s.json: lineages.0.connections.0.pay.rate: Invalid input: expected string, received number" })
  })
})
