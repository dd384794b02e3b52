import { describe, expect, it } from "vitest"
import { jsonSchemas } from "@recert/core"

describe("jsonSchemas", () => {
  const s = jsonSchemas()
  it("generates a JSON Schema for each input and the decision", () => {
    expect(Object.keys(s)).toEqual(["decisionInput", "decision", "policyConfig", "case", "planCase"])
    for (const schema of Object.values(s)) expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema")
  })

  it("the decision input requires lineage and request; the ledger defaults", () => {
    expect(s.decisionInput.required).toEqual(["lineage", "request"])
    const lineage = (s.decisionInput.properties as Record<string, { required?: Array<string> }>)["lineage"]!
    expect(lineage.required).toEqual(["rootOrderId", "orderType", "orders", "connections"])
  })

  it("instants are date-time strings; products an enum", () => {
    const c = s.case.properties as Record<string, { type?: string; format?: string; anyOf?: unknown }>
    expect(c["dueAt"]).toMatchObject({ type: "string", format: "date-time" })
    expect(JSON.stringify(s.decisionInput)).toContain('"enum":["income","employment","assets","insurance","transactions"]')
  })

  it("the decision schema lists the fields of DESIGN.md", () => {
    expect(s.decision.required).toEqual(["verdict", "at", "policyVersion", "request", "connections", "reasons", "cost", "nextEligibleAt", "warnings"])
  })

  it("is plain JSON", () => {
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
  })
})
