/**
 * The delivery part of the run report: the outbox's size, each destination's deliveries by status,
 * what `run`'s drain did, and every dead letter (event, case, destination, last error), so an
 * operator sees what `recert events redeliver --failed` would send again.
 */
import { type DeliveryStatus, Store } from "@recert/store"
import type { StoreError } from "@recert/core"
import { Effect } from "effect"
import type { DrainResult } from "./deliverer.js"

export interface DeliveryReport {
  readonly events: number
  readonly destinations: Readonly<Record<string, Record<DeliveryStatus, number>>>
  readonly drain: DrainResult | null
  readonly deadLetters: ReadonlyArray<{ readonly eventId: string; readonly type: string; readonly caseId: string; readonly destination: string; readonly lastError: string | null }>
}

const DEAD_LETTERS_SHOWN = 50

export const deliveryReport = (drain: DrainResult | null): Effect.Effect<DeliveryReport, StoreError, Store> =>
  Effect.gen(function*() {
    const store = yield* Store
    const counts = yield* store.deliveryCounts()
    const failed = yield* store.listEvents({ failed: true, limit: DEAD_LETTERS_SHOWN })
    return {
      events: counts.events, destinations: counts.byDestination, drain,
      deadLetters: failed.flatMap((e) => e.deliveries.filter((d) => d.status === "dead")
        .map((d) => ({ eventId: e.id, type: e.type, caseId: e.caseId, destination: d.destination, lastError: d.lastError })))
    }
  })

export const renderDeliveryReport = (r: DeliveryReport): string => [
  `Delivery (${r.events} events in the outbox)`,
  ...Object.entries(r.destinations).map(([name, c]) => `  ${name.padEnd(24)} delivered ${c.delivered}, pending ${c.pending}, dead-lettered ${c.dead}`),
  ...(r.drain === null ? [] : [`  drain (${(r.drain.elapsedMs / 1000).toFixed(1)} s): ${r.drain.delivered} delivered, ${r.drain.failed} failed tries, ${r.drain.deadLettered} dead-lettered${r.drain.timedOut ? " (deadline reached; the rest stays owed)" : ""}`]),
  ...r.deadLetters.map((d) => `  dead letter ${d.eventId} ${d.type} ${d.caseId} -> ${d.destination}: ${d.lastError ?? "?"}`)
].join("\n")
