/**
 * The verification half of the `RenewalStore` contract (renewal-store-contract.ts registers it):
 * a full record with two employers and their statements round-trips exactly, the first save of a
 * (case, order) wins and a later one returns false changing nothing, the order of `latest` and
 * `list` (a tie on `verifiedAt` broken by order id), an unknown case, and the imported baseline.
 * Records are built with core's results functions (verification-fixtures.ts).
 */
import { Baseline } from "@recert/core"
import { Effect } from "effect"
import { expect } from "vitest"
import type { ContractSeed, StoreUnderTest } from "./renewal-store-contract.js"
import { IMPORTED_BASELINE, importedBaseline, verificationRecord } from "./verification-fixtures.js"

type Test = (title: string, body: (s: StoreUnderTest) => Effect.Effect<void, unknown>, seed?: ContractSeed) => void

const T1 = "2026-11-22T10:00:00.000Z"
const T2 = "2026-11-23T09:30:00.000Z"

export const registerVerifications = (test: Test, seedOf: (patch?: Partial<ContractSeed>) => ContractSeed): void => {
  test("saveVerification keeps a full record (two employers, statements, classification, raw JSON); it reads back equal", ({ store }) => Effect.gen(function*() {
    const first = verificationRecord({ orderId: "ord-2", fetchedAt: T1, importedBaseline: importedBaseline() })
    const second = verificationRecord({ orderId: "ord-3", fetchedAt: T2, grossCents: 150_000, hours: 64, lastPayDate: "2026-11-20", previous: first.snapshot, via: "new-order", attemptId: null })
    // The fixtures are what they claim: two employers with statements, a review against the previous snapshot.
    expect(second.snapshot.employers.map((e) => [e.name, e.statements?.length])).toEqual([["Riverside Health Services", 7], ["Northside Pantry Co-op", 5]])
    expect(second.result.class).toBe("review")
    expect(second.result.reasons.map((r) => r.code)).toEqual(["income.down", "hours.down"])
    expect(second.result.baseline?.source).toBe("snapshot")
    expect(yield* store.saveVerification(first)).toBe(true)
    expect(yield* store.saveVerification(second)).toBe(true)
    expect(yield* store.latestVerification("case-17")).toEqual(second)
    expect(yield* store.listVerifications("case-17")).toEqual([first, second])
  }))

  test("a record whose report was unusable or employment-only keeps its nulls (no summary, statements null)", ({ store }) => Effect.gen(function*() {
    const base = verificationRecord({ orderId: "ord-2", fetchedAt: T1, secondEmployer: false })
    const voe = { ...base.snapshot, product: "employment" as const, employers: base.snapshot.employers.map((e) => ({ ...e, statements: null, rate: { incomeCents: null, incomeUnit: null, payRateCents: null } })) }
    const empty = { ...base.snapshot, employers: [], issues: [] }
    const records = [
      { ...base, snapshot: voe, result: { ...base.result, summary: null } },
      { ...base, orderId: "ord-3", snapshot: empty, raw: null, result: { ...base.result, class: "review" as const, summary: null, baseline: null, reasons: [], notes: [] } }
    ]
    for (const r of records) expect(yield* store.saveVerification(r)).toBe(true)
    expect(yield* store.listVerifications("case-17")).toEqual(records)
  }))

  test("a verification is immutable: saving the same (case, order) again returns false and changes nothing", ({ store }) => Effect.gen(function*() {
    const first = verificationRecord({ orderId: "ord-2", fetchedAt: T1 })
    const again = verificationRecord({ orderId: "ord-2", fetchedAt: T2, grossCents: 90_000 })
    expect(yield* store.saveVerification(first)).toBe(true)
    expect(yield* store.saveVerification(again)).toBe(false)
    expect(yield* store.saveVerification(first)).toBe(false)
    expect(yield* store.listVerifications("case-17")).toEqual([first])
    // The same order for another case is another verification.
    const other = verificationRecord({ orderId: "ord-2", fetchedAt: T1, caseId: "case-other" })
    expect(yield* store.saveVerification(other)).toBe(true)
    expect(yield* store.listVerifications("case-other")).toEqual([other])
    expect(yield* store.listVerifications("case-17")).toEqual([first])
  }))

  test("latest and list order by verifiedAt, then order id (a tie on verifiedAt)", ({ store }) => Effect.gen(function*() {
    const early = verificationRecord({ orderId: "ord-z", fetchedAt: T1 })
    const tieB = verificationRecord({ orderId: "ord-b", fetchedAt: T2 })
    const tieA = verificationRecord({ orderId: "ord-a", fetchedAt: T2 })
    for (const r of [tieB, early, tieA]) yield* store.saveVerification(r)
    expect((yield* store.listVerifications("case-17")).map((v) => v.orderId)).toEqual(["ord-z", "ord-a", "ord-b"])
    expect((yield* store.latestVerification("case-17"))?.orderId).toBe("ord-b")
  }))

  test("an unknown case, or a case without verifications: latest is null, list is empty", ({ store }) => Effect.gen(function*() {
    yield* store.saveVerification(verificationRecord({ orderId: "ord-2", fetchedAt: T1 }))
    expect(yield* store.latestVerification("case-other")).toBeNull()
    expect(yield* store.listVerifications("case-other")).toEqual([])
    expect(yield* store.latestVerification("nope")).toBeNull()
    expect(yield* store.listVerifications("nope")).toEqual([])
  }))

  test("importedBaseline: the case's imported baseline; null without one or for an unknown case", ({ store }) => Effect.gen(function*() {
    expect(yield* store.importedBaseline("case-17")).toEqual(Baseline.parse(IMPORTED_BASELINE))
    expect(yield* store.importedBaseline("case-other")).toBeNull()
    expect(yield* store.importedBaseline("nope")).toBeNull()
  }), seedOf({ baselines: { "case-17": IMPORTED_BASELINE } }))
}
