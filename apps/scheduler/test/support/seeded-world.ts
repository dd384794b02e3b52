/**
 * A world for the process tests: a database seeded with `counts` cases per demo scenario, the
 * sandbox on the real clock (the processes read it), and the environment a `recert-scheduler`
 * process needs to reach both.
 */
import { Effect, Redacted } from "effect"
import { SCENARIOS } from "../../src/demo/scenarios.js"
import { type SeededCase, seedDemo } from "../../src/demo/seed.js"
import { getStore, openWorld, type TestDatabase, type World } from "./world.js"

export interface SeededProcessWorld {
  readonly db: TestDatabase
  readonly world: World
  readonly cases: ReadonlyArray<SeededCase>
  readonly env: Record<string, string>
}

/** Seeds `counts` cases per demo scenario into `world`'s store, at `now`. */
export const seedScenarios = (world: World, counts: Readonly<Record<string, number>>, now: number): Promise<Array<SeededCase>> => {
  const scenarios = SCENARIOS.filter((s) => counts[s.name] !== undefined).map((s) => ({ ...s, count: counts[s.name]! }))
  return world.store.run(Effect.gen(function*() {
    return yield* seedDemo(yield* getStore, world.sandbox, { now, scenarios })
  }))
}

/** Seeds `db`; `cleanups` receive the database's and the world's (run them in reverse). */
export const seededProcessWorld = async (
  db: TestDatabase, counts: Readonly<Record<string, number>>, cleanups: Array<() => Promise<void>>, faults: Record<string, number> = {}
): Promise<SeededProcessWorld> => {
  cleanups.push(db.cleanup)
  const world = await openWorld({ db, seed: 11, clock: "real", start: Date.now(), faults })
  cleanups.push(world.close)
  const cases = await seedScenarios(world, counts, world.sandbox.clock.now())
  const env = {
    TRUV_BASE_URL: world.sandbox.url, TRUV_CLIENT_ID: world.sandbox.clientId, TRUV_SECRET: Redacted.value(world.secret),
    TRUV_MAX_REQUESTS_PER_MINUTE: "1000000", RECERT_ENCRYPTION_KEY: Redacted.value(world.encryptionKey), DATABASE_URL: db.url
  }
  return { db, world, cases, env }
}
