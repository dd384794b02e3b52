/**
 * Verifications beyond the port's contract, on every dialect: every case's latest verification
 * (`latestVerifications`: the latest per case, filtered in SQL by class and instant, keyset
 * pages), the case import's optional baseline read back by `importedBaseline` (CSV and JSON, and
 * refused with the line and column), and the upgrade to 0005 keeping legacy `case_results` rows.
 */
import type { Baseline } from "@recert/core"
import { incomeSnapshot, verificationRecord } from "@recert/core/testing"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { Store } from "../src/index.js"
import { DIALECTS, migrateTo, useTestDatabase } from "./support/dialects.js"
import { NOW, run, seed } from "./support/fixtures.js"

const T1 = "2026-11-20T10:00:00.000Z"
const T2 = "2026-11-22T09:00:00.000Z"
/** A verification compared with an identical previous snapshot: renew. */
const renewed = (caseId: string, orderId: string, fetchedAt: string) =>
  verificationRecord({ caseId, orderId, fetchedAt, previous: incomeSnapshot({ orderId: "prev", fetchedAt }) })
/** A first verification without a baseline: review (`baseline.none`). */
const first = (caseId: string, orderId: string, fetchedAt: string) => verificationRecord({ caseId, orderId, fetchedAt })

for (const dialect of DIALECTS) {
  describe(`verifications on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("latestVerifications: each case's latest, filtered by class and instant in SQL, in keyset pages", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        for (const root of ["la", "lb", "lc", "ld"]) yield* seed(root)
        // la: reviewed at T1, renewed at T2 (latest renew); lb: reviewed at T2; lc: a tie at T1, ord-c2 is latest; ld: none.
        for (const v of [first("case-la", "ord-a1", T1), renewed("case-la", "ord-a2", T2), first("case-lb", "ord-b1", T2),
          renewed("case-lc", "ord-c2", T1), first("case-lc", "ord-c1", T1)]) yield* store.saveVerification(v)
        const line = (o: Parameters<typeof store.latestVerifications>[0]) =>
          Effect.map(store.latestVerifications(o), (rows) => rows.map((x) => `${x.caseId} ${x.orderId} ${x.class} ${x.verifiedAt} ${x.reasonCodes.join(",")}`))
        return {
          all: yield* store.latestVerifications({ limit: 10 }),
          review: yield* line({ review: true, limit: 10 }),
          since: yield* line({ since: T2, limit: 10 }),
          page1: yield* line({ limit: 2 }),
          page2: yield* line({ limit: 2, afterCaseId: "case-lb" })
        }
      }))
      expect(r.all).toEqual([
        { caseId: "case-la", orderId: "ord-a2", via: "refresh", verifiedAt: T2, class: "renew", reasonCodes: [] },
        { caseId: "case-lb", orderId: "ord-b1", via: "refresh", verifiedAt: T2, class: "review", reasonCodes: ["baseline.none"] },
        { caseId: "case-lc", orderId: "ord-c2", via: "refresh", verifiedAt: T1, class: "renew", reasonCodes: [] }
      ])
      expect(r.review).toEqual([`case-lb ord-b1 review ${T2} baseline.none`])
      expect(r.since).toEqual([`case-la ord-a2 renew ${T2} `, `case-lb ord-b1 review ${T2} baseline.none`])
      expect(r.page1).toEqual([`case-la ord-a2 renew ${T2} `, `case-lb ord-b1 review ${T2} baseline.none`])
      expect(r.page2).toEqual([`case-lc ord-c2 renew ${T1} `])
    })

    test("a case import's baseline (CSV and JSON) is kept with the case and read by importedBaseline", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ia")
        const csv = "id,dueAt,cycle,rootOrderId,baselineVerifiedAt,baselineMonthlyIncome,baselineWeeklyHours,baselineEmployer,baselinePayFrequency\n" +
          "imp-1,2026-12-01T00:00:00Z,annual,ia,2025-11-20T00:00:00Z,3200.5,37.5,\"Riverside Health Services\",BW\n" +
          "imp-2,2026-12-01T00:00:00Z,annual,ia,,,,,\n"
        const json = JSON.stringify([{ id: "imp-3", dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: "ia", product: "employment",
          baselineVerifiedAt: "2025-10-01T00:00:00Z", baselineMonthlyIncome: "1800.07" }])
        yield* store.importCases(csv, "csv")
        yield* store.importCases(json, "json")
        return [yield* store.importedBaseline("imp-1"), yield* store.importedBaseline("imp-2"), yield* store.importedBaseline("imp-3"), (yield* store.getCase("imp-1")).id]
      }))
      expect(r).toEqual([
        {
          source: "import", verifiedAt: "2025-11-20T00:00:00Z", product: "income", monthlyIncomeCents: 320_050, weeklyHours: 37.5,
          employers: [{ name: "Riverside Health Services", ein: null, state: "active", payFrequency: "BW", monthlyIncomeCents: 320_050 }]
        } satisfies Baseline,
        null,
        { source: "import", verifiedAt: "2025-10-01T00:00:00Z", product: "employment", monthlyIncomeCents: 180_007, weeklyHours: null, employers: [] },
        "imp-1"
      ])
    })

    test("a malformed baseline is refused with the line and column, never quoting the amount; nothing is imported", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ib")
        const csv = "id,dueAt,cycle,rootOrderId,baselineVerifiedAt,baselineMonthlyIncome,baselineWeeklyHours,baselinePayFrequency\n" +
          "bad-1,2026-12-01T00:00:00Z,annual,ib,,\"3,200.00\",200,BW\n" +
          "bad-2,2026-12-01T00:00:00Z,annual,ib,2025-11-20,12.345,40,X\n" +
          "ok-3,2026-12-01T00:00:00Z,annual,ib,2025-11-20T00:00:00Z,-5,,\n"
        const failed = yield* Effect.flip(store.importCases(csv, "csv"))
        return { failed, count: (yield* store.listCases({ limit: 100 })).filter((c) => /^(bad|ok)-/.test(c.id)).length }
      }))
      expect(r.failed._tag).toBe("ImportFailed")
      expect(r.failed._tag === "ImportFailed" ? r.failed.issues : []).toEqual([
        { line: 2, field: "baselineVerifiedAt", message: "required when a baseline is given (when its figures were verified)" },
        { line: 2, field: "baselineMonthlyIncome", message: "expected dollars with at most two decimals and no sign or separators (3200.00)" },
        { line: 2, field: "baselineWeeklyHours", message: "expected hours a week between 0 and 168, at most two decimals (37.5)" },
        { line: 2, field: "baselinePayFrequency", message: "a pay frequency needs baselineEmployer (whose frequency it is)" },
        { line: 3, field: "baselineVerifiedAt", message: "expected an ISO-8601 instant with a zone (2025-11-20T00:00:00Z)" },
        { line: 3, field: "baselineMonthlyIncome", message: "expected dollars with at most two decimals and no sign or separators (3200.00)" },
        { line: 3, field: "baselinePayFrequency", message: "expected one of W, BW, SM, M, SA, A, irregular, unknown" },
        { line: 3, field: "baselinePayFrequency", message: "a pay frequency needs baselineEmployer (whose frequency it is)" },
        { line: 4, field: "baselineMonthlyIncome", message: "expected dollars with at most two decimals and no sign or separators (3200.00)" }
      ])
      expect(JSON.stringify(r.failed)).not.toContain("3,200")
      expect(r.count).toBe(0)
    })

    test("upgrading from 0004: legacy case_results rows stay readable; cases have no baseline", async () => {
      const fresh = await dialect.create()
      try {
        await migrateTo(fresh, "0004_verification_resolution")
        const r = await run(fresh, Effect.gen(function*() {
          const store = yield* Store
          yield* seed("up")
          const legacy = { caseId: "case-up", orderId: "ord-up-r1", product: "income" as const, receivedAt: new Date(NOW).toISOString(),
            employmentStatus: null, annualIncome: null, payPeriods: null, data: { id: "ord-up-r1" } }
          yield* store.saveResult(legacy)
          const report = yield* store.migrate()
          return { applied: report.applied, results: yield* store.listResults("case-up"), legacy,
            baseline: yield* store.importedBaseline("case-up"), latest: yield* store.latestVerification("case-up") }
        }), NOW, { migrate: false })
        expect(r).toEqual({ applied: ["0005_verification_results", "0006_store_meta", "0007_truv_budget", "0008_verification_intents", "0009_client_contact", "0010_request_lifecycle", "0011_outbox", "0012_timing", "0014_retention", "0016_link_deletion", "0018_attempt_writers"], results: [r.legacy], legacy: r.legacy, baseline: null, latest: null })
      } finally {
        await fresh.cleanup()
      }
    })
  })
}
