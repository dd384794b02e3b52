/**
 * The retention clock, pure: whether one piece of personal data may be redacted at an instant.
 * Its clock starts when its purpose ended, the earlier of its delivery (every destination
 * answered) and the case's closing; it is due at `start + retention` exactly (the same convention
 * as every window of the rules: due at every `now >= start + retention`, kept one millisecond
 * before). Whatever still needs it (an open verification request, an event not yet delivered, the
 * latest verification of an open case as the next renewal's baseline) holds it, whatever the
 * clock says and however the redaction was asked for.
 *
 * @example
 * retentionVerdict({ kind: "rawReports", deliveredAt: t, closedAt: null, holds: [] }, { by: "policy", policy: DEFAULT_RETENTION_POLICY, now: t + 7 * 86_400_000 })
 * // { state: "due", startedAt: t, dueAt: t + 604800000 }
 */
import type { RetentionKind, RetentionPolicy } from "./retention-policy.js"

/** What keeps data alive whatever its clock says. */
export const RETENTION_HOLDS = ["open-request", "undelivered-event", "baseline-of-open-case"] as const
export type RetentionHold = typeof RETENTION_HOLDS[number]

export interface RetentionItem {
  readonly kind: RetentionKind
  /** When the data's verification or event was delivered everywhere (epoch ms); null: not yet. */
  readonly deliveredAt: number | null
  /** When the case was closed (epoch ms); null: open. */
  readonly closedAt: number | null
  /** What still needs the data, as this redactor declares and the store found. */
  readonly holds: ReadonlyArray<RetentionHold>
}

/**
 * How the redaction was asked for: `policy` (the job of `serve` and the step of `run`: the clock
 * at `now`), `case` (by hand, one case: every piece not held), `before` (by hand: every piece
 * whose purpose ended strictly before the instant, whatever its retention).
 */
export type RetentionAsk =
  | { readonly by: "policy"; readonly policy: RetentionPolicy; readonly now: number }
  | { readonly by: "case" }
  | { readonly by: "before"; readonly before: number }

export type RetentionVerdict =
  | { readonly state: "held"; readonly holds: ReadonlyArray<RetentionHold> }
  /** Its purpose has not ended: not delivered, and the case is open. */
  | { readonly state: "in-use" }
  /** The clock runs: kept until `dueAt`. */
  | { readonly state: "kept"; readonly startedAt: number; readonly dueAt: number | null }
  | { readonly state: "due"; readonly startedAt: number | null; readonly dueAt: number | null }

const startOf = (item: RetentionItem): number | null =>
  item.deliveredAt === null ? item.closedAt : item.closedAt === null ? item.deliveredAt : Math.min(item.deliveredAt, item.closedAt)

/** The verdict for `item` under `ask`. Holds come first: nothing held is ever due. */
export const retentionVerdict = (item: RetentionItem, ask: RetentionAsk): RetentionVerdict => {
  if (item.holds.length > 0) return { state: "held", holds: [...item.holds] }
  const startedAt = startOf(item)
  switch (ask.by) {
    case "case":
      return { state: "due", startedAt, dueAt: null }
    case "before":
      if (startedAt === null) return { state: "in-use" }
      return startedAt < ask.before ? { state: "due", startedAt, dueAt: null } : { state: "kept", startedAt, dueAt: null }
    case "policy": {
      if (startedAt === null) return { state: "in-use" }
      const dueAt = startedAt + ask.policy[item.kind]
      return ask.now >= dueAt ? { state: "due", startedAt, dueAt } : { state: "kept", startedAt, dueAt }
    }
  }
}
