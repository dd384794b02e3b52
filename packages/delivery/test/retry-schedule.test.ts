/** The retry schedule of the table in retry-schedule.ts, exactly, and Retry-After honoured. */
import { describe, expect, it } from "vitest"
import { nextTryAt, retryAfterMs, retryDelayMs } from "../src/index.js"

const S = 1000
const M = 60 * S
const H = 60 * M

describe("delivery retry schedule", () => {
  it("is the documented table without jitter (random 0.5), ten tries, then dead", () => {
    const waits = Array.from({ length: 10 }, (_, i) => retryDelayMs(i + 1, 0.5))
    expect(waits).toEqual([15 * S, M, 4 * M, 16 * M, 64 * M, 256 * M, 6 * H, 6 * H, 6 * H, null])
    expect(waits.reduce<number>((a, w) => a + (w ?? 0), 0)).toBe(23 * H + 41 * M + 15 * S)
  })

  it("jitters by ±20% at the extremes", () => {
    expect([retryDelayMs(1, 0), retryDelayMs(1, 0.999_999), retryDelayMs(9, 0)]).toEqual([12 * S, 18 * S, 4.8 * H])
  })

  it("honours Retry-After in seconds or as an HTTP date, capped at 24 h; never earlier than the schedule", () => {
    const now = Date.parse("2026-11-22T10:00:00Z")
    expect([
      retryAfterMs("120", now), retryAfterMs("Sun, 22 Nov 2026 10:05:00 GMT", now), retryAfterMs("999999", now), retryAfterMs("soon", now), retryAfterMs(null, now)
    ]).toEqual([120 * S, 5 * M, 24 * H, null, null])
    expect([nextTryAt(1, now, 0.5, 120 * S)! - now, nextTryAt(1, now, 0.5, 1 * S)! - now, nextTryAt(10, now, 0.5, 5 * S)]).toEqual([120 * S, 15 * S, null])
  })
})
