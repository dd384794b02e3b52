/**
 * Decimal strings to integer cents on the digits (no float error), and Truv's two date formats.
 */
import fc from "fast-check"
import { strict as assert } from "node:assert"
import { describe, expect, it } from "vitest"
import { decimalToCents, truvDate } from "@recert/truv-adapter"

describe("decimalToCents", () => {
  it.each<[string | number, ReturnType<typeof decimalToCents>]>([
    ["1477.13", { ok: true, cents: 147_713, rounded: false }],
    ["0.29", { ok: true, cents: 29, rounded: false }],
    ["1.1", { ok: true, cents: 110, rounded: false }],
    ["12", { ok: true, cents: 1200, rounded: false }],
    [".5", { ok: true, cents: 50, rounded: false }],
    ["-5.00", { ok: true, cents: -500, rounded: false }],
    ["19.505", { ok: true, cents: 1951, rounded: true }],
    ["19.5049", { ok: true, cents: 1950, rounded: true }],
    ["19.500", { ok: true, cents: 1950, rounded: false }],
    [" 33844.60 ", { ok: true, cents: 3_384_460, rounded: false }],
    [1477.13, { ok: true, cents: 147_713, rounded: false }],
    ["1,477.13", { ok: false }], ["abc", { ok: false }], ["", { ok: false }], ["1e3", { ok: false }],
    ["NaN", { ok: false }], [Number.NaN, { ok: false }], ["1.2.3", { ok: false }], ["99999999999999999999", { ok: false }]
  ])("%j", (value, expected) => {
    expect(decimalToCents(value)).toEqual(expected)
  })

  it("is exact for every two-decimal amount (summing cents never drifts)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (cents) => {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`
      assert.deepEqual(decimalToCents(text), { ok: true, cents, rounded: false })
    }), { numRuns: 2000 })
  })
})

describe("truvDate", () => {
  it.each([
    ["2026-11-20", "2026-11-20"],
    ["2026-11-20T16:04:11Z", "2026-11-20"],
    ["2026-11-20T00:00:00-05:00", "2026-11-20"],
    ["2026-11-20T23:30:00.123+02:00", "2026-11-20"],
    ["2026-11-20 08:00:00", "2026-11-20"],
    ["11/20/2026", null], ["2026-02-30", null], ["2026-13-01T00:00:00Z", null], ["2026-11-20T25:00:00Z", null], ["yesterday", null]
  ])("%s -> %s", (text, expected) => {
    expect(truvDate(text)).toBe(expected)
  })
})
