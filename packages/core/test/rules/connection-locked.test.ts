import { describe, expect, it } from "vitest"
import { connectionLocked } from "@recert/core"
import { connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const locked = (authenticatedAt = NOW - 30 * DAY) =>
  input(lineage([connection("link-1", { lastTaskStatus: "account_locked", lastStatusAt: iso(NOW - DAY), authenticatedAt: iso(authenticatedAt) })]))

describe("connection.locked", () => {
  it("account_locked: the user unlocks at the provider, then re-authenticates", () => {
    expect(findingsOf(connectionLocked, locked(), NOW)).toEqual([{
      code: "connection.locked",
      effect: "reauthenticate",
      connectionId: "link-1",
      message: "The adp account is locked; the user must unlock it at adp, then log in again",
      data: { lastTaskStatus: "account_locked", lastStatusAt: iso(NOW - DAY) }
    }])
    expect(decisionOf(locked(), NOW).verdict).toBe("reauthenticate")
  })

  it("a re-authentication after the lock clears it", () => {
    expect(findingsOf(connectionLocked, locked(NOW - DAY + 1), NOW)).toEqual([])
    expect(decisionOf(locked(NOW - DAY + 1), NOW).verdict).toBe("refresh")
  })

  it.each(["done", "login_error", "unavailable"] as const)("%s is not a lock", (s) => {
    expect(findingsOf(connectionLocked, input(lineage([connection("link-1", { lastTaskStatus: s, lastStatusAt: iso(NOW - DAY) })])), NOW)).toEqual([])
  })
})
