/**
 * The model's Truv requests are the product's, event by event (`truv-requests.ts`; the scheduler
 * check `simulator-model-clients.test.ts` compares them with the sandbox's count): a link's new
 * order, a read of its order at every later pass until it is answered or expires, a read at its
 * expiry; a refresh's order, and its report when it succeeds; a client's answer read with its
 * report. A named case first (the links fixture of `links.test.ts`), then the totals of a year
 * against the actions that cause them, for every strategy.
 */
import { describe, expect, it } from "vitest"
import {
  DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, PolicyConfig, REQUESTS_PER_EVENT, RequestTally, type SimulatedAction, type SimulatedRequests, simulate
} from "../../src/index.js"

describe("the model's Truv requests", () => {
  it("a client who never answers: each link's new order, its order read every later night, and read once more at its expiry", () => {
    const requests: Array<SimulatedRequests> = []
    const params = { ...DEFAULT_SIMULATION, cases: 20, months: 1, seed: 2, mfaEveryLogin: 1, outageDaysPerYear: 0, answerRate: 0 }
    simulate(params, { configured: DEFAULT_POLICY_CONFIG, basic: DEFAULT_POLICY_CONFIG }, ["recert-basic"], undefined, (r) => void requests.push(r))
    // Links on nights 0, 5 and 10, escalated on 13 (links.test.ts): every request at the pass, 02:00.
    const mine = requests.filter((r) => r.caseId === "sim-1")
    expect(mine.map((r) => `${r.day}:${r.event}`).join(" ")).toBe([
      "0:link", "1:openLinkAtPass", "2:openLinkAtPass", "3:openLinkAtPass", "4:openLinkAtPass",
      "5:linkAtExpiry", "5:link", "6:openLinkAtPass", "7:openLinkAtPass", "8:openLinkAtPass", "9:openLinkAtPass",
      "10:linkAtExpiry", "10:link", "11:openLinkAtPass", "12:openLinkAtPass", "13:linkAtExpiry"
    ].join(" "))
    expect(new Set(mine.map((r) => r.minute))).toEqual(new Set([120]))
    const tally = new RequestTally()
    for (const r of mine) tally.add(r.requests)
    expect(tally.counts()).toEqual({ refreshOrders: 0, newOrders: 3, orderReads: 13, reportReads: 0, total: 16 })
  })

  it("a year, every strategy: the requests by kind follow from the actions (a refresh's order, a done refresh's and an answer's report, a link's order)", () => {
    const actions: Array<SimulatedAction> = []
    const events: Array<SimulatedRequests> = []
    const params = { ...DEFAULT_SIMULATION, cases: 1_500, months: 12, seed: 3 }
    const r = simulate(params, { configured: PolicyConfig.parse({ learning: {} }), basic: DEFAULT_POLICY_CONFIG }, undefined, (a) => void actions.push(a), (e) => void events.push(e))
    for (const s of r.strategies) {
      const mine = actions.filter((a) => a.strategy === s.strategy)
      const count = (f: (a: SimulatedAction) => boolean) => mine.filter(f).length
      const refreshesSent = count((a) => a.kind === "refresh" || a.kind === "refresh-free" || a.kind === "refresh-refused")
      const done = count((a) => (a.kind === "refresh" || a.kind === "refresh-free") && a.status === "done")
      const answers = count((a) => a.kind === "completed-by-client")
      const t = s.truvRequests
      expect(t.refreshOrders).toBe(refreshesSent)
      expect(t.newOrders).toBe(s.links)
      expect(t.reportReads).toBe(done + answers)
      // Order reads: a done refresh's and an answer's two, one at each expiry (replaced or escalated), and the nightly reads of open links.
      const nightly = events.filter((e) => e.strategy === s.strategy && e.event === "openLinkAtPass").length
      const expired = new Set(events.filter((e) => e.strategy === s.strategy && e.event === "linkAtExpiry").map((e) => `${e.caseId} ${e.day}`))
      expect(t.orderReads).toBe(done * REQUESTS_PER_EVENT.refreshDone.orderReads + answers * REQUESTS_PER_EVENT.answer.orderReads + expired.size + nightly)
      // Each expiry read is followed by the link's replacement or its escalation, on the same night.
      expect(expired.size).toBe(s.escalated + count((a) => a.kind === "link" && expired.has(`${a.caseId} ${a.day}`)))
      expect(nightly).toBeGreaterThan(t.newOrders)
      expect(t.total).toBe(t.refreshOrders + t.newOrders + t.orderReads + t.reportReads)
    }
  })
})
