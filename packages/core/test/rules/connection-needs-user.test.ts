import { describe, expect, it } from "vitest"
import { connectionNeedsUser } from "@recert/core"
import { connection, DAY, HOUR, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const withStatus = (lastTaskStatus: string | null, patch: Record<string, unknown> = {}) =>
  input(lineage([connection("link-1", { lastTaskStatus: lastTaskStatus as never, lastStatusAt: lastTaskStatus === null ? null : iso(NOW - DAY), ...patch })]))

describe("connection.needs-user", () => {
  it.each([
    ["login_error", "reauthenticate"], ["mfa_error", "reauthenticate"], ["unable_to_reset", "reauthenticate"],
    ["done", "refresh"], ["parse", "refresh"], [null, "refresh"]
  ] as const)("last status %s: %s", (status, verdict) => {
    const d = decisionOf(withStatus(status), NOW)
    expect(d.verdict).toBe(verdict)
    expect(findingsOf(connectionNeedsUser, withStatus(status), NOW)).toHaveLength(verdict === "refresh" ? 0 : 1)
  })

  it("explains with the status", () => {
    expect(findingsOf(connectionNeedsUser, withStatus("login_error"), NOW)).toEqual([{
      code: "connection.needs-user",
      effect: "reauthenticate",
      connectionId: "link-1",
      message: "The last adp task ended in login_error; the user must log in again (Bridge update mode)",
      data: { lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY), mfaOnEveryLogin: false }
    }])
  })

  it("Truv's generic error: the cheaper truth (the user may be needed, never a billed retry), and the reason says the status was imprecise", () => {
    expect(decisionOf(withStatus("error"), NOW).verdict).toBe("reauthenticate")
    expect(findingsOf(connectionNeedsUser, withStatus("error"), NOW)).toEqual([{
      code: "connection.needs-user",
      effect: "reauthenticate",
      connectionId: "link-1",
      message: "The last adp task ended in Truv's generic error, which does not say whether the user must act (status imprecise); it is not refreshed again: the user logs in again (Bridge update mode)",
      data: { lastTaskStatus: "error", lastStatusAt: iso(NOW - DAY), mfaOnEveryLogin: false, imprecise: true }
    }])
  })

  it("a re-authentication after the login_error clears it", () => {
    expect(decisionOf(withStatus("login_error", { authenticatedAt: iso(NOW - DAY + HOUR) }), NOW).verdict).toBe("refresh")
  })

  it("a re-authentication at the same instant or before does not", () => {
    expect(decisionOf(withStatus("login_error", { authenticatedAt: iso(NOW - DAY) }), NOW).verdict).toBe("reauthenticate")
    expect(decisionOf(withStatus("login_error", { authenticatedAt: iso(NOW - 2 * DAY) }), NOW).verdict).toBe("reauthenticate")
  })

  it("a provider that asks for MFA at every login always needs the user", () => {
    const raw = withStatus("done", { mfaOnEveryLogin: true, provider: "bank-x" })
    expect(decisionOf(raw, NOW).verdict).toBe("reauthenticate")
    expect(findingsOf(connectionNeedsUser, raw, NOW)[0]!.message)
      .toBe("bank-x asks for MFA at every login, so an unattended refresh cannot succeed; the user must log in")
  })

  it("needs the user: no nextEligibleAt, even when another rule makes it wait", () => {
    const d = decisionOf(withStatus("login_error"), NOW)
    expect([d.nextEligibleAt, d.connections[0]!.nextEligibleAt, d.request]).toEqual([null, null, null])
  })
})
