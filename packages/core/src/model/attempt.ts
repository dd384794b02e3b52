/**
 * The ledger: one attempt per refresh request we made (or reserved). The limits read only the
 * ledger, so it must record every request Truv may have accepted, including the ones whose
 * outcome we never learned.
 */
import { z } from "zod"
import { Id, Instant, Product, TaskStatus } from "./primitives.js"

/**
 * Where an attempt is in its life:
 * - `reserved`: the store inserted it; the request may or may not have left yet.
 * - `sent`: Truv accepted the request and created a refresh order (`orderId`).
 * - `succeeded` / `failed`: every connection's task reached a terminal status (`failed` if any failed).
 * - `rejected`: Truv did not accept the request (limit, invalid request, throttled), or it
 *   provably never reached Truv. Rejected attempts do not count against the limits.
 * - `unknown`: we crashed or timed out after sending. Counts until reconciled.
 */
export const AttemptStatus = z.enum(["reserved", "sent", "succeeded", "failed", "rejected", "unknown"])
export type AttemptStatus = z.infer<typeof AttemptStatus>

/** Why Truv did not accept a request (only with status `rejected`). */
export const Rejection = z.enum(["refresh-limit", "invalid-request", "throttled", "not-sent", "other"])
export type Rejection = z.infer<typeof Rejection>

/**
 * One refresh request in the ledger.
 *
 * @example
 * Attempt.parse({
 *   id: "att-1", at: "2026-11-21T09:00:00Z", product: "income", connectionIds: ["link-1"],
 *   status: "succeeded", orderId: "ord-2", outcomes: { "link-1": "done" }
 * })
 */
export const Attempt = z.object({
  id: Id,
  /** When the request was reserved (and then sent): the instant the rate window counts. */
  at: Instant,
  product: Product,
  connectionIds: z.array(Id).min(1),
  status: AttemptStatus,
  /** The refresh order Truv created, once known. */
  orderId: Id.nullable().default(null),
  rejection: Rejection.nullable().default(null),
  /** Final task status per connection id, as webhooks or polling report them. */
  outcomes: z.record(z.string(), TaskStatus).default({}),
  /** When the last outcome arrived (the start of a backoff after a failure). */
  resolvedAt: Instant.nullable().default(null),
  /** Whether the request used the free GSE quota. */
  gseFree: z.boolean().default(false)
})
export type Attempt = z.infer<typeof Attempt>
export type AttemptInput = z.input<typeof Attempt>

/**
 * Which parts of an attempt the store that returned it wrote itself (issue 15): the `sent`
 * transition (the write that gave the attempt its refresh order) and each connection's outcome.
 * Several processes share one SQL database, and two of them may apply the same outcome (a
 * webhook on one, a poll on the other): the first write wins, both calls return the attempt, and
 * only the writer counts it. A lost reply read back tells the same way. A store no other process
 * writes (the in-memory one) wrote everything it returns.
 */
export interface OwnWrites {
  readonly sent: boolean
  readonly outcomes: ReadonlyArray<string>
}

/**
 * An attempt as a write returned it: with what that store wrote of it (absent: everything). The
 * SQL store sets `ownWrites` as a non-enumerable property: the attempt still equals, serialises
 * and spreads as the attempt read back.
 */
export type WrittenAttempt = Attempt & { readonly ownWrites?: OwnWrites }

/** Attempts in these statuses count against the rate window and the GSE quota. */
export const countsAgainstLimits = (status: AttemptStatus): boolean => status !== "rejected"

/** Attempts in these statuses are still in flight: another refresh would race them. */
export const isInFlight = (status: AttemptStatus): boolean =>
  status === "reserved" || status === "sent" || status === "unknown"

const TRANSITIONS: Readonly<Record<AttemptStatus, ReadonlyArray<AttemptStatus>>> = {
  reserved: ["sent", "rejected", "unknown"],
  sent: ["succeeded", "failed", "unknown"],
  unknown: ["sent", "succeeded", "failed", "rejected"],
  succeeded: [],
  failed: [],
  rejected: []
}

/**
 * The attempt state machine. A store must refuse any other transition: overwriting a final
 * state would lose a result or un-count a refresh Truv billed.
 *
 * @example
 * canTransition("reserved", "sent") // true
 * canTransition("succeeded", "reserved") // false
 */
export const canTransition = (from: AttemptStatus, to: AttemptStatus): boolean => TRANSITIONS[from].includes(to)
