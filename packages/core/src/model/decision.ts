/**
 * The decision: the answer for one (lineage, product, connections) at an instant. It names
 * every rule that applied (no short-circuit), the request to send, when the caller may try
 * again, and what it will cost. It is plain JSON with a fixed key order, so the same input and
 * instant always serialise to the same bytes.
 */
import { z } from "zod"
import { Product } from "./primitives.js"

/**
 * A connection's verdict, in precedence order (highest first): `deny` (invalid request or closed
 * lineage) > `reauthenticate` > `new-order` > `wait` > `refresh`.
 */
export const ConnectionVerdict = z.enum(["deny", "reauthenticate", "new-order", "wait", "refresh"])
export type ConnectionVerdict = z.infer<typeof ConnectionVerdict>

/** The order-level verdict. `refresh` means: refresh the connections in `request`. */
export const Verdict = ConnectionVerdict
export type Verdict = ConnectionVerdict

/** Every rule code of DESIGN.md. A reader finds a rule's file by its code. */
export const RuleCode = z.enum([
  "product.not-allowed", "product.one-per-request", "selection.unknown", "lineage.closed",
  "refresh.in-flight", "connection.auth-expired", "connection.auth-expiring", "connection.auth-unknown",
  "connection.needs-user", "connection.locked", "connection.unavailable", "connection.no-data",
  "rate.window", "gse.free-quota", "billing", "connection.validity-learned", "connection.deleted"
])
export type RuleCode = z.infer<typeof RuleCode>

const Json: z.ZodType<unknown> = z.unknown()

/** Why: a stable code, a sentence a caseworker can read, and the numbers behind it. */
export const Reason = z.object({
  code: RuleCode,
  message: z.string(),
  data: z.record(z.string(), Json)
})
export type Reason = z.infer<typeof Reason>

export const ConnectionDecision = z.object({
  connectionId: z.string(),
  suborderId: z.string(),
  verdict: ConnectionVerdict,
  reasons: z.array(Reason),
  /** Refreshes left in the rolling window right now (before this request). */
  remainingInWindow: z.number().int(),
  /** For `wait`: the latest instant among the rules that make this connection wait. */
  nextEligibleAt: z.string().nullable(),
  /** Whether refreshing this connection now would be billed (null when not refreshed). */
  billed: z.boolean().nullable()
})
export type ConnectionDecision = z.infer<typeof ConnectionDecision>

/** The body to send to `POST /v1/orders/{orderId}/`, or null when nothing is to be refreshed. */
export const DecisionRequest = z.object({
  orderId: z.string(),
  products: z.array(Product),
  employers: z.array(z.object({ id: z.string() })).optional(),
  financial_accounts: z.array(z.object({ id: z.string() })).optional()
})
export type DecisionRequest = z.infer<typeof DecisionRequest>

export const Cost = z.object({
  billedVerifications: z.number().int(),
  freeVerifications: z.number().int(),
  /** GSE lineages: free re-verifications left now (0 once the window has passed); null otherwise. */
  gseFreeRemaining: z.number().int().nullable()
})
export type Cost = z.infer<typeof Cost>

export const Decision = z.object({
  verdict: Verdict,
  /** The instant the decision was made for. */
  at: z.string(),
  /** SHA-256 (hex) of the effective policy configuration in canonical JSON. */
  policyVersion: z.string(),
  request: DecisionRequest.nullable(),
  connections: z.array(ConnectionDecision),
  /** Reasons that apply to the whole lineage or request (also listed on each connection). */
  reasons: z.array(Reason),
  cost: Cost,
  /**
   * When the verdict is `wait`: the earliest instant at which some connection may be refreshed
   * (null when no instant is known, e.g. a GSE block). Null for every other verdict.
   */
  nextEligibleAt: z.string().nullable(),
  warnings: z.array(Reason)
})
export type Decision = z.infer<typeof Decision>
