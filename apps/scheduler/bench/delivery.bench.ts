/**
 * Delivery, measured: events delivered per second to a local receiver, and what the outbox costs
 * a renewal.
 *
 *   node --import tsx --conditions=@recert/source apps/scheduler/bench/delivery.bench.ts [--events N] [--saves N]
 *
 * - Delivery: N events (default 2,000) over N/10 cases appended to a SQLite outbox on tmpfs,
 *   drained (`drainDeliveries`, the code of `run` and `serve`) to the reference receiver (it
 *   verifies every signature with the `standardwebhooks` package) at concurrency 16. Beside it,
 *   the same number of bare signed POSTs to the same receiver at the same concurrency, without
 *   the store (fan-out, leases, ordering, recording): the ceiling of this machine's HTTP.
 * - The outbox's cost per renewal: `saveVerification` of a classified verification (its rows,
 *   employers, statements, and its `case.renewed`/`case.review-needed` event in the same
 *   transaction), beside `appendEvent` alone (the event's own cost: the order-number read,
 *   validation against the published schema, the insert), both sequential.
 * Median of 3 runs after a warm-up. Lines starting `BENCH ` are read by scripts/bench.mjs.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import { verificationRecord } from "@recert/core/testing"
import { type Destination, postEvent, startReferenceReceiver } from "@recert/delivery"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import { Effect, Redacted } from "effect"
import { drainDeliveries } from "../src/delivery/deliverer.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const EVENTS = arg("events", 2_000)
const SAVES = arg("saves", 1_000)
const CONCURRENCY = 16
const SECRET = `whsec_${Buffer.alloc(32, 11).toString("base64")}`
const base = process.platform === "linux" ? "/dev/shm" : undefined
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const withFreshStore = async <A>(f: Effect.Effect<A, unknown, Store>): Promise<A> => {
  const dir = mkdtempSync(join(base ?? "/tmp", "recert-delivery-bench-"))
  try {
    return await Effect.runPromise(Effect.scoped(f.pipe(Effect.provide(SqlStore.layer({ url: join(dir, "b.sqlite"), encryptionKey: generateEncryptionKey(), create: true })))))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const escalated = (i: number) => ({ type: "case.escalated" as const, caseId: `case-${i % Math.max(1, EVENTS / 10)}`, payload: { requestId: null, why: `step ${i}`, caseworkerAction: "call" } })

const deliveryRun = async (): Promise<{ storeRate: number; bareRate: number; received: number }> => {
  const receiver = await startReferenceReceiver(SECRET)
  const destination: Destination = { name: "bench", url: receiver.url, secret: Redacted.make(SECRET), events: null, timeoutMs: 10_000, concurrency: CONCURRENCY, pdf: "none" }
  try {
    const storeRate = await withFreshStore(Effect.gen(function*() {
      const store = yield* Store
      for (let i = 0; i < EVENTS; i++) yield* store.appendEvent(escalated(i))
      const t0 = performance.now()
      const r = yield* drainDeliveries({ workerId: "bench", destinations: [destination], deadlineMs: 600_000 })
      if (r.delivered !== EVENTS) throw new Error(`delivered ${r.delivered} of ${EVENTS}`)
      return EVENTS / ((performance.now() - t0) / 1000)
    }))
    const bodies = Array.from({ length: EVENTS }, (_, i) => ({ id: `bare-${i}`, body: JSON.stringify({ id: `bare-${i}`, ...escalated(i) }), timestampSec: Math.floor(Date.now() / 1000) }))
    const t1 = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await postEvent(destination, bodies[next++]!)
    }))
    const bareRate = EVENTS / ((performance.now() - t1) / 1000)
    return { storeRate, bareRate, received: receiver.received.length }
  } finally {
    await receiver.close()
  }
}

const costRun = () => withFreshStore(Effect.gen(function*() {
  const store = yield* Store
  const records = Array.from({ length: SAVES }, (_, i) => verificationRecord({ caseId: `case-${i}`, orderId: `ord-${i}`, fetchedAt: "2026-11-20T10:00:00.000Z" }))
  const t0 = performance.now()
  for (const v of records) yield* store.saveVerification(v)
  const saveMs = (performance.now() - t0) / SAVES
  const t1 = performance.now()
  for (let i = 0; i < SAVES; i++) yield* store.appendEvent(escalated(i))
  const appendMs = (performance.now() - t1) / SAVES
  return { saveMs, appendMs }
}))

await deliveryRun()
await costRun()
const deliveries = [await deliveryRun(), await deliveryRun(), await deliveryRun()]
const costs = [await costRun(), await costRun(), await costRun()]
const storeRate = median(deliveries.map((d) => d.storeRate))
const bareRate = median(deliveries.map((d) => d.bareRate))
const saveMs = median(costs.map((c) => c.saveMs))
const appendMs = median(costs.map((c) => c.appendMs))
console.log(`delivery: ${EVENTS} events over ${EVENTS / 10} cases, concurrency ${CONCURRENCY}, to the reference receiver (standardwebhooks verifier), SQLite on ${base ?? "disk"}`)
console.log(`  drainDeliveries (fan-out, ordered claims, leases, signed POST, recorded): ${Math.round(storeRate)} events/s`)
console.log(`  bare signed POSTs, no store:                                             ${Math.round(bareRate)} events/s`)
console.log(`outbox cost per renewal (sequential, ${SAVES} each):`)
console.log(`  saveVerification with its event: ${(saveMs * 1000).toFixed(0)} µs; appendEvent alone: ${(appendMs * 1000).toFixed(0)} µs (${((appendMs / saveMs) * 100).toFixed(0)}% of the save)`)
console.log(`BENCH ${JSON.stringify({ name: `events delivered to a local receiver (${EVENTS}, concurrency ${CONCURRENCY}), SQLite`, value: Math.round(storeRate), unit: "events/s", alternative: "bare signed POSTs, no store", altValue: Math.round(bareRate), higherIsBetter: true, method: "drainDeliveries to the reference receiver, median of 3 after a warm-up" })}`)
console.log(`BENCH ${JSON.stringify({ name: "outbox event appended (appendEvent), per renewal", value: Number((appendMs * 1000).toFixed(0)), unit: "µs", alternative: "saveVerification with its event (the whole renewal write)", altValue: Number((saveMs * 1000).toFixed(0)), higherIsBetter: false, method: "sequential on SQLite, median of 3 runs after a warm-up" })}`)
