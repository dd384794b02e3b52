/**
 * A reservation worker in its own process, for the concurrency and crash tests.
 * Env: URL, SCHEMA (Postgres), NOW (epoch ms), CASES (comma separated), ITERATIONS, MODE:
 * - `loop`: reserve each case ITERATIONS times; every reserved attempt is sent and completed
 *   (so the in-flight rule lets the next reserver through); prints `{"reserved":n}`.
 * - `crash-inside`: reserve; inside the transaction (after the insert, before commit) print
 *   INSIDE and hang until killed.
 * - `migrate`: open the store (migrating on start) and print the schema version.
 * - `crash-after-commit`: reserve, print `RESERVED <attempt id>`, hang until killed (a worker
 *   that died between reserve and recording Truv's answer).
 */
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { randomUUID } from "node:crypto"
import { SqlStore, Store } from "../../src/index.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`missing env ${name}`)
  return value
}
const mode = env("MODE")
const cases = env("CASES").split(",")
const iterations = Number(process.env["ITERATIONS"] ?? "1")
const hang = () => new Promise<void>(() => { setInterval(() => undefined, 1 << 30) })

const program = Effect.gen(function*() {
  yield* TestClock.setTime(Number(env("NOW")))
  const store = yield* Store
  if (mode === "migrate") {
    process.stdout.write(`${JSON.stringify(yield* store.schemaVersion())}\n`)
    return
  }
  if (mode === "crash-after-commit") {
    const { attempt } = yield* store.reserve({ caseId: cases[0]!, product: null })
    process.stdout.write(`RESERVED ${attempt?.id ?? "none"}\n`)
    yield* Effect.promise(hang)
  }
  let reserved = 0
  for (let i = 0; i < iterations; i++) {
    for (const caseId of cases) {
      const { attempt } = yield* store.reserve({ caseId, product: null })
      if (attempt === null) continue
      reserved++
      yield* store.transitionAttempt(attempt.id, "sent", { orderId: `order-${randomUUID()}` })
      for (const c of attempt.connectionIds) yield* store.recordOutcome(attempt.id, c, "done", new Date(Number(env("NOW"))).toISOString())
    }
  }
  process.stdout.write(`${JSON.stringify({ reserved })}\n`)
})

const layer = SqlStore.layer({
  url: env("URL"),
  encryptionKey: Redacted.make(env("KEY")),
  ...(process.env["SCHEMA"] ? { schema: process.env["SCHEMA"] } : {}),
  poolSize: 2,
  ...(mode === "crash-inside" ? { hooks: { insideReserve: async () => { process.stdout.write("INSIDE\n"); await hang() } } } : {})
})

Effect.runPromise(program.pipe(Effect.provide(Layer.merge(layer, TestClock.layer())), Effect.scoped)).then(
  () => process.exit(0),
  (error: unknown) => { console.error(error); process.exit(1) }
)
