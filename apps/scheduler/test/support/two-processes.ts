/**
 * Two `serve` processes on one SQLite file, in one test: the world's store and another opened on
 * the same database (one writer each), each call wrapped as the runner wraps it (`countingStore`)
 * with the process's own `RunStats`. Seeds one several-employers case (two links).
 */
import { RenewalStore } from "@recert/core"
import type { Store } from "@recert/store"
import { Effect } from "effect"
import type { SeededCase } from "../../src/demo/seed.js"
import { countingStore, type RunStats } from "../../src/runner/run-stats.js"
import { seedScenarios } from "./seeded-world.js"
import { NOW, type Opened, openLayer, openWorld, sqliteDatabase, storeLayer, type TestDatabase, type World } from "./world.js"

export interface TwoProcesses {
  readonly db: TestDatabase
  readonly world: World
  readonly other: Opened<Store | RenewalStore>
  readonly seeded: SeededCase
  readonly close: () => Promise<void>
}

export const openTwoProcesses = async (seed: number): Promise<TwoProcesses> => {
  const db = sqliteDatabase()
  const world = await openWorld({ db, seed })
  const other = await openLayer(storeLayer(db, world.encryptionKey), world.clock)
  const [seeded] = await seedScenarios(world, { "several-employers": 1 }, NOW)
  return {
    db, world, other, seeded: seeded!,
    close: async () => {
      await other.close()
      await world.close()
      await db.cleanup()
    }
  }
}

/** Runs `f` on `opened`'s renewal store as that process's runner would: its calls counted in `stats`. */
export const inProcess = <A, E>(opened: Opened<Store | RenewalStore>, stats: RunStats, f: (s: RenewalStore["Service"]) => Effect.Effect<A, E>) =>
  opened.run(Effect.flatMap(Effect.service(RenewalStore), (s) => f(countingStore(s, stats))))
