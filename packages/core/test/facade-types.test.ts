/**
 * The facade's inputs are the zod schemas' input types, so a TypeScript caller gets a compile
 * error for a wrong shape. The `@ts-expect-error` lines are checked by `tsc` (the root
 * typecheck builds this folder): if a wrong shape ever compiled again, the unused directive
 * would fail the typecheck. At run time the same calls are refused by validation.
 */
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  decide, decideBatch, type DecisionInputRaw, InvalidInput, plan, type PlanCaseInput, type PolicyConfigInput, safeDecide
} from "@recert/core"
import type { z } from "zod"
import type { DecisionInput, PlanCase, PolicyConfig } from "@recert/core"
import { input, NOW } from "./fixtures.js"

describe("facade input types", () => {
  it("are z.input of the schemas", () => {
    expectTypeOf<Parameters<typeof decide>[0]>().toEqualTypeOf<z.input<typeof DecisionInput>>()
    expectTypeOf<Parameters<typeof safeDecide>[0]>().toEqualTypeOf<DecisionInputRaw>()
    expectTypeOf<Parameters<typeof decideBatch>[0]>().toEqualTypeOf<ReadonlyArray<DecisionInputRaw>>()
    expectTypeOf<Parameters<typeof plan>[0]>().toEqualTypeOf<ReadonlyArray<z.input<typeof PlanCase>>>()
    expectTypeOf<NonNullable<Parameters<typeof decide>[1]["config"]>>().toEqualTypeOf<PolicyConfigInput | PolicyConfig>()
    expectTypeOf<PlanCaseInput>().toEqualTypeOf<z.input<typeof PlanCase>>()
  })

  it("wrong shapes do not compile (and are refused at run time)", () => {
    const good = input()
    const wrong = [
      // @ts-expect-error orderType is one of the products, not any string
      () => decide({ ...good, lineage: { ...good.lineage, orderType: "salary" } }, { now: NOW }),
      // @ts-expect-error the request is required
      () => decide({ lineage: good.lineage }, { now: NOW }),
      // @ts-expect-error products is an array
      () => safeDecide({ ...good, request: { products: "income" } }, { now: NOW }),
      // @ts-expect-error a misspelt nested policy key
      () => decide(good, { now: NOW, config: { rateWindow: { limitt: 1 } } }),
      // @ts-expect-error a count is a number
      () => decide(good, { now: NOW, config: { backoff: { maxTries: "6" } } }),
      // @ts-expect-error a case needs dueAt, cycle and rootOrderId
      () => plan([{ case: { id: "c" }, lineage: good.lineage }], { now: NOW }),
      // @ts-expect-error a batch holds decision inputs
      () => decideBatch([7], { now: NOW })
    ]
    const refused = (call: () => unknown): string => {
      try {
        const r = call()
        return typeof r === "object" && r !== null && "ok" in r && r.ok === false ? "refused" : "accepted"
      } catch (e) {
        return e instanceof InvalidInput ? "refused" : "threw"
      }
    }
    expect(wrong.map(refused)).toEqual(wrong.map(() => "refused"))
  })
})
