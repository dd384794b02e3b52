/**
 * A Truv budget holder in its own process, for truv-budget-processes.test.ts. Env: URL, SCHEMA
 * (Postgres), KEY (encryption key), NOW (epoch ms), WANT, BATCH. Opens the shared budget, prints
 * READY, waits for a line on stdin (so both processes start together), then takes up to WANT
 * permits in batches of BATCH at NOW until a grant comes back short; prints
 * `{"granted":n,"retryAt":t}`.
 */
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { createInterface } from "node:readline"
import { SqlStore } from "../../src/index.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`missing env ${name}`)
  return value
}
const go = () => new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin })
  lines.once("line", () => { lines.close(); resolve() })
})

const program = Effect.gen(function*() {
  yield* TestClock.setTime(Number(env("NOW")))
  const schema = process.env["SCHEMA"]
  const budget = yield* SqlStore.makeTruvBudget({ url: env("URL"), encryptionKey: Redacted.make(env("KEY")), ...(schema !== undefined ? { schema } : {}) })
  process.stdout.write("READY\n")
  yield* Effect.promise(go)
  const want = Number(env("WANT"))
  const batch = Number(env("BATCH"))
  let granted = 0
  let retryAt: number | null = null
  while (granted < want) {
    const ask = Math.min(batch, want - granted)
    const grant = yield* budget.acquire({ key: "two-processes", want: ask, limit: 300, windowMs: 60_000, slackMs: 1_000, holder: `pid-${process.pid}` })
    granted += grant.granted
    retryAt = grant.retryAt
    if (grant.granted < ask) break
  }
  process.stdout.write(`${JSON.stringify({ granted, retryAt })}\n`)
})

await Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(TestClock.layer())))
