/**
 * The simulator's parameters: every one has a default, and the source or the reasoning behind it
 * (`PARAMETER_SOURCES`, printed by `recert simulate --help` and the admin-cli README).
 */

export interface ProviderModel {
  readonly name: string
  /** Share of connections at this provider. */
  readonly weight: number
  /** Median lifetime of a session-based (or unknown-kind) login, days. */
  readonly sessionMedianDays: number
}

export interface SimulationParams {
  readonly cases: number
  readonly months: number
  readonly seed: number
  /** The first simulated day (UTC midnight). */
  readonly start: string
  /** Caseload mix: shares of annual, semiannual and quarterly reviews and lender (pre-closing) cases. */
  readonly annual: number
  readonly semiannual: number
  readonly quarterly: number
  readonly lender: number
  /** Connection auth kinds: shares of OAuth, session-based and unknown. */
  readonly oauth: number
  readonly session: number
  readonly unknown: number
  readonly providers: ReadonlyArray<ProviderModel>
  /** Weibull shape of session lifetimes (> 1: the chance of dying grows with age). */
  readonly sessionShape: number
  /** Hidden OAuth validity, days. */
  readonly oauthValidityDays: number
  /** Password changes per connection-year (each ends the login). */
  readonly passwordChangesPerYear: number
  /** New MFA prompts per connection-year (each ends an unattended login). */
  readonly mfaPromptsPerYear: number
  /** Share of connections whose provider asks for MFA at every login (known to the rules). */
  readonly mfaEveryLogin: number
  /** Days per provider-year on which the provider is down (refreshes end `unavailable`). */
  readonly outageDaysPerYear: number
  /** Chance that a client answers a link (logs in again through Bridge). */
  readonly answerRate: number
  /** Mean days between a link and the client's answer (exponential, at least one day). */
  readonly answerDelayDays: number
  /**
   * Truv's budget: requests per minute per secret, and the scheduler's own limit
   * (`TRUV_MAX_REQUESTS_PER_MINUTE`, 300 by default): Recert's requests wait for it minute by
   * minute, the guide's loop is refused beyond it (`truv-limits.ts`). The requests themselves are
   * not parameters: each event costs what the product's code sends for it (`truv-requests.ts`).
   */
  readonly rateBudget: number
  /** Days between two refreshes of the learned estimates (Recert as configured). */
  readonly learnEveryDays: number
}

export const DEFAULT_PROVIDERS: ReadonlyArray<ProviderModel> = [
  { name: "adp", weight: 0.35, sessionMedianDays: 45 },
  { name: "workday", weight: 0.2, sessionMedianDays: 90 },
  { name: "paychex", weight: 0.15, sessionMedianDays: 120 },
  { name: "gusto", weight: 0.1, sessionMedianDays: 150 },
  { name: "other", weight: 0.2, sessionMedianDays: 90 }
]

export const DEFAULT_SIMULATION: SimulationParams = {
  cases: 1_000, months: 12, seed: 1, start: "2027-01-01T00:00:00.000Z",
  annual: 0.5, semiannual: 0.3, quarterly: 0.1, lender: 0.1,
  oauth: 0.45, session: 0.45, unknown: 0.1,
  providers: DEFAULT_PROVIDERS, sessionShape: 1.5, oauthValidityDays: 180,
  passwordChangesPerYear: 0.5, mfaPromptsPerYear: 0.25, mfaEveryLogin: 0.02, outageDaysPerYear: 6,
  answerRate: 0.55, answerDelayDays: 5,
  rateBudget: 300, learnEveryDays: 7
}

/** Where each default comes from (`truv-api-notes` = /work/shared/truv-api-notes.md). */
export const PARAMETER_SOURCES: Readonly<Record<Exclude<keyof SimulationParams, "providers">, string>> = {
  cases: "issue 18 asks for 100,000 in the benchmark; 1,000 keeps a CLI run instant",
  months: "one year of renewals (issue 18)",
  seed: "any; the same seed gives the same caseload, hidden truth and figures",
  start: "a fixed instant, so a run is reproducible",
  annual: "issue 18: a mix of annual, semiannual and quarterly cycles and a lender share (assumed 50/30/10/10)",
  semiannual: "six-month Medicaid redeterminations (~182 days, just past OAuth validity; issue 18)",
  quarterly: "periodic reviews (issue 18)",
  lender: "lender pre-closing re-verifications (GSE lineages, income orders re-verified for employment within 10 business days before one closing in the year)",
  oauth: "truv-api-notes §lifetime: most payroll providers are OAuth; assumed 45%",
  session: "truv-api-notes §lifetime: session-based 'varies by provider'; assumed 45%",
  unknown: "connections whose kind Truv does not report; assumed 10%",
  sessionShape: "assumption: sessions die more often as they age (Weibull shape 1.5)",
  oauthValidityDays: "truv-api-notes: OAuth connections last about 180 days (docs D5)",
  passwordChangesPerYear: "assumption: one password change every two years per user",
  mfaPromptsPerYear: "assumption: a new MFA challenge every four years per connection",
  mfaEveryLogin: "assumption: 2% of providers challenge every login (DESIGN.md mfaOnEveryLogin)",
  outageDaysPerYear: "assumption: about one provider outage day every two months",
  answerRate: "issue 18: in the government pilots barely half of the clients who tried to log in succeeded",
  answerDelayDays: "assumption: clients answer within a week on average",
  rateBudget: "truv-api-notes: 300 requests per minute per secret (D11), also the scheduler's TRUV_MAX_REQUESTS_PER_MINUTE default; the requests counted against it are the product's per event (truv-requests.ts: a refresh 1, its report 2, a new order 1, each open order read once a night, 1 read at its expiry, a client's answer 3), checked against the real scheduler (decision 177)",
  learnEveryDays: "the scheduler refreshes the estimates every pass; weekly keeps 100,000 cases fast"
}
