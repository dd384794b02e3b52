/**
 * `recert decide` and `recert schema`: no database, JSON fixture files in, exact output out.
 */
import { decide, type Decision, type DecisionInputRaw, jsonSchemas } from "@recert/core"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { FIXTURES, run } from "./helpers.js"

// eslint-disable-next-line no-control-regex -- matching ANSI escapes is the point
const stripAnsi = (s: string) => s.replace(/\u001b\[\d+m/g, "")
const AT = "2026-11-22T10:00:00Z"
const fixture = (name: string): DecisionInputRaw => JSON.parse(readFileSync(`${FIXTURES}${name}`, "utf8")) as DecisionInputRaw

describe("recert decide", () => {
  it("prints the verdict, what to do, the cost, the request and every reason", async () => {
    const r = await run(["decide", "--input", "lineage.json", "--at", AT])
    expect(r).toEqual({
      exitCode: 0,
      stderr: "",
      stdout: `lineage ord-1: refresh
  decision      refresh 1 of 2 connection(s) now; the other 1 cannot be refreshed now (see reasons)
  lineage       ord-1 (income, GSE), newest order ord-2
  decided at    2026-11-22T10:00:00.000Z
  next eligible -
  cost          0 billed, 1 free verification(s); GSE free refreshes left: 4
  request       POST /v1/orders/ord-2/ {"products":["income"],"employers":[{"id":"emp-1"}]}
  policy        f5b3d47cd57e

CONNECTION  SUBORDER  VERDICT         LEFT IN WINDOW  NEXT ELIGIBLE  BILLED
link-1      emp-1     refresh         3               -              no (free)
link-2      emp-2     reauthenticate  3               -              -

Reasons
  link-2     OAuth connection last authenticated 2026-04-01, 235 days ago (valid 180) [connection.auth-expired]`
    })
  })

  it("--json prints core's decision, the same as the library's decide()", async () => {
    const r = await run(["decide", "--input", "lineage.json", "--at", AT, "--json"])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe("")
    expect(JSON.parse(r.stdout)).toEqual(decide(fixture("lineage.json"), { now: AT }))
    expect(r.stdout).toBe(JSON.stringify(decide(fixture("lineage.json"), { now: AT }), null, 2))
  })

  it("decides at the clock's now without --at, and accepts a bare date for --at", async () => {
    const now = await run(["decide", "-i", "lineage.json", "--json"], { now: "2026-12-01T00:00:00Z" })
    const date = await run(["decide", "-i", "lineage.json", "--json", "--at", "2026-12-01"])
    expect(JSON.parse(now.stdout).at).toBe("2026-12-01T00:00:00.000Z")
    expect(date.stdout).toBe(now.stdout)
  })

  it("a policy file changes the numbers (and the policy version)", async () => {
    const r = await run(["decide", "-i", "lineage.json", "--at", AT, "--policy", "policy-365.json", "--json"])
    const d = JSON.parse(r.stdout) as Decision
    expect(d.verdict).toBe("refresh")
    expect(d.connections.map((c) => c.verdict)).toEqual(["refresh", "refresh"])
    expect(d).toEqual(decide(fixture("lineage.json"), { now: AT, config: { oauthValidityDays: 365 } }))
  })

  it("colours the verdicts only when asked (a terminal without NO_COLOR)", async () => {
    const r = await run(["decide", "--input", "lineage.json", "--at", AT], { color: true })
    expect(r.stdout.split("\n")[0]).toBe("\u001b[1mlineage ord-1\u001b[0m: \u001b[32mrefresh\u001b[0m")
    expect(stripAnsi(r.stdout)).toBe((await run(["decide", "--input", "lineage.json", "--at", AT])).stdout)
  })

  it("an invalid input file: exit 1 with every problem and its path", async () => {
    const r = await run(["decide", "--input", "invalid-input.json", "--at", AT])
    expect(r).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `recert: invalid decision input in invalid-input.json: 3 problem(s)
  lineage.orderType: Invalid option: expected one of "income"|"employment"|"assets"|"insurance"|"transactions"
  lineage.orders: Too small: expected array to have >=1 items
  lineage.connections[0].authenticatedAt: Invalid ISO datetime`
    })
  })

  it("an invalid input file with --json: the error shape with issues on stderr", async () => {
    const r = await run(["decide", "--input", "invalid-input.json", "--json"])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe("")
    expect(JSON.parse(r.stderr)).toEqual({
      error: {
        code: "invalid-input",
        message: "invalid decision input in invalid-input.json: 3 problem(s)",
        issues: [
          { path: "lineage.orderType", message: "Invalid option: expected one of \"income\"|\"employment\"|\"assets\"|\"insurance\"|\"transactions\"" },
          { path: "lineage.orders", message: "Too small: expected array to have >=1 items" },
          { path: "lineage.connections[0].authenticatedAt", message: "Invalid ISO datetime" }
        ]
      }
    })
  })

  it("a file that is not JSON, or does not exist: exit 1", async () => {
    expect(await run(["decide", "--input", "not-json.json"])).toEqual({
      exitCode: 1, stdout: "", stderr: "recert: not-json.json is not valid JSON: Unexpected end of JSON input"
    })
    expect(await run(["decide", "--input", "nope.json", "--json"])).toEqual({
      exitCode: 1, stdout: "", stderr: JSON.stringify({ error: { code: "file-unreadable", message: "cannot read nope.json: no such file" } }, null, 2)
    })
  })

  it("a malformed instant is a usage error naming the flag and the value: exit 2", async () => {
    const expected = "Invalid value for flag --at: \"2026-12-01T00:00:00\". Expected: an ISO-8601 instant with a zone (2026-12-01T00:00:00Z) or a date (2026-12-01)"
    expect(await run(["decide", "--input", "lineage.json", "--at", "2026-12-01T00:00:00"])).toEqual({
      exitCode: 2, stdout: "", stderr: `recert: ${expected}\nSee \`recert decide --help\`.`
    })
    expect(await run(["decide", "--input", "lineage.json", "--at", "2026-12-01T00:00:00", "--json"])).toEqual({
      exitCode: 2, stdout: "", stderr: JSON.stringify({ error: { code: "usage", message: expected } }, null, 2)
    })
    expect((await run(["decide", "--input", "lineage.json", "--at", "2026-02-31"])).exitCode).toBe(2)
  })

  it("a missing flag or an unknown command is a usage error: exit 2", async () => {
    expect(await run(["decide"])).toEqual({
      exitCode: 2, stdout: "", stderr: "recert: Missing required flag: --input\nSee `recert decide --help`."
    })
    expect(await run(["frobnicate"])).toEqual({
      exitCode: 2, stdout: "", stderr: "recert: Unknown subcommand \"frobnicate\" for \"recert\"\nSee `recert --help`."
    })
  })

  it("--help shows the flags and examples, exit 0", async () => {
    const r = await run(["decide", "--help"])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("--input, -i file.json")
    expect(r.stdout).toContain("recert decide --input lineage.json --at 2026-12-01 --json")
  })
})

describe("recert schema", () => {
  it("prints every JSON Schema by default, keyed by name", async () => {
    const r = await run(["schema"])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(JSON.stringify(jsonSchemas(), null, 2))
  })

  it("prints one schema by name", async () => {
    expect((await run(["schema", "decision-input"])).stdout).toBe(JSON.stringify(jsonSchemas().decisionInput, null, 2))
    expect((await run(["schema", "decision", "--json"])).stdout).toBe(JSON.stringify(jsonSchemas().decision, null, 2))
  })

  it("an unknown schema name is a usage error", async () => {
    const r = await run(["schema", "lineage"])
    expect(r.exitCode).toBe(2)
    expect(r.stderr.split("\n")[0]).toBe("recert: Invalid value for argument <name>: \"lineage\". Expected: \"decision-input\" | \"decision\" | \"policy-config\" | \"case\" | \"plan-case\"")
  })
})
