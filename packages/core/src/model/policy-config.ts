/**
 * The policy configuration: every number the rules use, with the defaults of DESIGN.md. The
 * policy version in every decision is the SHA-256 of this object in canonical JSON, so a
 * decision can be replayed with exactly the configuration that produced it.
 */
import { z } from "zod"
import { LearningPolicy } from "../learning/validity-estimate.js"
import { ResultsPolicy } from "../results/results-policy.js"
import { TimingPolicy } from "../timing/timing-policy.js"
import { RequestPolicy } from "../requests/request-policy.js"
import { OrderType, Product } from "./primitives.js"

/**
 * Bounds that keep time arithmetic inside JS Date's range: instants are years 0000-9999 and no
 * duration here exceeds ten years (backoff's growth is capped by `capHours`), so every instant
 * the engine computes is a valid Date and `decide` cannot throw a `RangeError`. Ten years is far
 * beyond any sensible setting; a typo such as 1800000 days is refused by name instead.
 */
export const POLICY_LIMITS = {
  days: 3_650,
  hours: 87_600,
  minutes: 5_256_000,
  count: 10_000,
  factor: 100,
  /** The clock guard: a day is far beyond any sane clock error; a typo in hours is refused. */
  guardSeconds: 86_400
} as const

const positive = (max: number, unit: string) => z.number().positive().finite().max(max, `at most ${max} ${unit}`)
const nonnegative = (max: number, unit: string) => z.number().nonnegative().finite().max(max, `at most ${max} ${unit}`)
const count = z.int().positive().max(POLICY_LIMITS.count)

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
export const PolicyConfig = z.strictObject({
  /** An OAuth connection authenticated at `a` is expired at every `now >= a + oauthValidityDays`. */
  oauthValidityDays: positive(POLICY_LIMITS.days, "days").default(180),
  /**
   * The clock guard band: how far our clock may be from Truv's. Every boundary of Truv's own time
   * rules moves by it in the cautious direction: an OAuth connection is treated as expired this
   * long before `oauthValidityDays`, a refresh counts in the rate window this long after it, and
   * the GSE free window ends this long early. Our own timings (backoff, in-flight recheck, lead
   * time) do not move. 0 applies the rules exactly at Truv's boundaries.
   */
  clockGuardSeconds: nonnegative(POLICY_LIMITS.guardSeconds, "seconds").default(120),
  /** Warn when an OAuth connection expires within this many days. */
  expiringWarningDays: nonnegative(POLICY_LIMITS.days, "days").default(14),
  rateWindow: z.strictObject({
    /** Refreshes allowed per connection (access token) in any rolling window. */
    limit: count.default(3),
    windowHours: positive(POLICY_LIMITS.hours, "hours").default(24)
  }).prefault({}),
  gse: z.strictObject({
    /** Free re-verifications (refresh requests) per GSE lineage... */
    freeRefreshes: z.int().nonnegative().max(POLICY_LIMITS.count).default(5),
    /** ...within this many days of the root order. */
    windowDays: positive(POLICY_LIMITS.days, "days").default(90),
    /** What to do once the free quota is used: bill the refresh, or block it. */
    onQuotaExceeded: z.enum(["bill", "block"]).default("bill")
  }).prefault({}),
  backoff: z.strictObject({
    baseMinutes: positive(POLICY_LIMITS.minutes, "minutes").default(15),
    factor: z.number().min(1).max(POLICY_LIMITS.factor).default(2),
    capHours: positive(POLICY_LIMITS.hours, "hours").default(24),
    /** After this many consecutive `unavailable`/`error` outcomes, stop retrying: new order. */
    maxTries: count.default(6),
    /** Fraction of each delay that is randomised (deterministically per connection and try). */
    jitter: z.number().min(0).max(1).default(0.2)
  }).prefault({}),
  /** How long to wait before looking again at a refresh that is still in flight. */
  inFlightRecheckMinutes: positive(POLICY_LIMITS.minutes, "minutes").default(20),
  /**
   * The planner considers cases due within this many days of `now`: the renewal window of every
   * cycle without a `timing.freshnessDays` entry (and of every cycle when `timing` is absent).
   */
  leadTimeDays: nonnegative(POLICY_LIMITS.days, "days").default(30),
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
  results: ResultsPolicy.optional(),
  /**
   * Validity learned from the ledger (`connection.validity-learned`): the minimum evidence and the
   * success threshold. Optional, so a configuration without it keeps its policy version;
   * `learningPolicyOf(config)` applies the defaults.
   */
  learning: LearningPolicy.optional(),
  /**
   * Timing (issue 18): freshness windows per review cycle, the safety margin before a predicted
   * expiry, the lender pre-closing window. Optional, so a configuration without it keeps its
   * policy version and the planner its `leadTimeDays` window; `timingPolicyOf(config)` applies the defaults.
   */
  timing: TimingPolicy.optional(),
  /**
   * Verification requests (issue 16): reminders before expiry and replacements per cycle; see
   * `RequestPolicy`. Optional, so a configuration without it keeps its policy version;
   * `requestPolicyOf(config)` applies the defaults.
   */
  requests: RequestPolicy.optional()
})
export type PolicyConfig = z.infer<typeof PolicyConfig>
export type PolicyConfigInput = z.input<typeof PolicyConfig>

/** The configuration of DESIGN.md, fully defaulted. */
export const DEFAULT_POLICY_CONFIG: PolicyConfig = PolicyConfig.parse({})
