/**
 * The redaction step's configuration (`config.retention` → core's policy, runner/redaction.ts):
 * the documented defaults, periods from the environment as duration text, switched off, and a bad
 * period refused naming its variable (exit 2 in the apps).
 */
import { DEFAULT_RETENTION_POLICY } from "@recert/core"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { retentionPolicyOf } from "../../src/runner/redaction.js"
import { resolveConfig } from "../../src/runtime/config.js"

const TRUV = { TRUV_CLIENT_ID: "id", TRUV_SECRET: "secret" }
const DAY = 86_400_000
const policy = (env: Record<string, string>) => Effect.runPromise(Effect.map(resolveConfig({ env: { ...TRUV, ...env } }), retentionPolicyOf))

describe("retention configuration", () => {
  it("defaults to core's documented policy", async () => {
    expect(await policy({})).toEqual(DEFAULT_RETENTION_POLICY)
    expect(DEFAULT_RETENTION_POLICY).toEqual({ rawReports: 7 * DAY, payStatements: 7 * DAY, clientContact: 7 * DAY, deliveredEvents: 30 * DAY })
  })

  it("reads each period from its variable, and RECERT_REDACTION=false switches the step off", async () => {
    expect(await policy({ RECERT_RETENTION_RAW_REPORTS: "3d", RECERT_RETENTION_DELIVERED_EVENTS: "90d" })).toEqual({ ...DEFAULT_RETENTION_POLICY, rawReports: 3 * DAY, deliveredEvents: 90 * DAY })
    expect(await policy({ RECERT_REDACTION: "false" })).toBeNull()
  })

  it("refuses a period that is not a duration, naming the variable", async () => {
    const error = await Effect.runPromise(Effect.flip(resolveConfig({ env: { ...TRUV, RECERT_RETENTION_PAY_STATEMENTS: "a week" } })))
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]).toMatch(/^RECERT_RETENTION_PAY_STATEMENTS: expected .*; got "a week"$/)
  })
})
