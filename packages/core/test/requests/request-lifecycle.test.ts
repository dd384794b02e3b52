/**
 * The verification request's lifecycle, table-driven with exact instants: the transition table
 * (every pair of states), the reminder schedule on a new order's 72 weekday hours (weekends not
 * counted, core's `requestExpiresAt`) and a Bridge token's 6 h, what is due at an instant
 * (expiry first, missed reminders collapsed into one), the expiry outcome (replace while needed,
 * at most the configured replacements, then escalation) and a client who never acts, over
 * simulated days with an explicit clock: the request chain ends escalated, and nothing loops.
 */
import {
  canTransitionRequest, DEFAULT_REQUEST_POLICY, escalatedInCycle, expiredInCycle, expiryOutcome, FINAL_REQUEST_STATES, isFinalRequestState,
  nextReminderAt, PolicyConfig, REQUEST_STATES, reminderInstants, requestDueAt, requestExpiresAt, requestNextDueAt, RequestPolicy, requestPolicyOf,
  type CycleRequest, type RequestState
} from "@recert/core"
import { describe, expect, it } from "vitest"

const t = (s: string): number => Date.parse(s)
const iso = (ms: number): string => new Date(ms).toISOString()

describe("request transitions", () => {
  // Each row: from, and the exact set of states it may go to.
  const table: ReadonlyArray<readonly [RequestState, ReadonlyArray<RequestState>]> = [
    ["created", ["sent", "completed", "canceled", "superseded", "escalated"]],
    ["sent", ["reminded", "completed", "expired", "canceled", "superseded", "escalated"]],
    ["reminded", ["reminded", "completed", "expired", "canceled", "superseded", "escalated"]],
    ["completed", []], ["expired", []], ["canceled", []], ["superseded", []], ["escalated", []]
  ]
  for (const [from, allowed] of table) {
    it(`${from} -> ${allowed.length === 0 ? "nothing (final)" : allowed.join(", ")}; every other target refused`, () => {
      expect(REQUEST_STATES.filter((to) => canTransitionRequest(from, to))).toEqual(allowed)
      expect(isFinalRequestState(from)).toBe(allowed.length === 0)
    })
  }
  it("the final states are exactly completed, expired, canceled, superseded, escalated", () => {
    expect([...FINAL_REQUEST_STATES]).toEqual(["completed", "expired", "canceled", "superseded", "escalated"])
  })
})

describe("reminder schedule (default: 48, 24 and 4 hours before expiry)", () => {
  const rows: ReadonlyArray<{ readonly name: string; readonly kind: "new-order" | "bridge-update"; readonly created: string; readonly expires: string; readonly reminders: ReadonlyArray<string> }> = [
    {
      name: "a new order made on a Monday", kind: "new-order", created: "2026-11-23T09:00:00.000Z", expires: "2026-11-26T09:00:00.000Z",
      reminders: ["2026-11-24T09:00:00.000Z", "2026-11-25T09:00:00.000Z", "2026-11-26T05:00:00.000Z"]
    },
    {
      name: "a new order made on a Friday afternoon (the weekend not counted)", kind: "new-order", created: "2026-11-27T15:00:00.000Z", expires: "2026-12-02T15:00:00.000Z",
      reminders: ["2026-11-30T15:00:00.000Z", "2026-12-01T15:00:00.000Z", "2026-12-02T11:00:00.000Z"]
    },
    {
      name: "a new order made on a Saturday (counts from Monday 00:00)", kind: "new-order", created: "2026-11-28T12:00:00.000Z", expires: "2026-12-03T00:00:00.000Z",
      reminders: ["2026-12-01T00:00:00.000Z", "2026-12-02T00:00:00.000Z", "2026-12-02T20:00:00.000Z"]
    },
    {
      name: "a Bridge token (6 h: only the 4 h reminder fits)", kind: "bridge-update", created: "2026-11-28T12:00:00.000Z", expires: "2026-11-28T18:00:00.000Z",
      reminders: ["2026-11-28T14:00:00.000Z"]
    }
  ]
  for (const r of rows) {
    it(r.name, () => {
      expect(iso(requestExpiresAt(r.kind, t(r.created)))).toBe(r.expires)
      expect(reminderInstants(r.kind, t(r.created), DEFAULT_REQUEST_POLICY).map(iso)).toEqual(r.reminders)
    })
  }

  it("a configured schedule: duplicates collapse, hours beyond the request's life are skipped, empty means no reminders", () => {
    const policy = RequestPolicy.parse({ reminders: { beforeExpiryHours: [100, 72, 10, 10, 1] } })
    expect(reminderInstants("new-order", t("2026-11-23T09:00:00.000Z"), policy).map(iso)).toEqual(["2026-11-25T23:00:00.000Z", "2026-11-26T08:00:00.000Z"])
    expect(reminderInstants("new-order", t("2026-11-23T09:00:00.000Z"), RequestPolicy.parse({ reminders: { beforeExpiryHours: [] } }))).toEqual([])
  })

  it("the section is optional in the policy configuration: without it, the defaults; a bad value is refused by name", () => {
    expect(requestPolicyOf(PolicyConfig.parse({}))).toEqual({ reminders: { beforeExpiryHours: [48, 24, 4] }, maxReplacementsPerCycle: 2 })
    expect(requestPolicyOf(PolicyConfig.parse({ requests: { maxReplacementsPerCycle: 0 } })).maxReplacementsPerCycle).toBe(0)
    const bad = PolicyConfig.safeParse({ requests: { maxReplacementsPerCycle: -1, reminders: { beforeExpiryHours: [5000] } } })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["requests.reminders.beforeExpiryHours.0", "requests.maxReplacementsPerCycle"])
  })
})

describe("what is due on an open request", () => {
  const created = t("2026-11-23T09:00:00.000Z")
  const rows: ReadonlyArray<readonly [string, string | null, string, string]> = [
    // [now, last reminded, due, next due after it]
    ["2026-11-24T08:59:59.999Z", null, "nothing", "2026-11-24T09:00:00.000Z"],
    ["2026-11-24T09:00:00.000Z", null, "remind 2026-11-24T09:00:00.000Z", "2026-11-24T09:00:00.000Z"],
    // Two slots missed (no worker ran): one reminder, and the next slot is the one after now.
    ["2026-11-25T10:00:00.000Z", null, "remind 2026-11-24T09:00:00.000Z", "2026-11-24T09:00:00.000Z"],
    ["2026-11-25T10:00:00.000Z", "2026-11-25T10:00:00.000Z", "nothing", "2026-11-26T05:00:00.000Z"],
    ["2026-11-26T05:00:00.000Z", "2026-11-25T09:00:00.000Z", "remind 2026-11-26T05:00:00.000Z", "2026-11-26T05:00:00.000Z"],
    ["2026-11-26T08:59:59.999Z", "2026-11-26T05:00:00.000Z", "nothing", "2026-11-26T09:00:00.000Z"],
    // Expiry wins over a reminder still owed.
    ["2026-11-26T09:00:00.000Z", null, "expire 2026-11-26T09:00:00.000Z", "2026-11-24T09:00:00.000Z"]
  ]
  for (const [now, last, due, next] of rows) {
    it(`at ${now}, last reminded ${last ?? "never"}: ${due}`, () => {
      const d = requestDueAt("new-order", created, last === null ? null : t(last), t(now), DEFAULT_REQUEST_POLICY)
      expect(d === null ? "nothing" : `${d.kind} ${iso(d.kind === "expire" ? d.expiresAt : d.slot)}`).toBe(due)
      expect(iso(requestNextDueAt("new-order", created, last === null ? null : t(last), DEFAULT_REQUEST_POLICY))).toBe(next)
    })
  }
  it("no reminder slot is left after the last one", () => {
    expect(nextReminderAt("new-order", created, t("2026-11-26T05:00:00.000Z"), DEFAULT_REQUEST_POLICY)).toBeNull()
  })
})

describe("expiry outcome", () => {
  it("replaced while the case needs it, up to the configured replacements; then escalated with its reason; never replaced when not needed", () => {
    expect(expiryOutcome({ stillNeeded: true, expiredBefore: 0 }, DEFAULT_REQUEST_POLICY)).toEqual({
      to: "expired", replace: true, reason: "expired unanswered; replaced (replacement 1 of at most 2 this cycle)"
    })
    expect(expiryOutcome({ stillNeeded: true, expiredBefore: 1 }, DEFAULT_REQUEST_POLICY)).toEqual({
      to: "expired", replace: true, reason: "expired unanswered; replaced (replacement 2 of at most 2 this cycle)"
    })
    expect(expiryOutcome({ stillNeeded: true, expiredBefore: 2 }, DEFAULT_REQUEST_POLICY)).toEqual({
      to: "escalated", replace: false,
      reason: "expired unanswered; 3 links this cycle, 2 replacements allowed: escalated to a caseworker",
      caseworkerAction: "Contact the client another way (phone, mail, in person) to verify income and employment; Recert sends no further links this cycle."
    })
    expect(expiryOutcome({ stillNeeded: false, expiredBefore: 0 }, DEFAULT_REQUEST_POLICY)).toEqual({
      to: "expired", replace: false, reason: "expired unanswered; the case no longer needs it (verified since it was sent)"
    })
    const none = RequestPolicy.parse({ maxReplacementsPerCycle: 0 })
    expect(expiryOutcome({ stillNeeded: true, expiredBefore: 0 }, none)).toMatchObject({
      to: "escalated", reason: "expired unanswered; 1 link this cycle, 0 replacements allowed: escalated to a caseworker"
    })
  })

  it("counts only this cycle's expired requests that share a connection; escalation belongs to the cycle", () => {
    const r = (id: number, createdAt: string, state: RequestState, connectionIds = ["link-1"]): CycleRequest => ({ id, createdAt, state, connectionIds })
    const all = [
      r(1, "2026-01-05T09:00:00.000Z", "expired"), // last cycle
      r(2, "2026-11-23T09:00:00.000Z", "expired"),
      r(3, "2026-11-26T09:00:00.000Z", "expired", ["link-2"]), // another connection
      r(4, "2026-11-26T09:00:00.000Z", "superseded"),
      r(5, "2026-11-26T09:00:00.000Z", "sent")
    ]
    expect(expiredInCycle(all[4]!, all, "2026-06-01T00:00:00.000Z")).toBe(1)
    expect(expiredInCycle(all[4]!, all, null)).toBe(2)
    expect(escalatedInCycle([...all, r(6, "2026-01-08T09:00:00.000Z", "escalated")], "2026-06-01T00:00:00.000Z")).toBe(false)
    expect(escalatedInCycle([...all, r(6, "2026-12-01T09:00:00.000Z", "escalated")], "2026-06-01T00:00:00.000Z")).toBe(true)
  })
})

describe("a client who never acts, over simulated days (explicit clock, hourly sweeps)", () => {
  /**
   * A brute-force model of the sweep: every hour, each open request gets what is due (a reminder,
   * or expiry: replaced by a new request made at that instant, or escalated). Counts everything.
   */
  const simulate = (start: string, policy: RequestPolicy, hours: number) => {
    type Open = { id: number; created: number; last: number | null; reminders: number }
    const log: Array<string> = []
    const requests: Array<CycleRequest> = []
    let open: Open | null = { id: 1, created: t(start), last: null, reminders: 0 }
    requests.push({ id: 1, connectionIds: ["link-1"], createdAt: start, state: "sent" })
    const setState = (id: number, state: RequestState) => { requests[id - 1] = { ...requests[id - 1]!, state } }
    for (let h = 0; h <= hours && open !== null; h++) {
      const now = t(start) + h * 3_600_000
      const due = requestDueAt("new-order", open.created, open.last, now, policy)
      if (due === null) continue
      if (due.kind === "remind") {
        open.reminders += 1
        open.last = now
        setState(open.id, "reminded")
        log.push(`${iso(now)} #${open.id} reminder ${open.reminders}`)
        continue
      }
      const outcome = expiryOutcome({ stillNeeded: true, expiredBefore: expiredInCycle(requests[open.id - 1]!, requests, null) }, policy)
      setState(open.id, outcome.to)
      log.push(`${iso(now)} #${open.id} ${outcome.to}`)
      if (outcome.replace) {
        const id = requests.length + 1
        requests.push({ id, connectionIds: ["link-1"], createdAt: iso(now), state: "sent" })
        open = { id, created: now, last: null, reminders: 0 }
        log.push(`${iso(now)} #${id} sent`)
      } else {
        open = null
      }
    }
    return { log, requests, open }
  }

  it("default policy from Monday 2026-11-23 09:00: 3 links, 3 reminders each, 2 replacements, escalated on Monday 2026-12-07 09:00; nothing after", () => {
    const { log, requests, open } = simulate("2026-11-23T09:00:00.000Z", DEFAULT_REQUEST_POLICY, 60 * 24)
    expect(log).toEqual([
      "2026-11-24T09:00:00.000Z #1 reminder 1", "2026-11-25T09:00:00.000Z #1 reminder 2", "2026-11-26T05:00:00.000Z #1 reminder 3",
      "2026-11-26T09:00:00.000Z #1 expired", "2026-11-26T09:00:00.000Z #2 sent",
      // #2 was made on a Thursday: Friday, then Monday and Tuesday (the weekend not counted).
      "2026-11-27T09:00:00.000Z #2 reminder 1", "2026-11-30T09:00:00.000Z #2 reminder 2", "2026-12-01T05:00:00.000Z #2 reminder 3",
      "2026-12-01T09:00:00.000Z #2 expired", "2026-12-01T09:00:00.000Z #3 sent",
      "2026-12-02T09:00:00.000Z #3 reminder 1", "2026-12-03T09:00:00.000Z #3 reminder 2", "2026-12-04T05:00:00.000Z #3 reminder 3",
      "2026-12-04T09:00:00.000Z #3 escalated"
    ])
    expect(requests.map((r) => r.state)).toEqual(["expired", "expired", "escalated"])
    expect(open).toBeNull()
  })

  it("for every max from 0 to 5 the chain is exactly max + 1 links long and ends escalated", () => {
    for (let max = 0; max <= 5; max++) {
      const { requests, open } = simulate("2026-11-27T15:00:00.000Z", RequestPolicy.parse({ maxReplacementsPerCycle: max }), 120 * 24)
      expect(requests.length).toBe(max + 1)
      expect(requests.at(-1)!.state).toBe("escalated")
      expect(open).toBeNull()
    }
  })
})
