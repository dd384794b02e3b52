/**
 * The JSON Schema files committed in `schemas/` are exactly what `pnpm build:schemas` writes
 * now: a change to a zod schema without regenerating them fails here. The package's `files`
 * and `exports` ship them.
 */
import { readdirSync, readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { schemaFiles } from "../scripts/schema-files.js"

const dir = new URL("../schemas/", import.meta.url)

describe("schemas/*.json", () => {
  const expected = schemaFiles()

  it("are the eleven schemas of jsonSchemas(), resultsJsonSchemas() and outboxEventJsonSchema()", () => {
    expect(Object.keys(expected).sort()).toEqual([
      "baseline.json", "case.json", "change-result.json", "decision-input.json", "decision.json",
      "income-snapshot.json", "income-summary.json", "outbox-event.json", "plan-case.json", "policy-config.json", "results-policy.json"
    ])
  })

  it("committed files are up to date (run `pnpm --filter @recert/core build:schemas`)", () => {
    expect(readdirSync(dir).filter((f) => f.endsWith(".json")).sort()).toEqual(Object.keys(expected).sort())
    for (const [name, text] of Object.entries(expected)) expect(readFileSync(new URL(name, dir), "utf8"), name).toBe(text)
  })

  it("the policy schema refuses unknown keys at every level", () => {
    const policy = JSON.parse(expected["policy-config.json"]!) as { additionalProperties: boolean; properties: Record<string, { additionalProperties?: boolean }> }
    expect([policy.additionalProperties, policy.properties["rateWindow"]!.additionalProperties, policy.properties["backoff"]!.additionalProperties]).toEqual([false, false, false])
  })

  it("package.json ships them", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { files: Array<string>; exports: Record<string, unknown>; scripts: Record<string, string> }
    expect(pkg.files).toContain("schemas")
    expect(pkg.exports["./schemas/*"]).toBe("./schemas/*")
    expect(pkg.scripts["build:schemas"]).toBe("node --import tsx --conditions=@recert/source scripts/build-schemas.ts")
  })
})
