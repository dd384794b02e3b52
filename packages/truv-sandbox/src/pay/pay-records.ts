/**
 * The sandbox side of pay histories: registers a connection's history when it is seeded or
 * connected, records each data pull (a completed refresh, a re-authentication), applies knobs
 * set later, and computes what a link or an order shows. The connection's seed is derived from
 * the sandbox seed and the link id unless the spec names one.
 */
import type { SandboxLink, SandboxState } from "../state.js"
import { payHistoryAt } from "./pay-history.js"
import { applyPayChange } from "./pay-knobs.js"
import type { PayHistory } from "./pay-model.js"
import type { PayPull, PayRecord } from "./pay-record.js"
import { type PayHistorySpec, PayChangeInput, PayHistoryInput } from "./pay-spec.js"
import { type PayContext, resolvePaySpec } from "./resolve-pay-spec.js"

/** FNV-1a of the link id mixed with the sandbox seed: distinct connections get distinct histories. */
export function connectionSeed(sandboxSeed: number, linkId: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < linkId.length; i++) h = Math.imul(h ^ linkId.charCodeAt(i), 0x01000193)
  return (h ^ Math.imul(sandboxSeed, 0x85ebca6b)) >>> 0
}

export interface RegisterPay extends PayContext {
  readonly sandboxSeed: number
  readonly product: string
  readonly suborderId: string
  /** When the connection's data was first pulled (the suborder completed). */
  readonly pulledAt: number
}

/** Gives a payroll connection its pay history; `input` is the connection seed's `pay` (may be undefined). */
export function registerPay(state: SandboxState, link: SandboxLink, input: unknown, r: RegisterPay): void {
  if (link.dataSource !== "payroll") return
  const parsed = PayHistoryInput.parse(input ?? {})
  const spec = resolvePaySpec(parsed, r)
  const pull: PayPull = { at: r.pulledAt, spec }
  state.payRecords.set(link.id, {
    spec, seed: parsed.seed ?? connectionSeed(r.sandboxSeed, link.id), product: r.product === "employment" ? "employment" : "income",
    lastPull: pull, suborderPulls: new Map([[r.suborderId, pull]])
  })
}

/** The link's data was pulled at `at` (a done task, a re-authentication); `suborderId` when it completed an order's suborder. */
export function recordPull(state: SandboxState, linkId: string, at: number, suborderId: string | null): void {
  const record = state.payRecords.get(linkId)
  if (record === undefined) return
  record.lastPull = { at, spec: record.spec }
  if (suborderId !== null) record.suborderPulls.set(suborderId, record.lastPull)
}

export function requirePayRecord(state: SandboxState, linkId: string): PayRecord {
  const record = state.payRecords.get(linkId)
  if (record === undefined) throw new Error(`link ${linkId} has no pay history (unknown link, or not a payroll connection)`)
  return record
}

/** A knob set now: changes the spec from its date on; pulls already made keep their spec. */
export function changePay(state: SandboxState, linkId: string, input: unknown, employment = 0): PayHistorySpec {
  const record = requirePayRecord(state, linkId)
  record.spec = applyPayChange(record.spec, PayChangeInput.parse(input), employment)
  return record.spec
}

export interface ConnectionPayHistory {
  readonly linkId: string
  readonly seed: number
  readonly product: "income" | "employment"
  /** The spec the history was computed from (recompute with `payHistoryAt(spec, seed, Date.parse(history.asOf))`). */
  readonly spec: PayHistorySpec
  readonly history: PayHistory
}

/** The history the link's report shows (its last pull), or, with `at`, the current spec's history at that instant. */
export function connectionPayHistory(state: SandboxState, linkId: string, at?: number): ConnectionPayHistory {
  const record = requirePayRecord(state, linkId)
  const pull: PayPull = at === undefined ? record.lastPull : { at, spec: record.spec }
  return { linkId, seed: record.seed, product: record.product, spec: pull.spec, history: payHistoryAt(pull.spec, record.seed, pull.at) }
}
