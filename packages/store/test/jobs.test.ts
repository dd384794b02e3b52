/** The job backoff table of ops/jobs.ts: 30 s doubling, capped at 1 h, ±20 % jitter, cap after jitter. */
import { describe, expect, it } from "vitest"
import { jobBackoffMs } from "../src/index.js"

describe("job backoff", () => {
  it("without jitter (random 0.5) doubles from 30 s and caps at 1 h", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => jobBackoffMs(n, 0.5))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000
    ])
  })
  it("jitter spans -20 % .. +20 %, and never exceeds the cap", () => {
    expect([jobBackoffMs(1, 0), jobBackoffMs(1, 0.999_999)]).toEqual([24_000, 36_000])
    expect([jobBackoffMs(8, 0), jobBackoffMs(8, 0.999_999)]).toEqual([2_880_000, 3_600_000])
  })
})
