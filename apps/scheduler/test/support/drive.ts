/** Driving an Effect under `TestClock` when it waits on real I/O (a SQLite store) between its sleeps, and reading what it wrote. */
import { openDatabase, type OpenedDatabase } from "@recert/store"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"

/** Runs `e` in a fork and moves `TestClock` 10 ms at a time (letting the store's I/O settle between steps) until it ends. */
export const drive = <A, E, R>(e: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(e)
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) {
      for (let k = 0; k < 3; k++) yield* Effect.promise(() => new Promise<void>((r) => setImmediate(r)))
      yield* TestClock.adjust("10 millis")
    }
    return yield* Fiber.join(fiber)
  })

/** Reads the test's database file directly (what the store wrote), closing it after. */
export const readDatabase = async <T>(url: string, read: (db: OpenedDatabase["db"]) => Promise<T>): Promise<T> => {
  const { db } = openDatabase(url)
  try {
    return await read(db)
  } finally {
    await db.destroy()
  }
}
