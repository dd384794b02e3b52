/**
 * The policy configuration: every number the rules use, with the defaults of DESIGN.md. The
 * policy version in every decision is the SHA-256 of this object in canonical JSON, so a
 * decision can be replayed with exactly the configuration that produced it.
 */
import { z } from "zod"
import { ResultsPolicy } from "../results/results-policy.js"
import { OrderType, Product } from "./primitives.js"

const positive = z.number().positive().finite()
const count = z.number().int().positive()

/** The product table: which refresh products each order type allows. */
export const DEFAULT_PRODUCTS_BY_ORDER_TYPE: Readonly<Record<OrderType, ReadonlyArray<Product>>> = {
  income: ["income", "employment"],
  employment: ["employment"],
  assets: ["assets"],
  insurance: ["insurance"],
  transactions: ["transactions"]
}

/**
 * @example
 * const config = PolicyConfig.parse({})                      // every default
 * const strict = PolicyConfig.parse({ gse: { onQuotaExceeded: "block" } })
 */
export const PolicyConfig = z.object({
  /** An OAuth connection authenticated at `a` is expired at every `now >= a + oauthValidityDays`. */
  oauthValidityDays: positive.default(180),
  /** Warn when an OAuth connection expires within this many days. */
  expiringWarningDays: z.number().nonnegative().finite().default(14),
  rateWindow: z.object({
    /** Refreshes allowed per connection (access token) in any rolling window. */
    limit: count.default(3),
    windowHours: positive.default(24)
  }).prefault({}),
  gse: z.object({
    /** Free re-verifications (refresh requests) per GSE lineage... */
    freeRefreshes: z.number().int().nonnegative().default(5),
    /** ...within this many days of the root order. */
    windowDays: positive.default(90),
    /** What to do once the free quota is used: bill the refresh, or block it. */
    onQuotaExceeded: z.enum(["bill", "block"]).default("bill")
  }).prefault({}),
  backoff: z.object({
    baseMinutes: positive.default(15),
    factor: z.number().min(1).finite().default(2),
    capHours: positive.default(24),
    /** After this many consecutive `unavailable`/`error` outcomes, stop retrying: new order. */
    maxTries: count.default(6),
    /** Fraction of each delay that is randomised (deterministically per connection and try). */
    jitter: z.number().min(0).max(1).default(0.2)
  }).prefault({}),
  /** How long to wait before looking again at a refresh that is still in flight. */
  inFlightRecheckMinutes: positive.default(20),
  /** The planner considers cases due within this many days of `now`. */
  leadTimeDays: z.number().nonnegative().finite().default(30),
  /**
   * The product table. Entries given here replace the default entry of that order type; the
   * others keep DESIGN.md's table (a partial override used to be refused as incomplete).
   */
  productsByOrderType: z.partialRecord(OrderType, z.array(Product)).optional().transform(
    (table): Record<OrderType, Array<Product>> => ({ ...(DEFAULT_PRODUCTS_BY_ORDER_TYPE as Record<OrderType, Array<Product>>), ...table })
  ),
  /**
   * The renewal results (summary window, change tolerances): see `ResultsPolicy`. Optional, so
   * a configuration without it keeps its policy version; `resultsPolicyOf(config)` applies the defaults.
   */
  results: ResultsPolicy.optional()
}).strict()
export type PolicyConfig = z.infer<typeof PolicyConfig>
export type PolicyConfigInput = z.input<typeof PolicyConfig>

/** The configuration of DESIGN.md, fully defaulted. */
export const DEFAULT_POLICY_CONFIG: PolicyConfig = PolicyConfig.parse({})
