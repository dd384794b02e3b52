/**
 * The demo's following days (issue 16, "the whole loop"): after tonight's pass, the sandbox's
 * clock is moved on in steps of simulated hours, and after each step the scheduler runs a pass of
 * its follow-up work only (`enqueueDue: false`: the webhooks the clients' actions produced, the
 * polling of open new orders, retries whose time came). The sandbox's scripted clients (the
 * `demo` mix) act when its clock moves: they complete new orders, re-authenticate Bridge links,
 * or never answer. Each step's pass runs the request sweep (issue 16's lifecycle): reminders, and an
 * expired request replaced up to the policy's limit, then escalated.
 *
 * The counts come from the store (every case's latest verification since the demo began, every
 * request) with the sandbox's own beside them.
 */
import { type LatestVerification, requestExpiresAt } from "@recert/core"
import { Store } from "@recert/store"
import type { TruvSandbox } from "@recert/truv-sandbox"
import { Clock, Duration, Effect } from "effect"
import { type PassOptions, runPass } from "../runner/pass.js"
import { RunStats } from "../runner/run-stats.js"

const HOUR = 3_600_000

/** Simulated days after tonight's pass, and the step the clock moves by. */
export const DEMO_FOLLOWING_DAYS = 3.5
export const DEMO_STEP_HOURS = 12

export interface FollowingDays {
  readonly days: number
  readonly stepHours: number
  /** The sandbox clock (the scheduler's) before the first step and after the last. */
  readonly from: string
  readonly to: string
  /** Cases whose latest verification since the demo began came from a refresh, or from the client. */
  readonly renewals: {
    readonly byRefresh: number
    readonly byClient: { readonly newOrder: number; readonly reauthentication: number }
    /** Of these, `review` (a client's first verification on record has no baseline: `baseline.none`). */
    readonly review: { readonly byRefresh: number; readonly byClient: number }
  }
  /** Outbox events the following days wrote (not delivered in the demo: see demo.ts). */
  readonly eventsWritten: number
  /** Every request the scheduler made of a client, by kind and where it stands at the end. */
  readonly requests: {
    readonly asked: { readonly "new-order": number; readonly "bridge-update": number }
    readonly completed: number
    readonly waiting: number
    readonly expired: number
    readonly escalated: number
    readonly superseded: number
    readonly otherwiseResolved: number
  }
  /** The sandbox's own account of the clients. */
  readonly sandbox: {
    readonly ordersCreated: number
    readonly tokensCreated: number
    readonly ordersCanceled: number
    readonly messages: { readonly initial: number; readonly reminders: number }
    readonly requestsMessagedTwice: number
    readonly actions: { readonly completed: number; readonly reauthenticated: number; readonly alreadyConnected: number; readonly tooLate: number; readonly undelivered: number }
  }
}

export interface FollowOptions {
  readonly sandbox: TruvSandbox
  readonly pass: Omit<PassOptions, "enqueueDue">
  /** When the demo began (verifications before it are the seeded first orders). */
  readonly since: number
  readonly days?: number
  readonly stepHours?: number
}

/**
 * Effect's clock reading `now`, sleeping in real time. With the sandbox's (real time plus what
 * `advance` added), the scheduler and the sandbox agree on "now" across the simulated days.
 */
export const clockOf = (now: () => number): Clock.Clock => {
  return {
    currentTimeMillisUnsafe: now,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => process.hrtime.bigint(),
    monotonicTimeNanos: Effect.sync(() => process.hrtime.bigint()),
    sleep: (d) => Duration.toMillis(d) <= 0 ? Effect.yieldNow : Effect.callback<void>((resume) => {
      const t = setTimeout(() => resume(Effect.void), Duration.toMillis(d))
      return Effect.sync(() => clearTimeout(t))
    })
  }
}

export const sandboxClock = (sandbox: TruvSandbox): Clock.Clock => clockOf(() => sandbox.clock.now())

/** Every case's latest verification made at or after `since`. */
const latestSince = (store: Store["Service"], since: string) =>
  Effect.gen(function*() {
    const all: Array<LatestVerification> = []
    let afterCaseId: string | undefined
    for (;;) {
      const page = yield* store.latestVerifications({ since, limit: 500, ...(afterCaseId === undefined ? {} : { afterCaseId }) })
      all.push(...page)
      if (page.length < 500) return all
      afterCaseId = page[page.length - 1]!.caseId
    }
  })

/** Moves the sandbox clock on, step by step, with a follow-up pass after each; then counts. */
export const followingDays = (options: FollowOptions) =>
  Effect.gen(function*() {
    const days = options.days ?? DEMO_FOLLOWING_DAYS
    const stepHours = options.stepHours ?? DEMO_STEP_HOURS
    const { sandbox } = options
    const from = sandbox.clock.now()
    const stats = new RunStats(from)
    const store = yield* Store
    const eventsBefore = (yield* store.deliveryCounts()).events
    for (let step = 0; step < (days * 24) / stepHours; step++) {
      if (options.pass.shouldStop?.() === true) break
      // The clients whose instant came act now (the sandbox runs their actions in order), and
      // their webhooks reach the receiver before the pass reads its inbox.
      sandbox.clock.advance(stepHours * HOUR)
      yield* Effect.promise(() => sandbox.idle())
      yield* runPass({ ...options.pass, enqueueDue: false }, stats)
      yield* Effect.promise(() => sandbox.idle())
    }
    const now = yield* Clock.currentTimeMillis
    const latest = yield* latestSince(store, new Date(options.since).toISOString())
    const requests = yield* store.listVerificationQueue({ includeResolved: true })
    const open = requests.filter((q) => q.resolvedAt === null)
    const expired = open.filter((q) => requestExpiresAt(q.kind, Date.parse(q.createdAt)) <= now).length
    const completed = requests.filter((q) => q.resolvedAt !== null && q.state === "completed").length
    const resolvedAs = (resolution: string) => requests.filter((q) => q.resolvedAt !== null && q.state !== "completed" && q.resolution === resolution).length
    const superseded = resolvedAs("superseded")
    // Expired: by the request sweep (the lifecycle's final state), or past Truv's expiry and not swept yet.
    const sweptExpired = resolvedAs("expired")
    const escalated = resolvedAs("escalated")
    const c = sandbox.report().clients
    return {
      days, stepHours, from: new Date(from).toISOString(), to: new Date(now).toISOString(),
      eventsWritten: (yield* store.deliveryCounts()).events - eventsBefore,
      renewals: {
        byRefresh: latest.filter((v) => v.via === "refresh").length,
        byClient: { newOrder: latest.filter((v) => v.via === "new-order").length, reauthentication: latest.filter((v) => v.via === "reauthentication").length },
        review: {
          byRefresh: latest.filter((v) => v.class === "review" && v.via === "refresh").length,
          byClient: latest.filter((v) => v.class === "review" && v.via !== "refresh").length
        }
      },
      requests: {
        asked: { "new-order": requests.filter((q) => q.kind === "new-order").length, "bridge-update": requests.filter((q) => q.kind === "bridge-update").length },
        completed, waiting: open.length - expired, expired: expired + sweptExpired, superseded, escalated,
        otherwiseResolved: requests.length - open.length - completed - superseded - sweptExpired - escalated
      },
      sandbox: {
        ordersCreated: c.ordersCreated, tokensCreated: c.tokensCreated, ordersCanceled: c.ordersCanceled,
        messages: { initial: c.messages.initial, reminders: c.messages.reminders },
        requestsMessagedTwice: c.requestsMessagedTwice, actions: { ...c.actions }
      }
    } satisfies FollowingDays
  })

export const renderFollowingDays = (f: FollowingDays): string => {
  const r = f.requests
  const s = f.sandbox
  return [
    `The following ${f.days} days (the sandbox's clock moved ${f.stepHours} h at a time, ${f.from} to ${f.to}; after each step`,
    "a pass of follow-up work: the clients' webhooks, polling of open new orders, retries whose time came):",
    `  renewals completed by a refresh       ${f.renewals.byRefresh} (${f.renewals.review.byRefresh} to review)`,
    `  renewals completed by the client      ${f.renewals.byClient.newOrder + f.renewals.byClient.reauthentication} (${f.renewals.byClient.newOrder} new orders, ${f.renewals.byClient.reauthentication} Bridge re-authentications; ${f.renewals.review.byClient} to review)`,
    `  requests made of clients              ${r.asked["new-order"] + r.asked["bridge-update"]} (${r.asked["new-order"]} new orders, ${r.asked["bridge-update"]} Bridge tokens)`,
    `    completed by the client             ${r.completed}`,
    `    still waiting                       ${r.waiting}`,
    `    expired (replaced by the request sweep up to the policy's limit)  ${r.expired}`,
    `    escalated to a caseworker           ${r.escalated}`,
    `    superseded                          ${r.superseded}${r.otherwiseResolved > 0 ? `\n    otherwise resolved                  ${r.otherwiseResolved}` : ""}`,
    `  outbox events written                 ${f.eventsWritten} (kept for the next delivery: the reference receiver checks signatures against this machine's clock, which the simulated days ran ahead of)`,
    "  The sandbox's own account of the clients:",
    `    orders created ${s.ordersCreated}, Bridge tokens ${s.tokensCreated}, orders canceled ${s.ordersCanceled}`,
    `    messages to clients ${s.messages.initial} first + ${s.messages.reminders} reminders; requests messaged twice ${s.requestsMessagedTwice}`,
    `    clients completed ${s.actions.completed}, re-authenticated ${s.actions.reauthenticated}, already connected ${s.actions.alreadyConnected}, too late ${s.actions.tooLate}, undelivered ${s.actions.undelivered}`
  ].join("\n")
}
