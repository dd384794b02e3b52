/**
 * An in-memory `RenewalStore` for tests and demos: plain maps behind the port, so the whole
 * renewal workflow (plan, reserve, call Truv, record, follow webhooks) runs without a database.
 * Every operation runs synchronously once it has read the Clock, so on one JS thread it is as
 * atomic as the real store's transaction: two fibers can never both pass `reserve`'s re-check
 * for the same connection. `snapshotState()` reads everything back for assertions.
 */
import { Clock, Context, Effect, Layer, Redacted } from "effect"
import { decideAt } from "../engine/decide.js"
import { parsePolicyConfig, parseWith } from "../engine/validate.js"
import { toIso } from "../engine/time.js"
import { Attempt, type AttemptInput, type AttemptStatus, canTransition, isInFlight } from "../model/attempt.js"
import { Case, type CaseInput } from "../model/case.js"
import type { Decision } from "../model/decision.js"
import { Lineage, type LineageInput, type LineageOrder } from "../model/lineage.js"
import { DEFAULT_POLICY_CONFIG, type PolicyConfig, type PolicyConfigInput } from "../model/policy-config.js"
import { TERMINAL_STATUSES, type TaskStatus } from "../model/primitives.js"
import { renewalNotNeeded } from "../planner/plan.js"
import {
  type AttemptPatch, AttemptNotFound, type CaseResult, type CaseSnapshot, CaseNotFound, IllegalTransition, type QueuedVerification,
  RenewalStore, type Reservation, StoreError, type VerificationRequest
} from "./renewal-store.js"

/** What the store starts with. Ledger attempts are filed under the lineage owning their first connection. */
export interface InMemoryStoreSeed {
  readonly cases: ReadonlyArray<CaseInput>
  readonly lineages: ReadonlyArray<LineageInput>
  readonly ledger?: ReadonlyArray<AttemptInput>
  /** Plain access tokens by connection id (the real store keeps them encrypted). */
  readonly accessTokens?: Readonly<Record<string, string>>
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
  readonly decisions: Array<RecordedDecision>
  readonly verificationQueue: Array<QueuedVerification>
  readonly results: Array<CaseResult>
  nextAttempt: number
}

const storeError = (operation: string, message: string) => new StoreError({ operation, message })

const seedState = (seed: InMemoryStoreSeed): Mutable => {
  const state: Mutable = {
    cases: new Map(), lineages: new Map(), owners: new Map(), ledgers: new Map(), attemptOwners: new Map(),
    decisions: [], verificationQueue: [], results: [], nextAttempt: 1
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
  ;(seed.ledger ?? []).forEach((raw, i) => {
    const attempt = parseWith(Attempt, `seed attempt [${i}]`, raw)
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

const applyPatch = (attempt: Attempt, to: AttemptStatus, patch: AttemptPatch): Attempt => ({
  ...attempt,
  status: to,
  ...(patch.orderId !== undefined ? { orderId: patch.orderId } : {}),
  ...(patch.rejection !== undefined ? { rejection: patch.rejection } : {}),
  ...(patch.resolvedAt !== undefined ? { resolvedAt: patch.resolvedAt } : {}),
  ...(patch.gseFree !== undefined ? { gseFree: patch.gseFree } : {})
})

/** Updates a connection's last status unless a newer one is already known (webhooks arrive out of order). */
const noteStatus = (state: Mutable, connectionId: string, status: TaskStatus, at: string): void => {
  const root = state.owners.get(connectionId)
  const lineage = root === undefined ? undefined : state.lineages.get(root)
  if (lineage === undefined) return
  state.lineages.set(lineage.rootOrderId, {
    ...lineage,
    connections: lineage.connections.map((c) =>
      c.id !== connectionId || (c.lastStatusAt !== null && Date.parse(c.lastStatusAt) > Date.parse(at))
        ? c
        : { ...c, lastTaskStatus: status, lastStatusAt: at })
  })
}

const reserveNow = (state: Mutable, config: PolicyConfig, input: { readonly caseId: string; readonly product: Attempt["product"] | null; readonly oncePerCycle?: boolean }, now: number) =>
  Effect.map(snapshotOf(state, input.caseId), (snapshot): Reservation => {
  const product = input.product ?? snapshot.case.product ?? snapshot.lineage.orderType
  const decision = decideAt({ lineage: snapshot.lineage, ledger: [...snapshot.ledger], request: { products: [product] } }, now, config)
  state.decisions.push({ caseId: input.caseId, decision })
  const notNeeded = renewalNotNeeded(snapshot.case, now, config, input.oncePerCycle === true ? snapshot.ledger : [])
  if (notNeeded !== null) return { decision, attempt: null, notNeeded }
  if (decision.verdict !== "refresh") return { decision, attempt: null }
  const attempt: Attempt = {
    id: `att-${state.nextAttempt++}`,
    at: toIso(now),
    product,
    connectionIds: decision.connections.filter((c) => c.verdict === "refresh").map((c) => c.connectionId),
    status: "reserved",
    orderId: null,
    rejection: null,
    outcomes: {},
    resolvedAt: null,
    gseFree: decision.cost.freeVerifications > 0
  }
  state.ledgers.get(snapshot.lineage.rootOrderId)!.push(attempt)
  state.attemptOwners.set(attempt.id, snapshot.lineage.rootOrderId)
  return { decision, attempt }
})

/**
 * The outcome of one connection. When the last connection resolves, the attempt becomes
 * `succeeded` (all `done`) or `failed`; an attempt still `reserved` (the webhook beat our own
 * `sent` record) goes through `sent`, the only legal path.
 */
const recordOutcomeNow = (state: Mutable, attemptId: string, connectionId: string, status: TaskStatus, at: string) =>
  Effect.gen(function*() {
  const attempt = findAttempt(state, attemptId)
  if (attempt === undefined) return yield* new AttemptNotFound({ attemptId })
  if (!attempt.connectionIds.includes(connectionId)) return yield* storeError("recordOutcome", `attempt ${attemptId} does not include connection ${connectionId}`)
  if (!TERMINAL_STATUSES.has(status)) return yield* storeError("recordOutcome", `${status} is not a final task status`)
  // Idempotent: a duplicate or late webhook for a resolved connection changes nothing.
  if (attempt.outcomes[connectionId] !== undefined) return attempt
  const outcomes = { ...attempt.outcomes, [connectionId]: status }
  const allResolved = attempt.connectionIds.every((id) => outcomes[id] !== undefined)
  const target: AttemptStatus = !allResolved ? attempt.status : Object.values(outcomes).every((s) => s === "done") ? "succeeded" : "failed"
  const legal = target === attempt.status ? attempt.status !== "rejected"
    : canTransition(attempt.status, target) || (canTransition(attempt.status, "sent") && canTransition("sent", target))
  if (!legal) return yield* new IllegalTransition({ attemptId, from: attempt.status, to: target })
  noteStatus(state, connectionId, status, at)
  const resolvedAt = attempt.resolvedAt !== null && Date.parse(attempt.resolvedAt) > Date.parse(at) ? attempt.resolvedAt : at
  return replaceAttempt(state, { ...attempt, status: target, outcomes, resolvedAt })
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
  const tokens = new Map(Object.entries(seed.accessTokens ?? {}))
  const lineageOf = (connectionId: string): Lineage | undefined => {
    const root = state.owners.get(connectionId)
    return root === undefined ? undefined : state.lineages.get(root)
  }
  return {
    loadSnapshot: (caseId) => snapshotOf(state, caseId),
    reserve: (input) => Effect.flatMap(Clock.currentTimeMillis, (now) => reserveNow(state, policy, input, now)),
    transitionAttempt: (attemptId, to, patch = {}) => Effect.gen(function*() {
      const attempt = findAttempt(state, attemptId)
      if (attempt === undefined) return yield* new AttemptNotFound({ attemptId })
      if (!canTransition(attempt.status, to)) return yield* new IllegalTransition({ attemptId, from: attempt.status, to })
      return replaceAttempt(state, applyPatch(attempt, to, patch))
    }),
    recordOutcome: (attemptId, connectionId, status, at) => recordOutcomeNow(state, attemptId, connectionId, status, at),
    findAttemptByOrderId: (orderId) => Effect.sync(() => {
      for (const [root, ledger] of state.ledgers) {
        const attempt = ledger.find((a) => a.orderId === orderId)
        if (attempt === undefined) continue
        const kase = [...state.cases.values()].find((c) => c.rootOrderId === root)
        if (kase !== undefined) return { caseId: kase.id, attempt }
      }
      return null
    }),
    appendOrder: (rootOrderId, order: LineageOrder) => Effect.gen(function*() {
      const lineage = state.lineages.get(rootOrderId)
      if (lineage === undefined) return yield* storeError("appendOrder", `no lineage ${rootOrderId}`)
      // Idempotent: the same refresh order reported twice (webhook and poll) is appended once.
      if (!lineage.orders.some((o) => o.id === order.id)) state.lineages.set(rootOrderId, { ...lineage, orders: [...lineage.orders, order] })
    }),
    updateConnection: (connectionId, patch) => Effect.gen(function*() {
      const lineage = lineageOf(connectionId)
      if (lineage === undefined) return yield* storeError("updateConnection", `no connection ${connectionId}`)
      state.lineages.set(lineage.rootOrderId, {
        ...lineage,
        connections: lineage.connections.map((c) => c.id !== connectionId ? c : {
          ...c,
          ...(patch.lastTaskStatus !== undefined ? { lastTaskStatus: patch.lastTaskStatus } : {}),
          ...(patch.lastStatusAt !== undefined ? { lastStatusAt: patch.lastStatusAt } : {}),
          ...(patch.authenticatedAt !== undefined ? { authenticatedAt: patch.authenticatedAt } : {})
        })
      })
    }),
    accessToken: (connectionId) => Effect.suspend(() => {
      const token = tokens.get(connectionId)
      return token === undefined
        ? Effect.fail(storeError("accessToken", `no access token for connection ${connectionId}`))
        : Effect.succeed(Redacted.make(token))
    }),
    enqueueVerification: (request) => Effect.sync(() => {
      const same = (q: VerificationRequest) => q.attemptId === request.attemptId && q.kind === request.kind &&
        q.connectionIds.length === request.connectionIds.length && q.connectionIds.every((id, i) => id === request.connectionIds[i])
      if (request.attemptId != null && state.verificationQueue.some(same)) return
      state.verificationQueue.push({ ...request, id: state.verificationQueue.length + 1, resolvedAt: null, resolution: null })
    }),
    verificationsForAttempt: (attemptId) => Effect.sync(() => state.verificationQueue.filter((q) => q.attemptId === attemptId)),
    openVerificationsForCase: (caseId) => Effect.sync(() => state.verificationQueue
      .filter((q) => q.caseId === caseId && q.resolvedAt === null)
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id)),
    resolveVerification: (id, resolution = "handled") => Effect.map(Clock.currentTimeMillis, (now) => {
      const i = state.verificationQueue.findIndex((q) => q.id === id)
      if (i < 0 || state.verificationQueue[i]!.resolvedAt !== null) return false
      state.verificationQueue[i] = { ...state.verificationQueue[i]!, resolvedAt: toIso(now), resolution }
      return true
    }),
    saveResult: (result) => Effect.sync(() => {
      const i = state.results.findIndex((r) => r.caseId === result.caseId && r.orderId === result.orderId)
      if (i >= 0) state.results[i] = result
      else state.results.push(result)
    }),
    unresolvedAttempts: (before) => Effect.sync(() => {
      const limit = Date.parse(before)
      const out: Array<{ readonly caseId: string; readonly attempt: Attempt }> = []
      for (const c of state.cases.values()) {
        for (const attempt of state.ledgers.get(c.rootOrderId) ?? []) {
          if (isInFlight(attempt.status) && Date.parse(attempt.at) < limit) out.push({ caseId: c.id, attempt })
        }
      }
      return out
    }),
    snapshotState: () => ({
      cases: [...state.cases.values()],
      lineages: [...state.lineages.values()],
      attempts: [...state.ledgers.values()].flat(),
      ledgers: Object.fromEntries([...state.ledgers].map(([root, ledger]) => [root, [...ledger]])),
      decisions: [...state.decisions],
      verificationQueue: [...state.verificationQueue],
      results: [...state.results]
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
