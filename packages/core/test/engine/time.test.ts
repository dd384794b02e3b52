import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { instantIso, isCanonicalIso, isoOf, toIso, toMs } from "../../src/engine/time.js"

describe("engine time (hand-written ISO parsing and formatting)", () => {
  it("toMs agrees with Date.parse on every shape the schemas accept", () => {
    const offset = fc.oneof(fc.constantFrom("Z", "z"), fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45))
      .map(([s, h, m]) => `${s}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`))
    const frac = fc.constantFrom("", ".0", ".5", ".12", ".123", ".1234", ".999999")
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), frac, offset, (ms, f, o) => {
      const text = new Date(ms).toISOString().slice(0, 19) + f + o
      expect(toMs(text)).toBe(Date.parse(text))
    }), { numRuns: 3000 })
  })

  it("toIso agrees with toISOString", () => {
    fc.assert(fc.property(fc.integer({ min: -62167219200000 /* 0000-01-01 */, max: Date.UTC(9999, 11, 31) }), (ms) => {
      expect(toIso(ms)).toBe(new Date(ms).toISOString())
    }), { numRuns: 3000 })
    for (const ms of [0, -1, 951782400000, 4102444800000, -62135596800000]) expect(toIso(ms)).toBe(new Date(ms).toISOString())
  })

  it("falls back to Date.parse for other shapes", () => {
    expect(toMs("2026-11-22T10:00Z")).toBe(Date.parse("2026-11-22T10:00Z"))
    expect(toMs("2026-11-22T10:00:00+0100")).toBe(Date.parse("2026-11-22T10:00:00+0100"))
  })

  it("isoOf quotes a canonical string unchanged and formats anything else, always equal to toIso(toMs(s))", () => {
    const digits = (n: number) => fc.array(fc.constantFrom(..."0123456789"), { minLength: n, maxLength: n }).map((d) => d.join(""))
    // Any 24-character string of the canonical shape, real date or not (2026-02-30, 25:00, ...)
    const shaped = fc.tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, f]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${f}Z`)
    const real = fc.integer({ min: -62167219200000, max: Date.UTC(9999, 11, 31) }).map((ms) => new Date(ms).toISOString())
    fc.assert(fc.property(fc.oneof(shaped, real), (s) => {
      const ms = toMs(s)
      if (Number.isNaN(ms)) return
      expect(isoOf(s, ms)).toBe(new Date(ms).toISOString())
      if (isCanonicalIso(s)) expect(s).toBe(new Date(ms).toISOString())
    }), { numRuns: 5000 })
    for (const s of ["2024-02-29T00:00:00.000Z", "2100-02-29T00:00:00.000Z", "2026-11-22T24:00:00.000Z", "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.000+00:00"]) {
      const ms = toMs(s)
      if (!Number.isNaN(ms)) expect(isoOf(s, ms)).toBe(new Date(ms).toISOString())
    }
    expect(instantIso(0)).toBe("1970-01-01T00:00:00.000Z")
  })
})
