/**
 * What the sandbox keeps per connection for its pay history (in `SandboxState.payRecords`): the
 * spec as it is now (knobs change it), the connection's seed, and the spec and instant of every
 * data pull. Specs are immutable values, so a pull keeps the spec it saw: a knob set later never
 * rewrites what an earlier report or order showed.
 */
import type { PayHistorySpec } from "./pay-spec.js"

export interface PayPull {
  readonly at: number
  readonly spec: PayHistorySpec
}

export interface PayRecord {
  spec: PayHistorySpec
  readonly seed: number
  /** The root order's product: an `employment` (VOE) lineage serves null income fields. */
  readonly product: "income" | "employment"
  /** The link's last successful pull (connect, completed order, done refresh, re-authentication). */
  lastPull: PayPull
  /** Per completed suborder: the pull its order shows. */
  readonly suborderPulls: Map<string, PayPull>
}
