/**
 * The validation fast path against zod: on random inputs, valid and broken in every field,
 * whatever the fast path accepts zod accepts with an identical output (same values, same key
 * order, same defaults), and it passes the cross-field checks. Invalid inputs are left to zod.
 */
import fc from "fast-check"
import { strict as assert } from "node:assert"
import { describe, it } from "vitest"
import { DecisionInput, InvalidInput, lineageIssues, parseDecisionInput } from "@recert/core"
import { fastDecisionInput } from "../../src/engine/fast-parse.js"
import { attempt, connection, input, lineage, NOW } from "../fixtures.js"

const ODD: ReadonlyArray<unknown> = [
  undefined, null, "", "x", "a".repeat(201), 0, 1.5, true, false, [], {}, "income", "employment", "oauth", "session",
  "done", "unavailable", "login_error", "succeeded", "rejected", "employer", "financial_account", "open", "finalized", "refresh-limit",
  "2026-11-22T10:00:00.000Z", "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.123456+01:00", "2026-11-22T10:00:00.000z",
  "2026-02-30T00:00:00.000Z", "2024-02-29T00:00:00.000Z", "2026-11-22T24:00:00.000Z", "2026-11-22 10:00:00Z", "2026-11-22T10:00:00",
  "link-1", "link-2", "ord-1", "sub-link-1", ["link-1"], ["link-1", "link-1"], ["link-x"], { "link-1": "done" }, { "link-1": "nope" },
  JSON.parse('{"__proto__":"done"}'), [{ id: "sub-link-1" }], [{ suborder_number: "7" }], [{ id: "a", suborder_number: "7" }], [{}],
  ["income"], ["income", "employment"], ["bogus"], Object.create(null), new Date(0)
]
const odd = fc.constantFrom(...ODD)

/** Every path to a field of a raw input, as property keys. */
const paths = (value: unknown, prefix: ReadonlyArray<string | number> = []): Array<Array<string | number>> => {
  if (typeof value !== "object" || value === null) return [[...prefix]]
  const keys: Array<string | number> = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  return [[...prefix], ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))]
}

const setAt = (root: unknown, path: ReadonlyArray<string | number>, v: unknown, remove: boolean): unknown => {
  if (path.length === 0) return v
  const copy = structuredClone(root) as Record<string | number, unknown>
  let node = copy
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (remove) delete node[last]
  else node[last] = v
  return copy
}

const BASES = [
  input(),
  input(lineage([connection("link-1"), connection("link-2", { kind: "financial_account", suborderNumber: "7", lastTaskStatus: "unavailable", lastStatusAt: "2026-11-22T09:00:00+01:00", deletedAt: "2026-11-22T09:30:00Z" })], { gse: true, status: "open" }),
    [attempt(NOW - 3_600_000), attempt(NOW - 7_200_000, ["link-1", "link-2"], { status: "failed", outcomes: { "link-2": "unavailable" }, resolvedAt: "2026-11-22T08:00:00.000Z" })],
    { products: ["income"], employers: [{ id: "sub-link-1" }], financial_accounts: [{ suborder_number: "7" }] }),
  input(lineage([connection("link-1", { authKind: "session", mfaOnEveryLogin: true })], { orderNumber: "n-1", userId: "u-1" }), [attempt(NOW, ["link-1"], { status: "rejected", rejection: "refresh-limit", orderId: null, gseFree: true })])
]
const base = fc.constantFrom(...BASES)

/** Whatever the fast path accepts, zod accepts with the same output and no cross-field issue. */
const agrees = (raw: unknown): boolean => {
  const fast = fastDecisionInput(raw)
  if (fast === undefined) return false
  const slow = DecisionInput.safeParse(raw)
  assert.ok(slow.success, `zod rejects what the fast path accepted: ${JSON.stringify(raw)}`)
  assert.deepStrictEqual(fast, slow.data)
  assert.equal(JSON.stringify(fast), JSON.stringify(slow.data))
  assert.deepEqual(lineageIssues(slow.data), [])
  return true
}

const mutated = base.chain((raw) => fc.tuple(
  fc.constant(raw),
  fc.array(fc.tuple(fc.constantFrom(...paths(raw)), odd, fc.boolean(), fc.constantFrom("set", "remove", "extra")), { maxLength: 3 })
)).map(([raw, edits]) => edits.reduce<unknown>((acc, [path, v, , kind]) => {
  try {
    return kind === "extra" ? setAt(acc, [...path.slice(0, -1), "extraKey"], v, false) : setAt(acc, path, v, kind === "remove")
  } catch {
    return acc
  }
}, raw))

describe("decision input validation fast path", () => {
  it("every single edit of every field (odd values, removal, an extra key): accepted only as zod accepts it", () => {
    let accepted = 0
    for (const raw of BASES) {
      for (const path of paths(raw)) {
        for (const v of ODD) {
          if (agrees(setAt(raw, path, v, false))) accepted++
          if (path.length > 0 && agrees(setAt(raw, [...path.slice(0, -1), "extraKey"], v, false))) accepted++
        }
        if (path.length > 0 && agrees(setAt(raw, path, undefined, true))) accepted++
      }
    }
    assert.ok(accepted > 500, `the fast path accepted only ${accepted} inputs`)
  })

  it("random combinations of edits: accepted only as zod accepts them", () => {
    fc.assert(fc.property(mutated, (raw) => void agrees(raw)), { numRuns: 3000 })
  })

  it("takes every unmutated fixture, and parseDecisionInput reports zod's issues for invalid input", () => {
    for (const raw of [input(), input(lineage(), [attempt(NOW)])]) assert.deepStrictEqual(fastDecisionInput(raw), DecisionInput.parse(raw))
    const bad = { ...input(), ledger: [{ ...attempt(NOW), connectionIds: ["link-x"] }] }
    assert.equal(fastDecisionInput(bad), undefined)
    assert.throws(() => parseDecisionInput(bad), (e: unknown) => e instanceof InvalidInput && e.issues[0]!.path === "ledger[0].connectionIds[0]")
  })
})
