/**
 * What tests, the demo and scenario files give the sandbox to start from: an order lineage with
 * its connections (employers or financial accounts, each a link with an access token), the
 * behaviour each connection will show on refresh, and whether the lineage is GSE.
 */
import { AuthKind, Product } from "@recert/core"
import { z } from "zod"
import { LinkBehaviourInput } from "./behaviour.js"
import { PayHistoryInput } from "./pay/pay-spec.js"

export const InstantInput = z.union([z.iso.datetime({ offset: true }), z.number().int()])

export const ConnectionSeed = z.object({
  /** Default: `financial_account` for assets and transactions orders, `employer` otherwise. */
  kind: z.enum(["employer", "financial_account"]).optional(),
  companyName: z.string().min(1).optional(),
  provider: z.string().min(1).default("Truv Payroll Provider"),
  authKind: AuthKind.default("oauth"),
  /** When the user last authenticated; default: the root order's creation. */
  authenticatedAt: InstantInput.optional(),
  /**
   * This connection's lifetime in days, overriding the auth-kind rule (validity.ts); null: it never
   * expires. For a test that wants what Truv leaves to the provider, e.g. a session that outlives 90 days.
   */
  validityDays: z.number().positive().nullable().optional(),
  behaviour: LinkBehaviourInput.default("healthy"),
  suborderNumber: z.string().min(1).optional(),
  linkId: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
  /** The connection's pay history: defaults and knobs (README, "Pay histories"); employer connections only. */
  pay: PayHistoryInput.optional()
})
export type ConnectionSeed = z.input<typeof ConnectionSeed>

export const SeedLineageInput = z.object({
  orderId: z.string().min(1).optional(),
  orderType: Product.default("income"),
  gse: z.boolean().default(false),
  /** Default: a generated 7-digit number; `null` for none. */
  orderNumber: z.string().min(1).nullable().optional(),
  userId: z.string().min(1).optional(),
  /** The caller's `external_user_id` for this Truv user: a new order sent with it reaches the same user (clients/). */
  externalUserId: z.string().min(1).optional(),
  firstName: z.string().min(1).default("John"),
  lastName: z.string().min(1).default("Doe"),
  email: z.string().min(1).nullable().default(null),
  /** Default: sandbox now. */
  createdAt: InstantInput.optional(),
  /** How this case's client acts when asked (clients/client-script.ts `ClientScript`); needs an `orderNumber`. */
  client: z.unknown().optional(),
  connections: z.array(ConnectionSeed).min(1).prefault([{}])
})
export type SeedLineageInput = z.input<typeof SeedLineageInput>

export interface SeededConnection {
  readonly suborderId: string
  readonly suborderNumber: string
  readonly kind: "employer" | "financial_account"
  readonly linkId: string
  readonly accessToken: string
  readonly provider: string
  readonly authKind: AuthKind
  readonly authenticatedAt: string
}

export interface SeededLineage {
  readonly orderId: string
  readonly orderType: Product
  readonly orderNumber: string | null
  readonly userId: string
  readonly gse: boolean
  readonly createdAt: string
  readonly connections: ReadonlyArray<SeededConnection>
}

export const toMs = (instant: string | number): number => (typeof instant === "number" ? instant : Date.parse(instant))
