/**
 * A process holding an idle Postgres store, for the restart test (postgres-restart.test.ts).
 * Env: URL, SCHEMA, KEY. Opens the store, reads once and prints `READY <n>`; waits for a line
 * on stdin (sent after the test terminated the store's connections); reads again, up to 3 times,
 * and prints `OK <n> after <failure reasons>` (exit 0) or `STILL FAILING <reasons>` (exit 2).
 * Before the pool had an `error` listener, the process died of the terminated idle connection
 * (exit 1) before reading stdin.
 */
import { Effect, Redacted } from "effect"
import { createInterface } from "node:readline"
import { SqlStore, Store } from "../../src/index.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`missing env ${name}`)
  return value
}
const UNTIL = "2030-01-01T00:00:00.000Z"
const nextLine = () => new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()))

const program = Effect.gen(function*() {
  const store = yield* Store
  process.stdout.write(`READY ${yield* store.countDue(UNTIL)}\n`)
  yield* Effect.promise(nextLine)
  const reasons: Array<string> = []
  for (let i = 0; i < 3; i++) {
    const r = yield* Effect.result(store.countDue(UNTIL))
    if (r._tag === "Success") {
      process.stdout.write(`OK ${r.success} after [${reasons.join(",")}]\n`)
      return 0
    }
    reasons.push(r.failure.reason ?? "other")
  }
  process.stdout.write(`STILL FAILING [${reasons.join(",")}]\n`)
  return 2
})

const layer = SqlStore.layer({ url: env("URL"), schema: env("SCHEMA"), encryptionKey: Redacted.make(env("KEY")), poolSize: 3 })
const code = await Effect.runPromise(Effect.provide(program, layer))
process.exit(code)
