/**
 * One end-to-end world for the scheduler's tests and benchmark: the Truv sandbox in-process, a
 * store (SQLite temp file or a fresh Postgres schema), the webhook receiver, and the real run
 * pass talking to the sandbox through the adapter's HTTP gateway.
 *
 * Time: the scheduler reads the sandbox's clock (`sandboxClock`), so a manual sandbox clock is
 * the one source of "now" for both sides and every instant is exact; sleeps stay real (they only
 * pace the run loop). A pass under a frozen clock cannot end by its own quiet-time rule, so the
 * tests end it with `shouldStop` once every case is final and nothing is left to process.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ClientReach, Policy, type PolicyConfig, type ReachMode, type RenewalStore, type TruvGateway } from "@recert/core"
import { generateEncryptionKey, type JobInput, openDatabase, SqlStore, Store } from "@recert/store"
import { TruvHttpGateway } from "@recert/truv-adapter"
import { type SandboxFaultsInput, TruvSandbox } from "@recert/truv-sandbox"
import { Clock, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { afterEach } from "vitest"
import { type PassOptions, runPass } from "../../src/runner/pass.js"
import { RunStats } from "../../src/runner/run-stats.js"
import { startServer } from "../../src/http/server.js"
import { WEBHOOK_PATH } from "../../src/http/webhook-receiver.js"
import { clockOf } from "../../src/demo/following-days.js"

export const NOW = Date.parse("2026-11-22T10:00:00.000Z")
export const DAY = 86_400_000
export const iso = (ms: number): string => new Date(ms).toISOString()

export const POSTGRES_URL = process.env["DATABASE_URL"] !== undefined && /^postgres/.test(process.env["DATABASE_URL"])
  ? process.env["DATABASE_URL"] : "postgres://postgres@127.0.0.1:5432/test"

/** Effect's Clock reading `now()` (the sandbox's clock), sleeping in real time (the demo's own). */
export const clockFrom = clockOf

/** The `Store` service itself (to hand to the receiver, or to wrap). */
export const getStore = Effect.gen(function*() {
  return yield* Store
})

export const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Where a world's store lives. */
export interface TestDatabase {
  readonly url: string
  readonly schema?: string
  readonly cleanup: () => Promise<void>
}

export const sqliteDatabase = (parent = tmpdir()): TestDatabase => {
  const dir = mkdtempSync(join(parent, "recert-scheduler-"))
  return { url: join(dir, "recert.sqlite"), cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
}

/** Null when Postgres answers, else why not (bounded: 5 s). */
export const postgresUnavailable = async (): Promise<string | null> => {
  const { db } = openDatabase(POSTGRES_URL, { poolSize: 1 })
  try {
    await Promise.race([
      db.selectNoFrom((eb) => eb.val(1).as("one")).execute(),
      sleepMs(5000).then(() => { throw new Error("no answer in 5 s") })
    ])
    return null
  } catch (e) {
    return `Postgres at ${POSTGRES_URL} unreachable: ${e instanceof Error ? e.message : String(e)}`
  } finally {
    await db.destroy().catch(() => undefined)
  }
}

/** A fresh schema on the shared server (other engineers use it too), dropped by `cleanup`. */
export const postgresDatabase = (url = POSTGRES_URL): TestDatabase => {
  const schema = `recert_sched_${randomBytes(5).toString("hex")}`
  return {
    url, schema,
    cleanup: async () => {
      const { db } = openDatabase(POSTGRES_URL, { poolSize: 1 })
      try {
        await db.schema.dropSchema(schema).ifExists().cascade().execute()
      } finally {
        await db.destroy()
      }
    }
  }
}

export const storeLayer = (db: TestDatabase, encryptionKey: Redacted.Redacted<string>, poolSize?: number, policy?: PolicyConfig): Layer.Layer<Store | RenewalStore, unknown> =>
  SqlStore.layer({
    url: db.url, encryptionKey, ...(db.schema === undefined ? {} : { schema: db.schema }), ...(poolSize === undefined ? {} : { poolSize }),
    ...(policy === undefined ? {} : { policy })
  })

/** A scoped resource kept open across `await`s (a layer built once, used by many runs). */
export interface Opened<R> {
  readonly run: <A, E>(e: Effect.Effect<A, E, R>) => Promise<A>
  readonly close: () => Promise<void>
}

export const openLayer = async <R>(layer: Layer.Layer<R, unknown>, clock: Clock.Clock): Promise<Opened<R>> => {
  const scope = Scope.makeUnsafe()
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope).pipe(Effect.provideService(Clock.Clock, clock)))
  return {
    run: (e) => Effect.runPromise(e.pipe(Effect.provideContext(context), Effect.provideService(Clock.Clock, clock))),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

export interface World {
  readonly sandbox: TruvSandbox
  readonly secret: Redacted.Redacted<string>
  readonly clock: Clock.Clock
  readonly encryptionKey: Redacted.Redacted<string>
  readonly store: Opened<Store | RenewalStore>
  /** Every `webhook_id` the receiver stored (duplicates once). */
  readonly inbox: Set<string>
  readonly stats: RunStats
  readonly gateway: Layer.Layer<TruvGateway>
  /** Every job the passes enqueued (with its key and `runAt`), in order. */
  readonly jobs: Array<JobInput>
  /** Runs one pass in this process (on `store`, default the world's) until `shouldStop` or the pass ends. */
  readonly pass: (options: Partial<PassOptions> & { readonly stats?: RunStats; readonly store?: Opened<Store | RenewalStore> }) => Promise<void>
  readonly close: () => Promise<void>
}

export interface WorldOptions {
  readonly db: TestDatabase
  readonly seed?: number
  /** Manual sandbox clock at `NOW` (default) or real time. */
  readonly clock?: "manual" | "real"
  /** The sandbox clock's start (default `NOW`); worker processes read the real clock: pass `Date.now()`. */
  readonly start?: number
  readonly faults?: SandboxFaultsInput
  readonly receiver?: boolean
  readonly poolSize?: number
  /**
   * How clients are reached (issue 16). Default `bridge`: the Bridge-first behaviour these tests
   * were written for; `client-reach.test.ts` runs the others against the sandbox.
   */
  readonly reach?: ReachMode
  /** The policy every pass and the store's `reserve` decide with (default: core's `DEFAULT_POLICY_CONFIG`). */
  readonly policy?: PolicyConfig
}

/**
 * One world and its database per test, closed and removed after each: call at the top of a
 * describe or file, then `open(options)` in a test (the database is `options.db`).
 */
export const worldPerTest = () => {
  let opened: { readonly db: TestDatabase; readonly world: World } | undefined
  afterEach(async () => {
    const o = opened
    opened = undefined
    await o?.world.close()
    await o?.db.cleanup()
  })
  return {
    open: async (options: WorldOptions): Promise<World> => {
      const world = await openWorld(options)
      opened = { db: options.db, world }
      return world
    },
    /** The database of the world open now. */
    db: (): TestDatabase => opened!.db
  }
}

export const openWorld = async (options: WorldOptions): Promise<World> => {
  const secret = Redacted.make(`sandbox-${randomBytes(12).toString("hex")}`)
  const sandbox = await TruvSandbox.start({
    secret: Redacted.value(secret), seed: options.seed ?? 1,
    clock: { mode: options.clock ?? "manual", start: options.start ?? NOW },
    // The sandbox's 300/min per secret is real time; the tests exercise other faults.
    faults: { rateLimitPerMinute: 1_000_000, completionDelayMs: 5, webhookDelayMs: 5, ...options.faults }
  })
  const clock = clockFrom(() => sandbox.clock.now())
  const key = generateEncryptionKey()
  // Every program the world runs reaches clients as `options.reach` says (default `bridge`, see WorldOptions).
  const store = await openLayer(Layer.merge(storeLayer(options.db, key, options.poolSize, options.policy), Layer.succeed(ClientReach, options.reach ?? "bridge")), clock)
  const stats = new RunStats()
  const inbox = new Set<string>()
  let closeReceiver = async () => {}
  if (options.receiver !== false) {
    const scope = Scope.makeUnsafe()
    const s = await store.run(getStore)
    const recorded: Store["Service"] = {
      ...s, insertWebhookEvent: (event) => Effect.tap(s.insertWebhookEvent(event), () => Effect.sync(() => void inbox.add(event.webhookId)))
    }
    // The receiver stamps `receivedAt` with the world's clock, as the pass reads it.
    const receiver = await Effect.runPromise(Scope.provide(scope)(startServer({ port: 0, secret, store: recorded, stats: () => stats })).pipe(Effect.provideService(Clock.Clock, clock)))
    sandbox.configureFaults({ webhookUrl: `${receiver.url}${WEBHOOK_PATH}` })
    closeReceiver = () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
  const gateway = TruvHttpGateway.layer({
    baseUrl: sandbox.url, clientId: sandbox.clientId, secret, maxRequestsPerMinute: 1_000_000,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 }
  }) as Layer.Layer<TruvGateway>
  const jobs: Array<JobInput> = []
  // The pass's store, recording what it enqueues (renewals at an instant are observable here).
  const recording = Effect.map(getStore, (s): Store["Service"] => ({
    ...s, enqueueJobs: (input) => Effect.andThen(Effect.sync(() => void jobs.push(...input)), s.enqueueJobs(input)),
    // A follow-up's retry is enqueued with its mark, in one write.
    markFollowedUp: (attemptId, then = []) => Effect.andThen(Effect.sync(() => void jobs.push(...then)), s.markFollowedUp(attemptId, then))
  }))
  const pass: World["pass"] = (o) =>
    (o.store ?? store).run(runPass({ workerId: `w-${randomBytes(3).toString("hex")}`, concurrency: 8, pollAfterMs: 200, ...o }, o.stats ?? stats).pipe(
      Effect.provide(gateway),
      Effect.provideServiceEffect(Store, recording),
      (e) => (options.policy === undefined ? e : Effect.provideService(e, Policy, options.policy))
    ))
  return {
    sandbox, secret, clock, encryptionKey: key, store, inbox, stats, gateway, jobs, pass,
    close: async () => {
      await closeReceiver()
      await sandbox.close()
      await store.close()
    }
  }
}

/**
 * Polls (real time, bounded) until `done()`; then the sandbox has nothing in flight and the
 * inbox nothing pending. Returns false on timeout.
 */
export const settle = async (world: World, done: () => boolean, timeoutMs = 60_000): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (done()) {
      await world.sandbox.idle()
      const pending = await world.store.run(Effect.flatMap(getStore, (s) => s.pendingWebhookEvents(1)))
      if (pending.length === 0 && done()) return true
    }
    await sleepMs(20)
  }
  return false
}
