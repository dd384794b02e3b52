/**
 * An in-memory `RenewalStore` for tests and demos: plain maps behind the port, so the whole
 * renewal workflow (plan, reserve, call Truv, record, follow webhooks) runs without a database.
 * Every operation runs synchronously once it has read the Clock, so on one JS thread it is as
 * atomic as the real store's transaction: two fibers can never both pass `reserve`'s re-check
 * for the same connection. `snapshotState()` reads everything back for assertions.
 *
 * The rules (what a reservation inserts, which transitions and outcomes are legal, the ledger's
 * orders) are core's `ledger/` functions, the ones the SQL stores apply too: this file only keeps
 * their results. `renewal-store-contract.ts` (core's tests) checks both kinds of store alike.
 */
import { Clock, Context, Effect, Layer, Redacted } from "effect"
import { parsePolicyConfig, parseWith } from "../engine/validate.js"
import { toIso } from "../engine/time.js"
import { attemptWithOutcome } from "../ledger/attempt-outcome.js"
import { transitionedAttempt } from "../ledger/attempt-transition.js"
import { byLedgerOrder, inConnectionOrder } from "../ledger/ordering.js"
import { planReservation, type ReservationRequest } from "../ledger/reservation.js"
import { Attempt, type AttemptInput, isInFlight } from "../model/attempt.js"
import { Case, type CaseInput } from "../model/case.js"
import { type CaseContact, EMPTY_CONTACT } from "../model/client-contact.js"
import type { Decision } from "../model/decision.js"
import { type Connection, Lineage, type LineageInput, type LineageOrder } from "../model/lineage.js"
import { DEFAULT_POLICY_CONFIG, type PolicyConfig, type PolicyConfigInput } from "../model/policy-config.js"
import {
  AttemptNotFound, type CaseResult, type CaseSnapshot, CaseNotFound, IllegalTransition, type QueuedVerification,
  RenewalStore, type Reservation, StoreError, type VerificationRequest
} from "./renewal-store.js"
import { Baseline, type BaselineInput } from "../results/baseline.js"
import { escalatedInCycle, planExpiry } from "../requests/expiry-outcome.js"
import { requestPolicyOf } from "../requests/request-policy.js"
import { IllegalRequestTransition, isFinalRequestState, RequestNotFound } from "../requests/request-state.js"
import { resolutionOfState } from "../requests/apply-transition.js"
import { InMemoryRequests } from "./in-memory-requests.js"
import type { VerificationRecord } from "./verification-record.js"

/** What the store starts with. Ledger attempts are filed under the lineage owning their first connection. */
export interface InMemoryStoreSeed {
  readonly cases: ReadonlyArray<CaseInput>
  readonly lineages: ReadonlyArray<LineageInput>
  readonly ledger?: ReadonlyArray<AttemptInput>
  /** Plain access tokens by connection id (the real store keeps them encrypted). */
  readonly accessTokens?: Readonly<Record<string, string>>
  /** Baselines a case import supplied, by case id (the SQL store keeps them on the case row). */
  readonly baselines?: Readonly<Record<string, BaselineInput>>
  /** Clients' contacts a case import supplied, by case id (the SQL store keeps them encrypted). */
  readonly contacts?: Readonly<Record<string, Partial<CaseContact>>>
}

/** One decision `reserve` made, as the real store writes it to its audit log. */
export interface RecordedDecision {
  readonly caseId: string
  readonly decision: Decision
}

/** Everything the store holds, as plain data (copies: mutating them changes nothing). */
export interface InMemoryStoreState {
  readonly cases: ReadonlyArray<Case>
  readonly lineages: ReadonlyArray<Lineage>
  /** Every attempt of every lineage, in insertion order. */
  readonly attempts: ReadonlyArray<Attempt>
  /** Attempts by root order id. */
  readonly ledgers: Readonly<Record<string, ReadonlyArray<Attempt>>>
  readonly decisions: ReadonlyArray<RecordedDecision>
  /** Every request, resolved ones included, in insertion order (ids 1, 2, ...). */
  readonly verificationQueue: ReadonlyArray<QueuedVerification>
  readonly results: ReadonlyArray<CaseResult>
  readonly verifications: ReadonlyArray<VerificationRecord>
}

/** The store's implementation plus `snapshotState` for assertions. */
export type InMemoryRenewalStoreImpl = RenewalStore["Service"] & {
  /** A copy of the whole state, for assertions. */
  readonly snapshotState: () => InMemoryStoreState
}

interface Mutable {
  readonly cases: Map<string, Case>
  readonly lineages: Map<string, Lineage>
  /** connection id -> root order id. */
  readonly owners: Map<string, string>
  readonly ledgers: Map<string, Array<Attempt>>
  /** attempt id -> root order id. */
  readonly attemptOwners: Map<string, string>
  /** attempt id -> the case it was reserved for (seeded attempts: the first case of their lineage). */
  readonly attemptCases: Map<string, string>
  readonly decisions: Array<RecordedDecision>
  readonly verificationQueue: Array<QueuedVerification>
  readonly results: Array<CaseResult>
  readonly verifications: Array<VerificationRecord>
  readonly baselines: Map<string, Baseline>
  readonly contacts: Map<string, CaseContact>
  /** The claim on each intent (`claimVerifications`, `takeOverVerification`), by request id. */
  readonly claims: Map<number, string>
  nextAttempt: number
  nextVerification: number
  nextClaim: number
}

const storeError = (operation: string, message: string) => new StoreError({ operation, message })

const seedState = (seed: InMemoryStoreSeed): Mutable => {
  const state: Mutable = {
    cases: new Map(), lineages: new Map(), owners: new Map(), ledgers: new Map(), attemptOwners: new Map(), attemptCases: new Map(),
    decisions: [], verificationQueue: [], results: [], verifications: [], baselines: new Map(), contacts: new Map(), claims: new Map(),
    nextAttempt: 1, nextVerification: 1, nextClaim: 1
  }
  seed.lineages.forEach((raw, i) => {
    const lineage = parseWith(Lineage, `seed lineage [${i}]`, raw)
    state.lineages.set(lineage.rootOrderId, lineage)
    state.ledgers.set(lineage.rootOrderId, [])
    for (const c of lineage.connections) state.owners.set(c.id, lineage.rootOrderId)
  })
  seed.cases.forEach((raw, i) => {
    const c = parseWith(Case, `seed case [${i}]`, raw)
    state.cases.set(c.id, c)
  })
  for (const [caseId, raw] of Object.entries(seed.baselines ?? {})) {
    if (!state.cases.has(caseId)) throw new Error(`seed baseline: no case "${caseId}"`)
    state.baselines.set(caseId, parseWith(Baseline, `seed baseline ${caseId}`, raw))
  }
  for (const [caseId, contact] of Object.entries(seed.contacts ?? {})) {
    if (!state.cases.has(caseId)) throw new Error(`seed contact: no case "${caseId}"`)
    state.contacts.set(caseId, { ...EMPTY_CONTACT, ...contact })
  }
  ;(seed.ledger ?? []).forEach((raw, i) => {
    const parsed = parseWith(Attempt, `seed attempt [${i}]`, raw)
    const attempt = { ...parsed, connectionIds: inConnectionOrder(parsed.connectionIds) }
    const root = state.owners.get(attempt.connectionIds[0]!)
    if (root === undefined) throw new Error(`seed attempt ${attempt.id}: no lineage has connection ${attempt.connectionIds[0]}`)
    state.ledgers.get(root)!.push(attempt)
    state.attemptOwners.set(attempt.id, root)
  })
  return state
}

const snapshotOf = (state: Mutable, caseId: string): Effect.Effect<CaseSnapshot, CaseNotFound | StoreError> =>
  Effect.gen(function*() {
    const c = state.cases.get(caseId)
    if (c === undefined) return yield* new CaseNotFound({ caseId })
    const lineage = state.lineages.get(c.rootOrderId)
    if (lineage === undefined) return yield* storeError("loadSnapshot", `case ${caseId}: no lineage ${c.rootOrderId}`)
    return { case: c, lineage, ledger: [...state.ledgers.get(c.rootOrderId)!] }
  })

/** Replaces an attempt in its ledger (attempts are immutable values). */
const replaceAttempt = (state: Mutable, next: Attempt): Attempt => {
  const ledger = state.ledgers.get(state.attemptOwners.get(next.id)!)!
  ledger[ledger.findIndex((a) => a.id === next.id)] = next
  return next
}

const findAttempt = (state: Mutable, attemptId: string): Attempt | undefined => {
  const root = state.attemptOwners.get(attemptId)
  return root === undefined ? undefined : state.ledgers.get(root)!.find((a) => a.id === attemptId)
}

/** The case an attempt belongs to, or undefined when its lineage has no case. */
/** The case's verifications, oldest first (`verifiedAt`, then order id), as the port orders them. */
const verificationsOf = (state: Mutable, caseId: string): Array<VerificationRecord> =>
  state.verifications.filter((v) => v.caseId === caseId)
    .sort((a, b) => Date.parse(a.verifiedAt) - Date.parse(b.verifiedAt) || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0))

const caseOfAttempt = (state: Mutable, attempt: Attempt): string | undefined => {
  const reserved = state.attemptCases.get(attempt.id)
  if (reserved !== undefined) return reserved
  const root = state.attemptOwners.get(attempt.id)
  return [...state.cases.values()].find((c) => c.rootOrderId === root)?.id
}

type ConnectionPatch = Parameters<RenewalStore["Service"]["updateConnection"]>[1]

/** A connection's status, unless a newer one is already known (webhooks arrive out of order). */
const newerStatus = (c: Connection, patch: ConnectionPatch): Partial<Connection> => {
  if (patch.lastStatusAt !== undefined && c.lastStatusAt !== null && Date.parse(c.lastStatusAt) > Date.parse(patch.lastStatusAt)) return {}
  return {
    ...(patch.lastTaskStatus !== undefined ? { lastTaskStatus: patch.lastTaskStatus } : {}),
    ...(patch.lastStatusAt !== undefined ? { lastStatusAt: patch.lastStatusAt } : {})
  }
}

const reserveNow = (state: Mutable, config: PolicyConfig, input: ReservationRequest & { readonly caseId: string }, now: number) =>
  Effect.map(snapshotOf(state, input.caseId), (snapshot): Reservation => {
    const { reservation } = planReservation(snapshot, input, now, config, () => `att-${state.nextAttempt++}`)
    state.decisions.push({ caseId: input.caseId, decision: reservation.decision })
    if (reservation.attempt !== null) {
      state.ledgers.get(snapshot.lineage.rootOrderId)!.push(reservation.attempt)
      state.attemptOwners.set(reservation.attempt.id, snapshot.lineage.rootOrderId)
      state.attemptCases.set(reservation.attempt.id, input.caseId)
    }
    return reservation
  })

/** The case's open requests, oldest first (`createdAt`, then id), as the port orders them. */
const openOf = (state: Mutable, caseId: string): Array<QueuedVerification> => state.verificationQueue
  .filter((q) => q.caseId === caseId && q.resolvedAt === null)
  .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id)

/** Replaces request `id` with `patch` applied; returns the new value. */
const setRequest = (state: Mutable, id: number, patch: Partial<QueuedVerification>): QueuedVerification => {
  const i = state.verificationQueue.findIndex((r) => r.id === id)
  const next = { ...state.verificationQueue[i]!, ...patch }
  state.verificationQueue[i] = next
  return next
}

/** Applies a pure ledger step (core's rules) to a stored attempt and keeps the result. */
const updateAttempt = (state: Mutable, attemptId: string, step: (attempt: Attempt) => Attempt | IllegalTransition | StoreError) =>
  Effect.gen(function*() {
    const attempt = findAttempt(state, attemptId)
    if (attempt === undefined) return yield* new AttemptNotFound({ attemptId })
    const next = step(attempt)
    if (next instanceof IllegalTransition || next instanceof StoreError) return yield* next
    return next === attempt ? attempt : replaceAttempt(state, next)
  })

/**
 * Builds an in-memory store from a seed. `reserve` decides at `Clock.currentTimeMillis` with
 * `config` (DESIGN.md's defaults when omitted). Throws `InvalidInput` for an invalid seed.
 *
 * @example
 * const store = makeInMemoryRenewalStore({ cases: [kase], lineages: [lineage] })
 * const program = Effect.gen(function*() {
 *   const { attempt } = yield* store.reserve({ caseId: "case-17", product: null })
 *   yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "ord-2" })
 *   yield* store.recordOutcome(attempt!.id, "link-1", "done", "2026-11-22T10:05:00Z")
 * })
 * await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
 * store.snapshotState().attempts[0]!.status // "succeeded"
 */
export const makeInMemoryRenewalStore = (seed: InMemoryStoreSeed, config?: PolicyConfigInput | PolicyConfig): InMemoryRenewalStoreImpl => {
  const state = seedState(seed)
  const policy = config === undefined ? DEFAULT_POLICY_CONFIG : parsePolicyConfig(config)
  const lifecycles = new InMemoryRequests(requestPolicyOf(policy))
  /** Applies a lifecycle step to request `q` at `at`; a final state resolves it in the queue. */
  const stepRequest = (q: QueuedVerification, to: Parameters<InMemoryRequests["step"]>[1], reason: string, at: number) => {
    const step = lifecycles.step(q, to, reason, at)
    if (step._tag === "applied" && isFinalRequestState(to)) {
      setRequest(state, q.id, { resolvedAt: q.resolvedAt ?? toIso(at), resolution: (q.resolution ?? resolutionOfState(to)) as QueuedVerification["resolution"] })
    }
    return step
  }
  const tokens = new Map(Object.entries(seed.accessTokens ?? {}))
  const lineageOf = (connectionId: string): Lineage | undefined => {
    const root = state.owners.get(connectionId)
    return root === undefined ? undefined : state.lineages.get(root)
  }
  return {
    loadSnapshot: (caseId) => snapshotOf(state, caseId),
    reserve: (input) => Effect.flatMap(Clock.currentTimeMillis, (now) => reserveNow(state, policy, input, now)),
    transitionAttempt: (attemptId, to, patch = {}) => Effect.flatMap(Clock.currentTimeMillis, (now) =>
      updateAttempt(state, attemptId, (attempt) => transitionedAttempt(attempt, to, patch, now))),
    recordOutcome: (attemptId, connectionId, status, at) =>
      updateAttempt(state, attemptId, (attempt) => attemptWithOutcome(attempt, connectionId, status, at)),
    findAttemptByOrderId: (orderId) => Effect.sync(() => {
      for (const attempt of [...state.ledgers.values()].flat()) {
        const caseId = attempt.orderId === orderId ? caseOfAttempt(state, attempt) : undefined
        if (caseId !== undefined) return { caseId, attempt }
      }
      return null
    }),
    appendOrder: (rootOrderId, order: LineageOrder) => Effect.gen(function*() {
      const lineage = state.lineages.get(rootOrderId)
      if (lineage === undefined) return yield* storeError("appendOrder", `no lineage with root order ${rootOrderId}`)
      // Idempotent: the same refresh order reported twice (webhook and poll) is appended once.
      if (lineage.orders.some((o) => o.id === order.id)) return
      // An order reported without its parent hangs off the chain's newest order (as the SQL store does).
      const appended = { ...order, parentId: order.parentId ?? lineage.orders.at(-1)!.id }
      state.lineages.set(rootOrderId, { ...lineage, orders: [...lineage.orders, appended] })
    }),
    updateConnection: (connectionId, patch) => Effect.gen(function*() {
      const lineage = lineageOf(connectionId)
      if (lineage === undefined) return yield* storeError("updateConnection", `no connection ${connectionId}`)
      state.lineages.set(lineage.rootOrderId, {
        ...lineage,
        connections: lineage.connections.map((c) => c.id !== connectionId ? c : {
          ...c,
          ...newerStatus(c, patch),
          ...(patch.authenticatedAt !== undefined ? { authenticatedAt: patch.authenticatedAt } : {})
        })
      })
    }),
    connectionDeleted: (connectionId, at) => Effect.sync(() => {
      const lineage = lineageOf(connectionId)
      const c = lineage?.connections.find((x) => x.id === connectionId)
      if (lineage === undefined || c === undefined) return null
      const first = c.deletedAt ?? null
      if (first === null) {
        state.lineages.set(lineage.rootOrderId, { ...lineage, connections: lineage.connections.map((x) => x.id !== connectionId ? x : { ...x, deletedAt: at }) })
      }
      tokens.delete(connectionId)
      const openCases = [...state.cases.values()].filter((k) => k.rootOrderId === lineage.rootOrderId).map((k) => k.id).sort()
      return { connectionId, deletedAt: first ?? at, alreadyDeleted: first !== null, openCases }
    }),
    accessToken: (connectionId) => Effect.suspend(() => {
      const token = tokens.get(connectionId)
      return token === undefined
        ? Effect.fail(storeError("accessToken", `no access token for connection ${connectionId}`))
        : Effect.succeed(Redacted.make(token))
    }),
    enqueueVerification: (request) => Effect.map(Clock.currentTimeMillis, (now) => {
      const same = (q: VerificationRequest) => q.attemptId === request.attemptId && q.kind === request.kind &&
        q.connectionIds.length === request.connectionIds.length && q.connectionIds.every((id, i) => id === request.connectionIds[i])
      if (request.attemptId != null && state.verificationQueue.some(same)) return
      const q: QueuedVerification = { ...request, id: state.nextVerification++, resolvedAt: null, resolution: null }
      state.verificationQueue.push(q)
      lifecycles.created(q, Date.parse(request.createdAt), "queued", "queued with Truv's answer", now)
    }),
    verificationsForAttempt: (attemptId) => Effect.sync(() => state.verificationQueue.filter((q) => q.attemptId === attemptId)),
    claimVerifications: (input) => Effect.map(Clock.currentTimeMillis, (now) => {
      const seen = {
        open: openOf(state, input.caseId),
        forAttempt: input.attemptId === null ? [] : state.verificationQueue.filter((q) => q.attemptId === input.attemptId),
        caseVerifiedAt: state.cases.get(input.caseId)?.lastVerifiedAt ?? null
      }
      const claimed = input.plan(seen).map((intent) => {
        const id = state.nextVerification++
        const request: QueuedVerification = {
          ...intent, attemptId: input.attemptId, bridgeToken: null, shareUrl: null, orderId: null, id, resolvedAt: null, resolution: null,
          requestKey: `rq-${id}`, state: "intent", sentAt: null, leaseUntil: toIso(now + input.leaseMs)
        }
        state.verificationQueue.push(request)
        lifecycles.created(request, now, "intent stored before asking Truv")
        const claim = `claim-${id}-${state.nextClaim++}`
        state.claims.set(id, claim)
        return { request, claim }
      })
      return { seen, claimed }
    }),
    takeOverVerification: (id, leaseMs) => Effect.map(Clock.currentTimeMillis, (now) => {
      const q = state.verificationQueue.find((r) => r.id === id)
      if (q?.state !== "intent" || q.resolvedAt !== null || (q.leaseUntil != null && Date.parse(q.leaseUntil) > now)) return null
      const claim = `claim-${id}-${state.nextClaim++}`
      state.claims.set(id, claim)
      return { request: setRequest(state, id, { leaseUntil: toIso(now + leaseMs) }), claim }
    }),
    markVerificationSent: (id, claim, leaseMs) => Effect.map(Clock.currentTimeMillis, (now) => {
      const q = state.verificationQueue.find((r) => r.id === id)
      if (q?.state !== "intent" || state.claims.get(id) !== claim) return false
      setRequest(state, id, { sentAt: toIso(now), createdAt: toIso(now), leaseUntil: toIso(now + leaseMs) })
      return true
    }),
    settleVerification: (id, settlement) => Effect.map(Clock.currentTimeMillis, (now) => {
      const i = state.verificationQueue.findIndex((r) => r.id === id)
      const q = state.verificationQueue[i]
      if (q?.state !== "intent") return false
      switch (settlement.outcome) {
        case "created":
          stepRequest(setRequest(state, id, { state: "created", createdAt: toIso(now), leaseUntil: null, bridgeToken: settlement.bridgeToken, shareUrl: settlement.shareUrl, orderId: settlement.orderId }),
            "sent", q.kind === "new-order" ? "Truv created the order" : "Truv created the Bridge token", now)
          return true
        case "unknown":
          stepRequest(setRequest(state, id, { state: "unknown", createdAt: toIso(now), leaseUntil: null }), "sent", "Truv's answer was lost: the token may exist", now)
          return true
        case "released":
          if (state.claims.get(id) !== settlement.claim) return false
          setRequest(state, id, { leaseUntil: toIso(now) })
          return true
        case "forgotten":
          if (state.claims.get(id) !== settlement.claim) return false
          state.verificationQueue.splice(i, 1)
          lifecycles.forget(id)
          return true
      }
    }),
    openVerificationsForCase: (caseId) => Effect.sync(() => openOf(state, caseId)),
    resolveVerification: (id, resolution = "handled") => Effect.map(Clock.currentTimeMillis, (now) => {
      const i = state.verificationQueue.findIndex((q) => q.id === id)
      const q = state.verificationQueue[i]
      if (q === undefined || q.resolvedAt !== null) return false
      const next = setRequest(state, id, { resolvedAt: toIso(now), resolution })
      lifecycles.step(next, resolution === "handled" ? "completed" : "superseded", resolution === "handled" ? "handled" : "superseded by the scheduler", now)
      return true
    }),
    transitionRequest: (requestId, to, reason, at) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const q = state.verificationQueue.find((r) => r.id === requestId)
      if (q === undefined) return yield* new RequestNotFound({ requestId })
      const step = stepRequest(q, to, reason, at === undefined ? now : Date.parse(at))
      if (step instanceof IllegalRequestTransition) return yield* step
      const request = lifecycles.lifecycle(q)
      return step._tag === "applied" ? { _tag: "applied" as const, request } : { _tag: "unchanged" as const, request }
    }),
    escalateWithoutAsking: (r, why) => Effect.map(Clock.currentTimeMillis, (now) => {
      const all = state.verificationQueue.filter((o) => o.caseId === r.caseId && lifecycles.has(o.id)).map((o) => lifecycles.lifecycle(o))
      if (escalatedInCycle(all, state.cases.get(r.caseId)?.lastVerifiedAt ?? null)) return false
      const id = state.nextVerification++
      const request: QueuedVerification = {
        ...r, attemptId: null, bridgeToken: null, shareUrl: null, orderId: null, id, resolvedAt: null, resolution: null
      }
      state.verificationQueue.push(request)
      lifecycles.created(request, now, "no request made: the client cannot be reached")
      stepRequest(request, "escalated", why, now)
      return true
    }),
    expireRequest: (requestId) => Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const q = state.verificationQueue.find((r) => r.id === requestId)
      if (q === undefined || !lifecycles.has(requestId)) return yield* new RequestNotFound({ requestId })
      const all = state.verificationQueue.filter((o) => o.caseId === q.caseId && lifecycles.has(o.id)).map((o) => lifecycles.lifecycle(o))
      const plan = planExpiry(lifecycles.lifecycle(q), all, state.cases.get(q.caseId)?.lastVerifiedAt ?? null, now, requestPolicyOf(policy))
      if (!("to" in plan)) return plan
      stepRequest(q, plan.to, plan.reason, now)
      return plan.to === "expired" ? { _tag: "expired" as const, replace: plan.replace, reason: plan.reason } : { _tag: "escalated" as const, reason: plan.reason }
    }),
    dueRequests: (limit) => Effect.map(Clock.currentTimeMillis, (now) => lifecycles.due(state.verificationQueue, now, limit)),
    caseRequests: (caseId) => Effect.sync(() => state.verificationQueue
      .filter((q) => q.caseId === caseId && lifecycles.has(q.id))
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id)
      .map((q) => lifecycles.lifecycle(q))),
    saveResult: (result) => Effect.sync(() => {
      const i = state.results.findIndex((r) => r.caseId === result.caseId && r.orderId === result.orderId)
      if (i >= 0) state.results[i] = result
      else state.results.push(result)
    }),
    saveVerification: (verification) => Effect.sync(() => {
      if (state.verifications.some((v) => v.caseId === verification.caseId && v.orderId === verification.orderId)) return false
      state.verifications.push(verification)
      return true
    }),
    latestVerification: (caseId) => Effect.sync(() => verificationsOf(state, caseId).at(-1) ?? null),
    listVerifications: (caseId) => Effect.sync(() => verificationsOf(state, caseId)),
    importedBaseline: (caseId) => Effect.sync(() => state.baselines.get(caseId) ?? null),
    caseContact: (caseId) => Effect.sync(() => {
      const contact = state.contacts.get(caseId)
      return contact === undefined ? null : Redacted.make(contact)
    }),
    unresolvedAttempts: (before) => Effect.sync(() => {
      const limit = Date.parse(before)
      const out: Array<{ readonly caseId: string; readonly attempt: Attempt }> = []
      for (const attempt of [...state.ledgers.values()].flat()) {
        const caseId = caseOfAttempt(state, attempt)
        if (caseId !== undefined && isInFlight(attempt.status) && Date.parse(attempt.at) < limit) out.push({ caseId, attempt })
      }
      return out.sort((a, b) => byLedgerOrder(a.attempt, b.attempt))
    }),
    snapshotState: () => ({
      cases: [...state.cases.values()],
      lineages: [...state.lineages.values()],
      attempts: [...state.ledgers.values()].flat(),
      ledgers: Object.fromEntries([...state.ledgers].map(([root, ledger]) => [root, [...ledger]])),
      decisions: [...state.decisions],
      verificationQueue: [...state.verificationQueue],
      results: [...state.results],
      verifications: [...state.verifications]
    })
  }
}

/**
 * The in-memory store as a service of its own, so a test that builds its program from Layers
 * can still read the state back.
 *
 * @example
 * const layer = InMemoryRenewalStore.layer({ cases, lineages })
 * const state = await Effect.runPromise(Effect.gen(function*() {
 *   yield* (yield* RenewalStore).reserve({ caseId: "case-17", product: null })
 *   return (yield* InMemoryRenewalStore).snapshotState()
 * }).pipe(Effect.provide(Layer.merge(layer, TestClock.layer()))))
 */
export class InMemoryRenewalStore extends Context.Service<InMemoryRenewalStore, InMemoryRenewalStoreImpl>()("@recert/core/InMemoryRenewalStore") {
  /** Provides both `RenewalStore` and `InMemoryRenewalStore` (the same instance). */
  static layer(seed: InMemoryStoreSeed, config?: PolicyConfigInput | PolicyConfig): Layer.Layer<RenewalStore | InMemoryRenewalStore> {
    return Layer.effectContext(Effect.sync(() => {
      const store = makeInMemoryRenewalStore(seed, config)
      return Context.make(RenewalStore, store).pipe(Context.add(InMemoryRenewalStore, store))
    }))
  }
}
