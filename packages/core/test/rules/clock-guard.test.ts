/**
 * The clock guard band (`clockGuardSeconds`, default 120): each of Truv's time boundaries moves by
 * the guard in the cautious direction, exactly: at the guard's edge the cautious answer applies,
 * 1 ms before it the rule answers as without a guard. The rules' own tests pin Truv's boundaries
 * with the guard at 0.
 */
import { describe, expect, it } from "vitest"
import { connectionAuthExpired, connectionAuthExpiring, DEFAULT_POLICY_CONFIG, gseFreeQuota, PolicyConfig, rateWindow } from "@recert/core"
import { attempt, connection, DAY, HOUR, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const G = 120_000
const V = 180 * DAY
const W = 24 * HOUR

const authenticatedAt = (ms: number) => input(lineage([connection("link-1", { authenticatedAt: iso(ms) })]))

describe("clock guard", () => {
  it("is 120 s by default, 0 turns it off, more than a day is refused", () => {
    expect(DEFAULT_POLICY_CONFIG.clockGuardSeconds).toBe(120)
    expect(PolicyConfig.parse({ clockGuardSeconds: 0 }).clockGuardSeconds).toBe(0)
    expect(PolicyConfig.safeParse({ clockGuardSeconds: -1 }).success).toBe(false)
    expect(PolicyConfig.safeParse({ clockGuardSeconds: 86_401 }).success).toBe(false)
  })

  describe("connection.auth-expired: expired from Truv's expiry minus the guard", () => {
    it.each([
      ["1 ms before the guard: valid", NOW - V + G + 1, "refresh"],
      ["exactly at the guard: expired", NOW - V + G, "reauthenticate"],
      ["1 ms inside the guard: expired", NOW - V + G - 1, "reauthenticate"],
      ["at Truv's expiry: expired", NOW - V, "reauthenticate"]
    ] as const)("%s", (_name, at, verdict) => {
      expect(decisionOf(authenticatedAt(at), NOW).verdict).toBe(verdict)
    })

    it("inside the guard the reason says so, with Truv's expiry and the guard", () => {
      const at = NOW - V + 1
      expect(findingsOf(connectionAuthExpired, authenticatedAt(at), NOW)).toEqual([{
        code: "connection.auth-expired",
        effect: "reauthenticate",
        connectionId: "link-1",
        message: "OAuth connection last authenticated 2026-05-26, 179 days ago (valid 180); it expires 2026-11-22T10:00:00.001Z, within the 120 s clock guard",
        data: { authenticatedAt: iso(at), validityDays: 180, expiredAt: "2026-11-22T10:00:00.001Z", clockGuardSeconds: 120 }
      }])
    })

    it("another guard moves the boundary by exactly that much", () => {
      const config = { clockGuardSeconds: 3_600 }
      expect(decisionOf(authenticatedAt(NOW - V + HOUR), NOW, config).verdict).toBe("reauthenticate")
      expect(decisionOf(authenticatedAt(NOW - V + HOUR + 1), NOW, config).verdict).toBe("refresh")
    })
  })

  describe("connection.auth-expiring: the warning ends where the guarded expiry begins", () => {
    it.each([
      ["1 ms before the guard: warned", NOW - V + G + 1, 1, 0],
      ["exactly at the guard: expired, not expiring", NOW - V + G, 0, 1]
    ] as const)("%s", (_name, at, expiring, expired) => {
      expect(findingsOf(connectionAuthExpiring, authenticatedAt(at), NOW)).toHaveLength(expiring)
      expect(findingsOf(connectionAuthExpired, authenticatedAt(at), NOW)).toHaveLength(expired)
    })
  })

  describe("rate.window: a refresh counts for the window plus the guard", () => {
    const full = (oldest: number) => input(lineage(), [attempt(oldest), attempt(NOW - 2 * HOUR), attempt(NOW - HOUR)])
    it.each([
      ["the oldest exactly window + guard ago: no longer counts", NOW - W - G, "refresh", 1],
      ["1 ms inside the guard: still counts", NOW - W - G + 1, "wait", 0],
      ["exactly at Truv's window edge: still counts", NOW - W, "wait", 0]
    ] as const)("%s", (_name, oldest, verdict, remaining) => {
      const d = decisionOf(full(oldest), NOW)
      expect([d.verdict, d.connections[0]!.remainingInWindow]).toEqual([verdict, remaining])
    })

    it("the next eligible instant is the oldest counted + window + guard, and the reason says so", () => {
      const raw = full(NOW - W)
      expect(findingsOf(rateWindow, raw, NOW)).toEqual([{
        code: "rate.window",
        effect: "wait",
        connectionId: "link-1",
        message: "3 refreshes of this connection in the last 24 h (limit 3); the next is allowed at 2026-11-22T10:02:00.000Z (the window plus the 120 s clock guard), in 2 min",
        data: {
          counted: 3, limit: 3, windowHours: 24, clockGuardSeconds: 120,
          refreshes: [iso(NOW - HOUR), iso(NOW - 2 * HOUR), iso(NOW - W)],
          nextEligibleAt: "2026-11-22T10:02:00.000Z"
        },
        until: NOW + G
      }])
      expect(decisionOf(raw, NOW + G - 1).verdict).toBe("wait")
      expect(decisionOf(raw, NOW + G).verdict).toBe("refresh")
    })
  })

  describe("gse.free-quota: the free window ends the guard early", () => {
    const ROOT = NOW - 60 * DAY
    const END = ROOT + 90 * DAY
    const gse = input(lineage([connection("link-1")], { gse: true }))
    it.each([
      ["1 ms before the guard: free", END - G - 1, { billedVerifications: 0, freeVerifications: 1, gseFreeRemaining: 5 }],
      ["exactly at the guard: billed", END - G, { billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: 0 }],
      ["at Truv's end of the window: billed", END, { billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: 0 }]
    ] as const)("%s", (_name, now, cost) => {
      expect(decisionOf(gse, now).cost).toEqual(cost)
    })

    it("inside the guard the warning says the window ends within it", () => {
      expect(findingsOf(gseFreeQuota, gse, END - 1)[0]!.message)
        .toBe(`The 90-day free window of this GSE order ends ${iso(END)}, within the 120 s clock guard; this refresh is billed`)
    })
  })
})
