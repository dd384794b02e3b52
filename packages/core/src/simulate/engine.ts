/**
 * The simulator: a synthetic caseload lives through simulated months, day by day, against a
 * behavioural model with hidden truth (each login's lifetime, provider outages, whether and when
 * a client answers a link). Every strategy sees the same world: a draw is a pure function of the
 * seed and its coordinates (case, login episode, link number, provider, day), never of the order
 * in which a strategy asks. The Recert strategies decide through core's real planner (`planAt`,
 * hence `decideAt` and every rule) with a policy object, so a policy field added to core flows
 * into "Recert as configured" unchanged. Pure: no I/O, no clock.
 */
import { estimateValidity, type ValidityObservation } from "../learning/kaplan-meier.js"
import type { ValidityEstimate } from "../learning/validity-estimate.js"
import { DAY_MS, HOUR_MS, toIso } from "../engine/time.js"
import { dateOfDay } from "../results/calendar-date.js"
import type { Attempt } from "../model/attempt.js"
import { type Case, caseProduct, type ReviewCycle } from "../model/case.js"
import type { AuthKind, Product, TaskStatus } from "../model/primitives.js"
import type { Lineage } from "../model/lineage.js"
import type { PolicyConfig } from "../model/policy-config.js"
import { planAt, type PlanCase } from "../planner/plan.js"
import { renewalWindow } from "../timing/renewal-window.js"
import { requestExpiresAt } from "../events/request-expiry.js"
import { expiryOutcome } from "../requests/expiry-outcome.js"
import { type RequestPolicy, requestPolicyOf } from "../requests/request-policy.js"
import type { SimulationParams } from "./params.js"
import { exponential, pick, uniform, weibull } from "./random.js"
import { type MinuteFigures, MinuteLedger, RefreshLimit } from "./truv-limits.js"
import { REQUESTS_PER_EVENT, RequestTally, type TruvRequestCounts, type TruvRequestEvent, type TruvRequestKind } from "./truv-requests.js"

export type StrategyName = "guide" | "recert-basic" | "recert" | "oracle"

export const STRATEGY_LABELS: Readonly<Record<StrategyName, string>> = {
  guide: "Truv guide's loop",
  "recert-basic": "Recert, no learning/timing",
  recert: "Recert as configured",
  oracle: "Oracle (knows hidden state)"
}

export interface StrategyResult {
  readonly strategy: StrategyName
  readonly label: string
  /** Renewals due inside the simulated months (the same for every strategy). */
  readonly renewals: number
  readonly completed: number
  readonly completedWithoutClient: number
  readonly completedOnTime: number
  readonly billedVerifications: number
  readonly refreshes: number
  readonly billedRefreshesFailed: number
  /** Links sent: each renewal's first and the replacements of those that expired unanswered. */
  readonly links: number
  /** Renewals escalated to a caseworker: their last allowed link expired unanswered. */
  readonly escalated: number
  /** Truv requests by kind, as the product sends them for the model's events (`truv-requests.ts`). */
  readonly truvRequests: TruvRequestCounts
  /** The most Truv requests sent in any one minute (minute by minute: a limited client spreads a big night). */
  readonly peakRequestsPerMinute: number
  /** Minutes in which more than the budget was sent (0 for a client that keeps the budget). */
  readonly minutesOverBudget: number
  /** The longest stretch of consecutive minutes with requests (a big night's run). */
  readonly longestRunMinutes: number
  /** Requests Truv refused with 429 `throttled` (over the budget; each resend counts). */
  readonly throttledRequests: number
  /** Refreshes Truv refused as a 4th of one connection inside a rolling 24 h. */
  readonly refreshesRefused: number
  /** Truv's limits hit: throttled requests plus refused refreshes. */
  readonly limitViolations: number
  /** Shares and ratios as printed. */
  readonly withoutClientShare: number
  readonly onTimeShare: number
  readonly billedPerCompleted: number
  readonly linksPerCase: number
}

export interface SimulationResult {
  readonly params: SimulationParams
  readonly cases: number
  readonly days: number
  readonly rateBudget: number
  readonly strategies: ReadonlyArray<StrategyResult>
}

const CYCLE_DAYS: Readonly<Record<"annual" | "semiannual" | "quarterly", number>> = { annual: 365, semiannual: 182, quarterly: 91 }
/** Salts of the draws: which hidden fact a uniform draw decides. */
const enum Salt { Kind = 1, Provider, Auth, Due, Mfa, Life, Password, Prompt, Answer, Delay, Outage, Age }

/** One case's fixed facts (the same for every strategy). */
interface CaseFacts {
  readonly id: string
  readonly index: number
  readonly cycle: ReviewCycle
  readonly cycleDays: number | null
  readonly lender: boolean
  /** The order's product (a lender's order is an income order, VOIE). */
  readonly orderType: Product
  /** The product the case asks for: null (its lineage's, or employment before a closing: `caseProduct`). */
  readonly product: Product | null
  readonly provider: number
  readonly authKind: AuthKind
  readonly mfaEveryLogin: boolean
  /** The product a refresh re-verifies (`caseProduct`: employment for a lender case on its income order). */
  readonly verifies: Product
  /** A lender case's closing (note) date, `YYYY-MM-DD` (its due day), else null. */
  readonly closingDate: string | null
  /** The first due day (relative to the start), and the first login's day (negative: before the start). */
  readonly firstDueDay: number
  readonly firstLoginDay: number
  readonly rootCreatedDay: number
}

const makeFacts = (p: SimulationParams, i: number, horizon: number): CaseFacts => {
  const s = p.seed
  const kind = pick(uniform(s, i, Salt.Kind), [["annual", p.annual], ["semiannual", p.semiannual], ["quarterly", p.quarterly], ["lender", p.lender]] as const)
  const provider = pick(uniform(s, i, Salt.Provider), p.providers.map((x, k) => [k, x.weight] as const))
  const authKind = pick(uniform(s, i, Salt.Auth), [["oauth", p.oauth], ["session", p.session], ["unknown", p.unknown]] as const)
  const lender = kind === "lender"
  const cycleDays = lender ? null : CYCLE_DAYS[kind]
  const span = cycleDays ?? horizon
  const firstDueDay = Math.floor(uniform(s, i, Salt.Due) * span)
  // The client logged in at the last verification (one cycle before the due date), give or take a month;
  // a lender's borrower connected at the application, 30 to 60 days before closing.
  const firstLoginDay = lender
    ? firstDueDay - 30 - Math.floor(uniform(s, i, Salt.Age) * 31)
    : firstDueDay - cycleDays! - Math.floor(uniform(s, i, Salt.Age) * 31)
  const closingDate = lender ? dateOfDay(Math.round(Date.parse(p.start) / DAY_MS) + firstDueDay) : null
  return {
    id: `sim-${i}`, index: i, cycle: lender ? "ad-hoc" : kind, cycleDays, lender, orderType: "income", product: null,
    verifies: caseProduct({ product: null, closingDate }, { orderType: "income" }), closingDate,
    provider, authKind, mfaEveryLogin: uniform(s, i, Salt.Mfa) < p.mfaEveryLogin,
    firstDueDay, firstLoginDay, rootCreatedDay: firstLoginDay
  }
}

/** The hidden lifetime (days) of login `episode` of a case: the first of expiry, session end, password change, MFA prompt. */
const lifetimeOf = (p: SimulationParams, f: CaseFacts, episode: number): number => {
  const s = p.seed
  const i = f.index
  const base = f.authKind === "oauth"
    ? p.oauthValidityDays
    : weibull(uniform(s, i, Salt.Life, episode), p.sessionShape, p.providers[f.provider]!.sessionMedianDays)
  const password = exponential(uniform(s, i, Salt.Password, episode), p.passwordChangesPerYear / 365)
  const prompt = exponential(uniform(s, i, Salt.Prompt, episode), p.mfaPromptsPerYear / 365)
  return Math.min(base, password, prompt)
}

const outage = (p: SimulationParams, provider: number, day: number): boolean => uniform(p.seed, provider, Salt.Outage, day + 100_000) < p.outageDaysPerYear / 365

/**
 * Whether and when the client answers link `n` of case `i` sent on `day` (Infinity: never). The
 * draw may land after the link expired: the client then finds a dead link (the sandbox's
 * `after-expiry`), and only a replacement can still be answered.
 */
const answerDay = (p: SimulationParams, i: number, n: number, day: number): number =>
  uniform(p.seed, i, Salt.Answer, n) < p.answerRate ? day + 1 + Math.floor(exponential(uniform(p.seed, i, Salt.Delay, n), 1 / p.answerDelayDays)) : Infinity

/**
 * The hidden truth the model draws, for scripting the sandbox with the same world (the check that
 * the model is the product, `apps/scheduler/test/simulator-model-clients.test.ts`): whether
 * provider `providerIndex` is down on `day` (counted from the start), and how many days after
 * link `link` (1 first, counted over the case's life) its client logs in at 03:00 (null: never).
 *
 * @example
 * simulatedAnswerDelayDays({ ...DEFAULT_SIMULATION, answerRate: 1 }, 0, 1) // 1 or more
 */
export const simulatedOutage = (p: SimulationParams, providerIndex: number, day: number): boolean => outage(p, providerIndex, day)
export const simulatedAnswerDelayDays = (p: SimulationParams, caseIndex: number, link: number): number | null => {
  const at = answerDay(p, caseIndex, link, 0)
  return Number.isFinite(at) ? at : null
}

/** One case's state under one strategy. */
interface CaseState {
  readonly facts: CaseFacts
  dueDay: number
  /** The first day whose nightly run (02:00) is inside the renewal's window (`renewalWindow`: the lead time, or the business days before a closing). */
  opensDay: number
  /** The renewal's number (0, 1, ...): which due date it is. */
  renewal: number
  loginDay: number
  episode: number
  deathDay: number
  lastStatus: TaskStatus | null
  lastStatusDay: number
  lastVerifiedDay: number | null
  /** The night the open link was sent (null: no link open, or escalated): from the next pass on, each pass reads its order. */
  linkSentDay: number | null
  /** The day the open link is answered (Infinity: never, or only after it expired), or null without an open link. */
  linkAnswer: number | null
  /** The first day whose nightly run finds the open link expired (Infinity: none open, or escalated). */
  linkExpiresDay: number
  /** Links of this renewal that expired unanswered (core's `expiredBefore`). */
  linksExpired: number
  links: number
  /** Finished: a lender case after its closing. */
  finished: boolean
  ledger: Array<Attempt>
  /** Last day (since the login) a refresh of this login succeeded, for the estimator's censoring. */
  lastDoneAge: number | null
  attemptSeq: number
  /** Consecutive `unavailable` outcomes (the guide's loop retries daily, Recert backs off by its rules). */
}

interface Counters {
  renewals: number
  completed: number
  withoutClient: number
  onTime: number
  billed: number
  refreshes: number
  failedBilled: number
  links: number
  /** Renewals whose last link expired unanswered with no replacement left: escalated to a caseworker. */
  escalated: number
  /** Every Truv request, minute by minute, against the budget; and by kind. */
  minutes: MinuteLedger
  requests: RequestTally
  /** The model's Truv: the per-connection refresh limit. */
  refreshLimit: RefreshLimit
}

/** The hour of the nightly run (UTC), and of the client's login (a login is at 03:00 of its day). */
const REFRESH_HOUR = 2
const LOGIN_HOUR = 3
const RUN_MINUTE = REFRESH_HOUR * 60
const LOGIN_MINUTE = LOGIN_HOUR * 60
const GSE_FREE = 5
const GSE_WINDOW_DAYS = 90

class World {
  readonly horizon: number
  readonly startMs: number
  readonly facts: Array<CaseFacts>
  constructor(readonly p: SimulationParams) {
    this.startMs = Date.parse(p.start)
    const end = new Date(this.startMs)
    end.setUTCMonth(end.getUTCMonth() + p.months)
    this.horizon = Math.round((end.getTime() - this.startMs) / DAY_MS)
    this.facts = []
    for (let i = 0; i < p.cases; i++) this.facts.push(makeFacts(p, i, this.horizon))
  }
  iso(day: number, hours = 0): string { return toIso(this.startMs + day * DAY_MS + hours * HOUR_MS) }
}

/**
 * The day a renewal left incomplete is abandoned: when the next renewal's window opens; a lender
 * case's at its note date (the loan closes with or without the re-verification).
 */
const abandonDay = (s: CaseState, lead: number): number => (s.facts.cycleDays === null ? s.dueDay : s.dueDay + Math.max(1, s.facts.cycleDays - lead))

class Run {
  readonly states: Array<CaseState>
  readonly c: Counters
  /** Observations of finished logins (the estimator's events and censorings), and the current estimates. */
  readonly observations: Array<ValidityObservation> = []
  estimates: ReadonlyArray<ValidityEstimate> | undefined = undefined
  gseUsed = new Int32Array(0)
  /** The `requests` section of the policy: replacements per cycle, then escalation (every strategy gets the product's link lifecycle). */
  readonly requests: RequestPolicy

  constructor(
    readonly w: World, readonly strategy: StrategyName, readonly config: PolicyConfig, readonly lead: number,
    readonly onAction: ((a: SimulatedAction) => void) | undefined = undefined,
    readonly onRequest: ((r: SimulatedRequests) => void) | undefined = undefined
  ) {
    this.states = w.facts.map((f) => ({
      facts: f, dueDay: f.firstDueDay, opensDay: this.opensDayOf(f, f.firstDueDay), renewal: 0, loginDay: f.firstLoginDay, episode: 0,
      deathDay: f.firstLoginDay + lifetimeOf(w.p, f, 0), lastStatus: null, lastStatusDay: 0, lastVerifiedDay: null,
      linkSentDay: null, linkAnswer: null, linkExpiresDay: Infinity, linksExpired: 0, links: 0, finished: false, ledger: [], lastDoneAge: null, attemptSeq: 0
    }))
    this.c = { renewals: 0, completed: 0, withoutClient: 0, onTime: 0, billed: 0, refreshes: 0, failedBilled: 0, links: 0, escalated: 0,
      // The scheduler keeps the budget itself (truv-adapter's limiter); the guide's loop has no limiter (decisions.md).
      minutes: new MinuteLedger(w.p.rateBudget, strategy !== "guide"), requests: new RequestTally(), refreshLimit: new RefreshLimit(w.facts.length) }
    this.gseUsed = new Int32Array(w.facts.length)
    this.requests = requestPolicyOf(config)
  }

  /**
   * The first day of a renewal's window, from core's `renewalWindow` under this strategy's policy:
   * every strategy holds a lender case to the pre-closing window (N business days before the note
   * date, on the holiday calendar), the loan's requirement, not a choice of Recert's.
   */
  opensDayOf(f: CaseFacts, dueDay: number): number {
    const w = renewalWindow({ dueAt: this.w.iso(dueDay), cycle: f.cycle, closingDate: f.closingDate }, this.config)
    return Math.ceil((w.opensAt - this.w.startMs - REFRESH_HOUR * HOUR_MS) / DAY_MS)
  }

  /** Whether this refresh is free under the GSE quota (lender lineages, 5 within 90 days of the root order). */
  gseFree(s: CaseState, day: number): boolean {
    const f = s.facts
    return f.lender && day - f.rootCreatedDay < GSE_WINDOW_DAYS && this.gseUsed[f.index]! < GSE_FREE
  }

  counted(s: CaseState): boolean { return s.dueDay < this.w.horizon }

  /** The Truv requests of one event of case `s`, sent at `minute` of `day` (the minute ledger then spreads them under the budget). */
  send(s: CaseState, day: number, minute: number, event: TruvRequestEvent): void {
    const requests = REQUESTS_PER_EVENT[event]
    this.c.minutes.add(minute, this.c.requests.add(requests))
    this.onRequest?.({ strategy: this.strategy, caseId: s.facts.id, day, minute, event, requests })
  }

  /** The renewal ends (completed or abandoned): the case moves to its next due date. */
  next(s: CaseState): void {
    s.ledger = []
    s.linkSentDay = null
    s.linkAnswer = null
    s.linkExpiresDay = Infinity
    s.linksExpired = 0
    if (s.facts.cycleDays === null) s.finished = true
    else {
      s.dueDay += s.facts.cycleDays
      s.opensDay = this.opensDayOf(s.facts, s.dueDay)
      s.renewal++
    }
  }

  complete(s: CaseState, day: number, withoutClient: boolean): void {
    this.onAction?.({ strategy: this.strategy, caseId: s.facts.id, day, kind: withoutClient ? "completed-by-refresh" : "completed-by-client" })
    if (this.counted(s)) {
      this.c.renewals++
      this.c.completed++
      if (withoutClient) this.c.withoutClient++
      // A review's due date is a day (its nightly run counts); a closing's window ends at the note date's start.
      if (s.facts.lender ? day < s.dueDay : day <= s.dueDay) this.c.onTime++
    }
    s.lastVerifiedDay = day
    this.next(s)
  }

  newLogin(s: CaseState, day: number): void {
    // The login that ended: censored at its last success, unless a failure already recorded it.
    if (s.lastStatus === null && s.lastDoneAge !== null) this.observe(s, s.lastDoneAge, false)
    s.episode++
    s.loginDay = day
    s.deathDay = day + lifetimeOf(this.w.p, s.facts, s.episode)
    s.lastStatus = null
    s.lastDoneAge = null
  }

  observe(s: CaseState, age: number, failed: boolean): void {
    const f = s.facts
    this.observations.push({ provider: this.w.p.providers[f.provider]!.name, authKind: f.authKind, days: age, failed })
  }

  sendLink(s: CaseState, day: number): void {
    if (s.linkAnswer !== null) return
    this.onAction?.({ strategy: this.strategy, caseId: s.facts.id, day, kind: "link" })
    s.links++
    this.c.links++
    s.linkSentDay = day
    this.send(s, day, RUN_MINUTE, "link")
    // A new order made at the nightly run expires 72 weekday hours later (core's `requestExpiresAt`);
    // the first nightly run at or after that instant finds it expired. An answer (a login at 03:00)
    // counts only before the expiry: after it the client finds a dead link.
    const expiresAt = requestExpiresAt("new-order", this.w.startMs + day * DAY_MS + REFRESH_HOUR * HOUR_MS)
    s.linkExpiresDay = Math.ceil((expiresAt - this.w.startMs - REFRESH_HOUR * HOUR_MS) / DAY_MS)
    const answer = answerDay(this.w.p, s.facts.index, s.links, day)
    s.linkAnswer = this.w.startMs + answer * DAY_MS + LOGIN_HOUR * HOUR_MS < expiresAt ? answer : Infinity
  }

  /**
   * The open link expired unanswered at `day`'s nightly run: core's `expiryOutcome` (the product's
   * rule, `planExpiry`) replaces it while the renewal has replacements left, at once (the request
   * sweep's `queueVerification`), else escalates it: a caseworker takes over, no link again this renewal.
   */
  expireLink(s: CaseState, day: number): void {
    // The sweep reads the order at Truv before it expires the request (`expiry-at-truv.ts`).
    this.send(s, day, RUN_MINUTE, "linkAtExpiry")
    s.linkSentDay = null
    const outcome = expiryOutcome({ stillNeeded: true, expiredBefore: s.linksExpired }, this.requests)
    if (outcome.to === "escalated") {
      this.onAction?.({ strategy: this.strategy, caseId: s.facts.id, day, kind: "escalated" })
      this.c.escalated++
      s.linkExpiresDay = Infinity
      return
    }
    s.linksExpired++
    s.linkAnswer = null
    s.linkExpiresDay = Infinity
    if (outcome.replace) this.sendLink(s, day)
  }

  /** A refresh sent at `day`: its outcome from the hidden truth, recorded in the ledger. */
  refresh(s: CaseState, day: number, free: boolean): void {
    const f = s.facts
    // Truv refuses a 4th refresh of the connection inside 24 h: one request, nothing billed, the case waits.
    if (!this.c.refreshLimit.tryRefresh(f.index, this.w.startMs + day * DAY_MS + REFRESH_HOUR * HOUR_MS)) {
      this.onAction?.({ strategy: this.strategy, caseId: f.id, day, kind: "refresh-refused" })
      this.send(s, day, RUN_MINUTE, "refresh")
      return
    }
    // Sent at 02:00 of the day (the nightly run): dead once that instant reaches the login's end.
    const dead = day + REFRESH_HOUR / 24 >= s.deathDay || f.mfaEveryLogin
    // A provider that is down answers `unavailable` whether or not the login still works (the sandbox's
    // `outcomeOf`: a scripted failure keeps its status over an expiry); otherwise a dead login fails.
    const status: TaskStatus = outage(this.w.p, f.provider, day) ? "unavailable" : dead ? "login_error" : "done"
    this.onAction?.({ strategy: this.strategy, caseId: f.id, day, kind: free ? "refresh-free" : "refresh", status })
    this.c.refreshes++
    this.send(s, day, RUN_MINUTE, "refresh")
    if (free) this.gseUsed[f.index]!++
    else this.c.billed++
    if (status !== "done" && !free) this.c.failedBilled++
    const at = this.w.iso(day, REFRESH_HOUR)
    s.attemptSeq++
    s.ledger.push({
      id: `${f.id}-a${s.attemptSeq}`, at, product: f.verifies, connectionIds: [`${f.id}-link`], status: status === "done" ? "succeeded" : "failed",
      orderId: `${f.id}-o${s.attemptSeq}`, rejection: null, outcomes: { [`${f.id}-link`]: status }, resolvedAt: this.w.iso(day, 2.25), gseFree: free
    })
    if (status === "done") {
      // Its webhook comes within the pass: the follow-up fetches the report.
      this.send(s, day, RUN_MINUTE, "refreshDone")
      s.lastDoneAge = day - s.loginDay
      this.complete(s, day, true)
      return
    }
    s.lastStatus = status
    s.lastStatusDay = day
    if (status === "login_error") this.observe(s, day - s.loginDay, true)
    // The guide's loop sends a link on any failure; Recert sends one when the user must act
    // (its follow-up), and backs off a provider outage by its rules.
    if (status === "login_error" || this.strategy === "guide") this.sendLink(s, day)
  }

  /** What Recert's planner reads for a case at `day`. */
  planCase(s: CaseState): PlanCase {
    const f = s.facts
    const w = this.w
    const kase: Case = {
      id: f.id, dueAt: w.iso(s.dueDay), cycle: f.cycle, rootOrderId: `${f.id}-root`, product: f.product, closingDate: f.closingDate,
      lastVerifiedAt: s.lastVerifiedDay === null ? null : w.iso(s.lastVerifiedDay, 2)
    }
    const lineage: Lineage = {
      rootOrderId: `${f.id}-root`, orderType: f.orderType, gse: f.lender, orderNumber: null, userId: null, status: "open",
      orders: [{ id: `${f.id}-root`, parentId: null, createdAt: w.iso(f.rootCreatedDay) }],
      connections: [{
        id: `${f.id}-link`, suborderId: `${f.id}-emp`, suborderNumber: null, kind: "employer", provider: w.p.providers[f.provider]!.name,
        authKind: f.authKind, authenticatedAt: w.iso(s.loginDay, LOGIN_HOUR), lastTaskStatus: s.lastStatus,
        lastStatusAt: s.lastStatus === null ? null : w.iso(s.lastStatusDay, 2.25), mfaOnEveryLogin: f.mfaEveryLogin
      }]
    }
    return { case: kase, lineage, ledger: s.ledger }
  }

  learn(): void {
    const open: Array<ValidityObservation> = []
    for (const s of this.states) {
      if (s.lastStatus === null && s.lastDoneAge !== null) {
        open.push({ provider: this.w.p.providers[s.facts.provider]!.name, authKind: s.facts.authKind, days: s.lastDoneAge, failed: false })
      }
    }
    this.estimates = estimateValidity([...this.observations, ...open])
  }

  day(d: number): void {
    const w = this.w
    const due: Array<CaseState> = []
    for (const s of this.states) {
      if (s.finished) continue
      // A renewal left incomplete when the next one's window opens is abandoned.
      if (d >= abandonDay(s, this.lead)) {
        if (this.counted(s)) this.c.renewals++
        this.next(s)
        if (s.finished) continue
      }
      if (s.linkAnswer !== null) {
        if (d >= s.linkExpiresDay) this.expireLink(s, d)
        // A link sent on an earlier night is read at each pass until it is answered or expires (the request-check).
        else if (s.linkSentDay !== null && d > s.linkSentDay) this.send(s, d, RUN_MINUTE, "openLinkAtPass")
        if (d < s.linkAnswer) continue
        // The client logs in through Bridge: a new login, and the renewal is completed with them (one billed verification);
        // its webhook is followed at once: the order read, then its report.
        this.newLogin(s, d)
        this.send(s, d, LOGIN_MINUTE, "answer")
        const free = this.gseFree(s, d)
        if (free) this.gseUsed[s.facts.index]!++
        else this.c.billed++
        this.complete(s, d, false)
        continue
      }
      if (d < s.opensDay) continue
      due.push(s)
    }
    if (this.strategy === "guide") {
      // Refresh every due case; on failure (any: the guide does not tell an outage apart) send a link.
      for (const s of due) this.refresh(s, d, this.gseFree(s, d))
    } else if (this.strategy === "oracle") {
      for (const s of due) {
        if (d + REFRESH_HOUR / 24 >= s.deathDay || s.facts.mfaEveryLogin) this.sendLink(s, d)
        else if (!outage(w.p, s.facts.provider, d)) this.refresh(s, d, this.gseFree(s, d))
      }
    } else {
      if (this.strategy === "recert" && (this.estimates === undefined || d % w.p.learnEveryDays === 0)) this.learn()
      const plan = planAt(due.map((s) => this.planCase(s)), Date.parse(w.iso(d, REFRESH_HOUR)), this.config,
        { decisions: "none", ...(this.strategy === "recert" && this.estimates !== undefined ? { validity: this.estimates } : {}) })
      for (let k = 0; k < due.length; k++) {
        const s = due[k]!
        const item = plan.items[k]!
        if (item.action === "refresh") this.refresh(s, d, item.freeVerifications > 0)
        else if (item.action === "reauthenticate" || item.action === "new-order") this.sendLink(s, d)
      }
    }
    this.c.minutes.endDay()
  }

  result(): StrategyResult {
    // Renewals still open at the end: counted, not completed.
    for (const s of this.states) if (!s.finished && this.counted(s)) this.c.renewals++
    const c = this.c
    c.minutes.finish()
    const m: MinuteFigures = c.minutes.figures()
    const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b)
    return {
      strategy: this.strategy, label: STRATEGY_LABELS[this.strategy], renewals: c.renewals, completed: c.completed,
      completedWithoutClient: c.withoutClient, completedOnTime: c.onTime, billedVerifications: c.billed, refreshes: c.refreshes,
      billedRefreshesFailed: c.failedBilled, links: c.links, escalated: c.escalated, truvRequests: c.requests.counts(), peakRequestsPerMinute: m.peak,
      minutesOverBudget: m.minutesOver, longestRunMinutes: m.longestRun, throttledRequests: m.throttled, refreshesRefused: c.refreshLimit.refused,
      limitViolations: m.throttled + c.refreshLimit.refused,
      withoutClientShare: ratio(c.withoutClient, c.renewals), onTimeShare: ratio(c.onTime, c.renewals),
      billedPerCompleted: ratio(c.billed, c.completed), linksPerCase: ratio(c.links, this.w.facts.length)
    }
  }
}

/** One case of the caseload as the outside world would seed it, with its first login's hidden end. */
export interface SimulatedCase {
  readonly id: string
  /** The case's index in the caseload (`simulatedAnswerDelayDays`), and its provider's in `params.providers` (`simulatedOutage`). */
  readonly index: number
  readonly providerIndex: number
  readonly cycle: ReviewCycle
  /** The lineage's order type. */
  readonly orderType: Product
  /** The product the case asks for (null: `caseProduct` decides). */
  readonly product: Product | null
  /** A lender case's closing (note) date, else null. */
  readonly closingDate: string | null
  readonly gse: boolean
  readonly provider: string
  readonly authKind: AuthKind
  readonly mfaOnEveryLogin: boolean
  readonly dueAt: string
  readonly rootCreatedAt: string
  /** The first login (03:00 of its day), as the connection's `authenticatedAt`. */
  readonly authenticatedAt: string
  /** Hidden: the instant the first login stops working (epoch ms). */
  readonly loginEndsAt: number
}

/**
 * The caseload of a run, for seeding the real scheduler and the sandbox with the same world (the
 * check that the model is the product: `apps/scheduler/test/simulator-model.test.ts`).
 *
 * @example
 * simulationCaseload({ ...DEFAULT_SIMULATION, cases: 30 })[0].dueAt
 */
export const simulationCaseload = (p: SimulationParams): Array<SimulatedCase> => {
  const w = new World(p)
  return w.facts.map((f) => ({
    id: f.id, index: f.index, providerIndex: f.provider, cycle: f.cycle, orderType: f.orderType, product: f.product, closingDate: f.closingDate, gse: f.lender, provider: p.providers[f.provider]!.name, authKind: f.authKind,
    mfaOnEveryLogin: f.mfaEveryLogin, dueAt: w.iso(f.firstDueDay), rootCreatedAt: w.iso(f.rootCreatedDay),
    authenticatedAt: w.iso(f.firstLoginDay, LOGIN_HOUR), loginEndsAt: w.startMs + (f.firstLoginDay + lifetimeOf(p, f, 0)) * DAY_MS
  }))
}

export interface SimulationConfigs {
  /** The policy of "Recert as configured" (learning and any timing fields it has). */
  readonly configured: PolicyConfig
  /** The policy of "Recert without learning and without freshness timing". */
  readonly basic: PolicyConfig
}

/** The Truv requests of one event of a strategy on a case (`simulate`'s `onRequest`): wanted at `minute` (0-1439) of `day` (the limiter may send them later). */
export interface SimulatedRequests {
  readonly strategy: StrategyName
  readonly caseId: string
  readonly day: number
  readonly minute: number
  readonly event: TruvRequestEvent
  readonly requests: Partial<Record<TruvRequestKind, number>>
}

/** One action of a strategy on a case (`simulate`'s `onAction`, for tests and traces): `day` counts from the start. */
export interface SimulatedAction {
  readonly strategy: StrategyName
  readonly caseId: string
  readonly day: number
  readonly kind: "refresh" | "refresh-free" | "refresh-refused" | "link" | "escalated" | "completed-by-refresh" | "completed-by-client"
  /** A refresh's outcome. */
  readonly status?: TaskStatus
}

/**
 * Runs every strategy on the same caseload; `onAction` traces each action of a strategy on a
 * case, `onRequest` the Truv requests of each event (`truv-requests.ts`).
 *
 * @example
 * simulate({ ...DEFAULT_SIMULATION, cases: 1000 }, { configured: DEFAULT_POLICY_CONFIG, basic: DEFAULT_POLICY_CONFIG }).strategies
 */
export const simulate = (
  p: SimulationParams, configs: SimulationConfigs, strategies: ReadonlyArray<StrategyName> = ["guide", "recert-basic", "recert", "oracle"],
  onAction?: (a: SimulatedAction) => void, onRequest?: (r: SimulatedRequests) => void
): SimulationResult => {
  const w = new World(p)
  const out: Array<StrategyResult> = []
  for (const name of strategies) {
    const config = name === "recert" ? configs.configured : configs.basic
    const run = new Run(w, name, config, config.leadTimeDays, onAction, onRequest)
    for (let d = 0; d < w.horizon; d++) run.day(d)
    out.push(run.result())
  }
  return { params: p, cases: p.cases, days: w.horizon, rateBudget: p.rateBudget, strategies: out }
}
