/**
 * Seeds the demo (and the end-to-end tests): each scenario's lineages in the sandbox (what Truv
 * knows) and in the store (what Recert knows), plus their cases and, for the rate-window
 * scenario, refreshes already in the ledger, written through the store's own `reserve` at
 * instants in the past so they are exactly what the scheduler would have recorded.
 */
import { type AttemptNotFound, type CaseContact, type CaseInput, type Product, type CaseNotFound, type IllegalTransition, type InvalidInput, RenewalStore, type StoreError } from "@recert/core"
import type { BulkItem, Store } from "@recert/store"
import type { SeededLineage } from "@recert/truv-sandbox"
import { Clock, Effect, Redacted } from "effect"
import { type Scenario, SCENARIOS, toStoreLineage } from "./scenarios.js"

const DAY = 86_400_000

/** A clock standing still at `ms` (to write history at a past instant). */
export const fixedClock = (ms: number): Clock.Clock => ({
  currentTimeMillisUnsafe: () => ms,
  currentTimeMillis: Effect.succeed(ms),
  currentTimeNanosUnsafe: () => BigInt(ms) * 1_000_000n,
  currentTimeNanos: Effect.succeed(BigInt(ms) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => BigInt(ms) * 1_000_000n,
  monotonicTimeNanos: Effect.succeed(BigInt(ms) * 1_000_000n),
  sleep: () => Effect.void
})

export interface SeededCase {
  readonly caseId: string
  readonly scenario: Scenario
  readonly rootOrderId: string
  /** When the lineage's first order was made (the sandbox completed it then). */
  readonly createdAt: string
  /** The product the case is renewed for. */
  readonly product: Product
  readonly linkIds: ReadonlyArray<string>
}

const FIRST_NAMES = ["Ana", "Zoë", "Kwame", "Mei", "Ólafur", "Priya", "José", "Aoife"]
const LAST_NAMES = ["Okafor", "Ñúñez", "Lindqvist", "Nguyễn", "O'Brien", "Haddad", "Kowalski", "Tanaka"]

/**
 * A demo client for the i-th case: a name in several scripts, an address at example.org (reserved,
 * RFC 2606: nobody receives it), the case id as the external user id. Truv sends the link there
 * (the default reach mode); the sandbox sends nothing real.
 */
export const demoContact = (caseId: string, i: number): CaseContact => ({
  firstName: FIRST_NAMES[i % FIRST_NAMES.length]!, lastName: LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]!,
  email: `${caseId}@example.org`, phone: null, externalUserId: caseId
})

/**
 * Where lineages are created on Truv's side: the in-process `TruvSandbox`, or a sandbox in
 * another process through its admin API (`POST /_sandbox/lineages`).
 */
export interface LineageSeeder {
  readonly seedLineage: (spec: ReturnType<Scenario["seed"]>) => SeededLineage | PromiseLike<SeededLineage>
}

export interface SeedOptions {
  /** Multiplies every scenario's count (rounded up, at least 1). Default 1 (about 1000 cases). */
  readonly scale?: number
  readonly scenarios?: ReadonlyArray<Scenario>
  readonly now: number
}

/** Deterministic due dates: spread over the next 25 days. */
const dueAt = (now: number, i: number) => new Date(now + (1 + (i * 7) % 25) * DAY).toISOString()

export const seedDemo = (store: Store["Service"], sandbox: LineageSeeder, options: SeedOptions): Effect.Effect<Array<SeededCase>, StoreError | InvalidInput | CaseNotFound | AttemptNotFound | IllegalTransition, RenewalStore> =>
  Effect.gen(function*() {
    const { now } = options
    const seeded: Array<SeededCase> = []
    const items: Array<BulkItem> = []
    const histories: Array<{ caseId: string; hours: ReadonlyArray<number>; linkIds: ReadonlyArray<string> }> = []
    for (const scenario of options.scenarios ?? SCENARIOS) {
      const count = Math.max(1, Math.ceil(scenario.count * (options.scale ?? 1)))
      for (let i = 0; i < count; i++) {
        const caseId = `case-${scenario.name}-${String(i + 1).padStart(4, "0")}`
        const lineage = yield* Effect.promise(async () => sandbox.seedLineage(scenario.seed(now)))
        const kase: CaseInput = {
          id: caseId, dueAt: dueAt(now, i), cycle: scenario.cycle ?? "annual", rootOrderId: lineage.orderId,
          product: scenario.name === "employment-order" ? "employment" : null,
          lastVerifiedAt: scenario.verifiedDaysAgo === undefined ? null : new Date(now - scenario.verifiedDaysAgo * DAY).toISOString()
        }
        items.push({
          lineage: toStoreLineage(lineage, scenario.known),
          accessTokens: Object.fromEntries(lineage.connections.map((c) => [c.linkId, Redacted.make(c.accessToken)])),
          cases: [kase],
          contacts: { [caseId]: demoContact(caseId, seeded.length) }
        })
        const linkIds = lineage.connections.map((c) => c.linkId)
        seeded.push({ caseId, scenario, rootOrderId: lineage.orderId, createdAt: lineage.createdAt, product: kase.product ?? lineage.orderType, linkIds })
        if (scenario.history !== undefined) histories.push({ caseId, hours: scenario.history, linkIds })
      }
    }
    for (let i = 0; i < items.length; i += 200) yield* store.insertBulk(items.slice(i, i + 200))
    const renewal = yield* RenewalStore
    for (const h of histories) {
      for (const hours of h.hours) {
        const at = now - hours * 3_600_000
        const { attempt } = yield* renewal.reserve({ caseId: h.caseId, product: null }).pipe(Effect.provideService(Clock.Clock, fixedClock(at)))
        if (attempt === null) continue
        const orderId = `history-${h.caseId}-${hours}h`
        yield* renewal.transitionAttempt(attempt.id, "sent", { orderId })
        for (const link of attempt.connectionIds) {
          yield* renewal.recordOutcome(attempt.id, link, "done", new Date(at + 60_000).toISOString())
        }
        // History, not a refresh of this run: nothing to follow up (no report to fetch, no reschedule).
        yield* store.markFollowedUp(attempt.id)
      }
    }
    return seeded
  })
