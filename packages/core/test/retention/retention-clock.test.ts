import { describe, expect, it } from "vitest"
import { DEFAULT_RETENTION_POLICY, type InvalidInput, parseRetentionPolicy, type RetentionItem, retentionVerdict } from "../../src/index.js"

const DAY = 86_400_000
const T = Date.parse("2026-11-23T16:05:00.000Z")
const delivered = (over: Partial<RetentionItem> = {}): RetentionItem => ({ kind: "rawReports", deliveredAt: T, closedAt: null, holds: [], ...over })
const policyAt = (now: number) => ({ by: "policy" as const, policy: DEFAULT_RETENTION_POLICY, now })

describe("retentionVerdict at the boundaries", () => {
  it("is due exactly at delivery + retention", () => {
    expect(retentionVerdict(delivered(), policyAt(T + 7 * DAY))).toEqual({ state: "due", startedAt: T, dueAt: T + 7 * DAY })
  })

  it("is kept one millisecond before", () => {
    expect(retentionVerdict(delivered(), policyAt(T + 7 * DAY - 1))).toEqual({ state: "kept", startedAt: T, dueAt: T + 7 * DAY })
  })

  it("uses each kind's own period (delivered events: 30 days)", () => {
    const item = delivered({ kind: "deliveredEvents" })
    expect(retentionVerdict(item, policyAt(T + 30 * DAY - 1)).state).toBe("kept")
    expect(retentionVerdict(item, policyAt(T + 30 * DAY)).state).toBe("due")
  })

  it("starts the clock at the case's closing when it comes before delivery, or when nothing was delivered", () => {
    const closedAt = T - 2 * DAY
    expect(retentionVerdict(delivered({ closedAt }), policyAt(closedAt + 7 * DAY))).toEqual({ state: "due", startedAt: closedAt, dueAt: closedAt + 7 * DAY })
    expect(retentionVerdict(delivered({ deliveredAt: null, closedAt: T }), policyAt(T + 7 * DAY - 1))).toEqual({ state: "kept", startedAt: T, dueAt: T + 7 * DAY })
  })

  it("never starts while the data is neither delivered nor its case closed", () => {
    expect(retentionVerdict(delivered({ deliveredAt: null }), policyAt(T + 3650 * DAY))).toEqual({ state: "in-use" })
  })

  it("holds whatever an open request or an undelivered event needs, however it is asked", () => {
    const held = delivered({ holds: ["open-request", "undelivered-event"] })
    const expected = { state: "held", holds: ["open-request", "undelivered-event"] }
    expect(retentionVerdict(held, policyAt(T + 3650 * DAY))).toEqual(expected)
    expect(retentionVerdict(held, { by: "case" })).toEqual(expected)
    expect(retentionVerdict(held, { by: "before", before: T + 1 })).toEqual(expected)
  })

  it("by hand before an instant: due when its purpose ended strictly before, whatever its retention", () => {
    expect(retentionVerdict(delivered(), { by: "before", before: T + 1 })).toEqual({ state: "due", startedAt: T, dueAt: null })
    expect(retentionVerdict(delivered(), { by: "before", before: T })).toEqual({ state: "kept", startedAt: T, dueAt: null })
  })

  it("by hand for a case: due unless held", () => {
    expect(retentionVerdict(delivered({ deliveredAt: null }), { by: "case" })).toEqual({ state: "due", startedAt: null, dueAt: null })
  })
})

describe("parseRetentionPolicy", () => {
  it("fills in the documented defaults", () => {
    expect(parseRetentionPolicy({ rawReports: 3 * DAY })).toEqual({ rawReports: 3 * DAY, payStatements: 7 * DAY, clientContact: 7 * DAY, deliveredEvents: 30 * DAY })
    expect(parseRetentionPolicy({ payStatements: "36h" })).toEqual({ ...DEFAULT_RETENTION_POLICY, payStatements: 36 * 3_600_000 })
  })

  it("refuses an unknown key and a negative period by path", () => {
    const issues = (raw: unknown) => {
      try {
        parseRetentionPolicy(raw)
        return []
      } catch (e) {
        return (e as InvalidInput).issues.map((i) => i.path)
      }
    }
    expect(issues({ rawReport: 1 })).toEqual(["retention.rawReport"])
    expect(issues({ payStatements: -1 })).toEqual(["retention.payStatements"])
    expect(issues({ clientContact: "a week" })).toEqual(["retention.clientContact"])
  })
})
