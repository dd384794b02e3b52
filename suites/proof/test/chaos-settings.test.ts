/** The chaos suite's settings from the environment (support/chaos/settings.ts): defaults, lists, and one line naming a bad value. */
import { describe, expect, it } from "vitest"
import { stepAfter } from "./support/chaos/client-run.js"
import { chaosSettings, CLIENT_PATH_POINTS, PLACED_POINTS } from "./support/chaos/settings.js"

describe("chaosSettings", () => {
  it("defaults: 3 seeds, 36 cases, 4 kills, every scenario, 3 Postgres runs at once", () => {
    expect(chaosSettings({})).toEqual({
      seeds: [1, 2, 3], cases: 36, kills: 4, scenarios: ["kills", "postgres", "disk"], pgParallel: 3, diskParallel: 3,
      pgOutage: "terminate", disk: "alternate", points: PLACED_POINTS, deadlineMs: 180_000
    })
  })

  it("in CI (CI=true): 24 cases a run unless RECERT_CHAOS_CASES says otherwise; the rest as by default", () => {
    expect(chaosSettings({ CI: "true" })).toEqual({ ...chaosSettings({}), cases: 24 })
    expect(chaosSettings({ CI: "true", RECERT_CHAOS_CASES: "36" }).cases).toBe(36)
    expect(chaosSettings({ CI: "false" }).cases).toBe(36)
  })

  it("reads seeds as a list (which wins) or a count, and the rest", () => {
    const s = chaosSettings({
      RECERT_CHAOS_SEEDS: "7, 11", RECERT_CHAOS_SEED_COUNT: "20", RECERT_CHAOS_CASES: "12", RECERT_CHAOS_KILLS: "0",
      RECERT_CHAOS_SCENARIOS: "disk,kills", RECERT_CHAOS_PG_OUTAGE: "cluster", RECERT_CHAOS_DISK: "read-only", RECERT_CHAOS_POINTS: "after-reserve,after-link-intent"
    })
    expect(s).toMatchObject({ seeds: [7, 11], cases: 12, kills: 0, scenarios: ["disk", "kills"], pgOutage: "cluster", disk: "read-only", points: ["after-reserve", "after-link-intent"] })
    expect(chaosSettings({ RECERT_CHAOS_SEED_COUNT: "20" }).seeds).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  it("names the variable and the bad value", () => {
    expect(() => chaosSettings({ RECERT_CHAOS_SEED_COUNT: "0" })).toThrow(`RECERT_CHAOS_SEED_COUNT: expected a whole number from 1 to 1000; got "0"`)
    expect(() => chaosSettings({ RECERT_CHAOS_SEEDS: "1,x" })).toThrow(`RECERT_CHAOS_SEEDS: expected whole numbers separated by commas, such as 1,2,3; got "1,x"`)
    expect(() => chaosSettings({ RECERT_CHAOS_SEEDS: "2,2" })).toThrow(`RECERT_CHAOS_SEEDS: expected distinct seeds; got "2,2"`)
    expect(() => chaosSettings({ RECERT_CHAOS_SCENARIOS: "kils" })).toThrow(`RECERT_CHAOS_SCENARIOS: expected kills, postgres, disk; got "kils"`)
    expect(() => chaosSettings({ RECERT_CHAOS_PG_OUTAGE: "restart" })).toThrow(`RECERT_CHAOS_PG_OUTAGE: expected terminate or cluster; got "restart"`)
    expect(() => chaosSettings({ RECERT_CHAOS_POINTS: "after-reserv" })).toThrow(`RECERT_CHAOS_POINTS: expected points among ${[...new Set([...PLACED_POINTS, ...CLIENT_PATH_POINTS])].join(", ")}; got "after-reserv"`)
  })
})

describe("the client chaos clock's step (support/chaos/client-run.ts stepAfter)", () => {
  const H = 3_600_000
  it("the fixed step when nothing is due or something falls due within it; to a minute past the next due instant when nothing falls due sooner; at most 4 steps", () => {
    expect([
      stepAfter(0, null, 24 * H), stepAfter(0, 5 * H, 24 * H), stepAfter(0, 50 * H, 24 * H), stepAfter(0, 500 * H, 24 * H)
    ]).toEqual([24 * H, 24 * H, 50 * H + 60_000, 96 * H])
  })
})
