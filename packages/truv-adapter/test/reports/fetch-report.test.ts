/**
 * The HTTP gateway's `fetchReport` against a loopback server answering with the report fixtures
 * (Truv's documented shape): the reads it makes and in which order (the order, then each
 * completed connection's income or employment report), the snapshot it builds from the link
 * reports, the raw JSON it keeps, and every bad payload as a snapshot whose blocking issue names
 * the field (never a crash, never a silently wrong income). Truv not answering is a typed error.
 */
import { readFileSync } from "node:fs"
import { assessVerification, type ReportRequest } from "@recert/core"
import { TruvHttpGateway } from "@recert/truv-adapter"
import { maskIdentifiers } from "../../src/reports/mask-identifiers.js"
import { redactCredentials } from "../../src/reports/redact-credentials.js"
import { Redacted } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type DocsServer, startDocsServer } from "../docs-server.js"
import { failureOf, runGateway, valueOf } from "../helpers.js"

const text = (name: string): string => readFileSync(new URL(`../fixtures/reports/${name}.json`, import.meta.url), "utf8")
const json = (name: string): Record<string, unknown> => JSON.parse(text(name)) as Record<string, unknown>
const ORDER = "ord0000000000000000000000000002"
const fetchedAt = "2026-11-23T16:05:00.000Z"
const request: ReportRequest = { orderId: ORDER, product: "income", fetchedAt }

let server: DocsServer
const layer = () => TruvHttpGateway.layer({ baseUrl: server.url, clientId: "client-1", secret: Redacted.make("sandbox-docs-secret"), retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 2 } })
const fetch = async (r: ReportRequest = request) => valueOf(await runGateway(layer(), (gw) => gw.fetchReport(r)))
const issues = (s: { readonly issues: ReadonlyArray<{ path: string; problem: string; severity: string }> }) => s.issues.map((i) => [i.path, i.problem, i.severity])

beforeAll(async () => { server = await startDocsServer() })
afterAll(async () => { await server.close() })
beforeEach(() => {
  server.received.length = 0
  server.answer(`GET /v1/orders/${ORDER}/`, text("order-income"))
  server.answer("GET /v1/links/link1/income/report/", text("link-income-report"))
  server.answer("GET /v1/links/link1/employment/report/", JSON.stringify({ ...json("link-income-report"), employments: [{ ...(json("link-income-report").employments as Array<Record<string, unknown>>)[0], income: null, income_unit: null, pay_rate: null, pay_frequency: null, statements: null }] }))
})

describe("fetchReport over HTTP", () => {
  it("reads the order, then the income report of each completed connection (not the pending one); the snapshot is the link reports'", async () => {
    const { snapshot, raw } = await fetch()
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/orders/${ORDER}/`, "GET /v1/links/link1/income/report/"])
    expect(snapshot.source).toEqual({ provider: "truv", orderId: ORDER, fetchedAt, report: "link-income-report" })
    expect(snapshot.employers.map((e) => [e.name, e.status.state, e.payFrequency, e.statements?.length])).toEqual([["Riverside Health Services", "active", "BW", 3]])
    expect(snapshot.employers[0]!.statements!.map((s) => s.grossCents)).toEqual([147_713, 140_400, 143_325])
    expect(snapshot.issues).toEqual([])
    // Kept as fetched, less its credentials: Truv's access and Bridge tokens never reach the store in clear; identifiers masked.
    expect(raw).toEqual(maskIdentifiers(redactCredentials({ order: json("order-income"), links: { link1: json("link-income-report") } })))
    expect(JSON.stringify(raw)).not.toMatch(/"(access_token|bridge_token)":"(?!\[redacted\])[^"]+"/)
    expect(JSON.stringify(json("order-income"))).toMatch(/"access_token":"(?!\[redacted\])[^"]+"/)
  })

  it("an employment refresh reads the employment report: no income fields", async () => {
    const { snapshot } = await fetch({ ...request, product: "employment" })
    expect(server.received.map((r) => r.path)).toEqual([`/v1/orders/${ORDER}/`, "/v1/links/link1/employment/report/"])
    expect([snapshot.product, snapshot.source.report, snapshot.employers[0]!.statements, snapshot.employers[0]!.rate]).toEqual(
      ["employment", "link-employment-report", null, { incomeCents: null, incomeUnit: null, payRateCents: null }])
  })

  it("a bad link report: its fields' issues named under links[<id>], the verification is not usable", async () => {
    server.answer("GET /v1/links/link1/income/report/", text("link-income-report-bad"))
    const { snapshot } = await fetch()
    expect(issues(snapshot)).toEqual([
      ["links[link1].employments[0].income_unit", "unknown-code", "note"],
      ["links[link1].employments[0].is_active", "wrong-type", "note"],
      ["links[link1].employments[0].pay_frequency", "unknown-code", "note"],
      ["links[link1].employments[0].statements[0].gross_pay", "malformed-amount", "blocking"],
      ["links[link1].employments[0].statements[1].pay_date", "malformed-date", "blocking"],
      ["links[link1].employments[0].statements[2].earnings[0].rate", "rounded-amount", "note"]
    ])
    const r = assessVerification(snapshot, { now: Date.parse(fetchedAt) })
    expect([r.class, r.reasons.map((x) => x.code), r.summary]).toEqual(["review", ["report.not-usable"], null])
  })

  const unreadable: ReadonlyArray<readonly [string, () => void, ReadonlyArray<readonly [string, string, string]>]> = [
    ["the order is not JSON", () => server.answer(`GET /v1/orders/${ORDER}/`, "<html>oops</html>"), [["(order)", "wrong-type", "blocking"]]],
    ["the payload is another order's", () => server.answer(`GET /v1/orders/${ORDER}/`, JSON.stringify({ ...json("order-income"), id: "ord-other" })), [["id", "wrong-order", "blocking"]]],
    ["employers is not an array", () => server.answer(`GET /v1/orders/${ORDER}/`, JSON.stringify({ ...json("order-income"), employers: "x" })), [["employers", "wrong-type", "blocking"]]],
    ["a completed suborder has no link", () => server.answer(`GET /v1/orders/${ORDER}/`, JSON.stringify({ ...json("order-income"), employers: [{ id: "sub1", status: "completed", link_id: null, employments: [] }] })), [["employers[0].link_id", "wrong-type", "blocking"]]],
    ["the link report is not JSON", () => server.answer("GET /v1/links/link1/income/report/", "not json"), [["links[link1]", "wrong-type", "blocking"]]],
    ["the link report is 404", () => server.answer("GET /v1/links/link1/income/report/", JSON.stringify({ detail: "Not found." }), 404), [["links[link1]", "wrong-type", "blocking"]]],
    ["the link report is not done", () => server.answer("GET /v1/links/link1/income/report/", JSON.stringify({ ...json("link-income-report"), status: "parse" })), [["links[link1].status", "wrong-type", "blocking"]]],
    ["the link report's employments is an object", () => server.answer("GET /v1/links/link1/income/report/", JSON.stringify({ status: "done", employments: { a: 1 } })), [["links[link1].employments", "wrong-type", "blocking"]]],
    ["the link report's employments is empty", () => server.answer("GET /v1/links/link1/income/report/", text("link-income-report-empty")), []]
  ]
  for (const [what, arrange, expected] of unreadable) {
    it(`${what}: a snapshot with no employers, review report.not-usable naming the field`, async () => {
      arrange()
      const { snapshot, raw } = await fetch()
      expect(snapshot.employers).toEqual([])
      expect(issues(snapshot)).toEqual(expected)
      const r = assessVerification(snapshot, { now: Date.parse(fetchedAt) })
      expect([r.class, r.reasons.map((x) => x.code), r.summary]).toEqual(["review", ["report.not-usable"], null])
      expect(r.problems.map((p) => p.path)).toEqual([...expected.map(([path]) => path), null])
      expect(raw).toHaveProperty("order")
    })
  }

  it("Truv not answering is a typed error (the follow-up runs again later); an unknown order is NotFound", async () => {
    server.answer(`GET /v1/orders/${ORDER}/`, JSON.stringify({ error: { code: "server_error", message: "down" } }), 503)
    expect(failureOf(await runGateway(layer(), (gw) => gw.fetchReport(request)))._tag).toBe("ProviderUnavailable")
    expect(failureOf(await runGateway(layer(), (gw) => gw.fetchReport({ ...request, orderId: "ord-unknown" })))._tag).toBe("NotFound")
    server.answer(`GET /v1/orders/${ORDER}/`, text("order-income"))
    server.answer("GET /v1/links/link1/income/report/", "{}", 500)
    expect(failureOf(await runGateway(layer(), (gw) => gw.fetchReport(request)))._tag).toBe("ProviderUnavailable")
  })
})

describe("redactCredentials", () => {
  it("replaces every access, Bridge and public token at any depth; null and other fields stay", () => {
    expect(redactCredentials({
      access_token: "a", bridge_token: null, employers: [{ link_id: "l1", access_token: "b", nested: { public_token: "c", name: "x" } }], n: 1
    })).toEqual({
      access_token: "[redacted]", bridge_token: null, employers: [{ link_id: "l1", access_token: "[redacted]", nested: { public_token: "[redacted]", name: "x" } }], n: 1
    })
  })
})

describe("maskIdentifiers", () => {
  it("keeps the last four of every SSN and account number at any depth; other fields, nulls and empty strings stay", () => {
    expect(maskIdentifiers({
      profile: { ssn: "991-91-9991", first_name: "Ann" }, social_security_number: "XXXXX1234",
      bank_accounts: [{ account_number: "000123456789", routing_number: "123456780" }, { account_number: null }, { account_number: "12" }], ssn: ""
    })).toEqual({
      profile: { ssn: "XXXXX9991", first_name: "Ann" }, social_security_number: "XXXXX1234",
      bank_accounts: [{ account_number: "XXXXX6789", routing_number: "123456780" }, { account_number: null }, { account_number: "XXXXX12" }], ssn: ""
    })
  })
})
