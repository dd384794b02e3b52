/**
 * The deliverer's counters per destination, for `/metrics` and the run report. One registry per
 * process (as Prometheus clients keep a default one): the deliverer fibers write it, the admin
 * endpoint reads it, and neither has to thread it through the pass's `RunStats`.
 */
export interface DestinationCounters {
  tries: number
  delivered: number
  failed: number
  deadLettered: number
  timeouts: number
  unreachable: number
  /** Sum of the tries' durations, for the mean latency. */
  triesMs: number
}

export class DeliveryStats {
  readonly byDestination = new Map<string, DestinationCounters>()

  of(destination: string): DestinationCounters {
    let c = this.byDestination.get(destination)
    if (c === undefined) this.byDestination.set(destination, c = { tries: 0, delivered: 0, failed: 0, deadLettered: 0, timeouts: 0, unreachable: 0, triesMs: 0 })
    return c
  }
}

/** This process's counters. */
export const DELIVERY_STATS = new DeliveryStats()

const samples = (s: DeliveryStats, pick: (c: DestinationCounters) => number): Array<string> =>
  [...s.byDestination].map(([name, c]) => `{destination="${name}"} ${pick(c)}`)

const metric = (name: string, help: string, type: "counter" | "gauge", lines: ReadonlyArray<string>): string =>
  [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines.map((l) => `${name}${l}`)].join("\n")

/** The counters in Prometheus text format (appended to `/metrics`). */
export const renderDeliveryMetrics = (s: DeliveryStats = DELIVERY_STATS): string => [
  metric("recert_delivery_tries_total", "Event deliveries tried, per destination.", "counter", samples(s, (c) => c.tries)),
  metric("recert_delivery_delivered_total", "Event deliveries answered 2xx.", "counter", samples(s, (c) => c.delivered)),
  metric("recert_delivery_failed_total", "Tries that failed (non-2xx, timeout, unreachable) and were retried or dead-lettered.", "counter", samples(s, (c) => c.failed)),
  metric("recert_delivery_dead_lettered_total", "Deliveries dead-lettered after their last try.", "counter", samples(s, (c) => c.deadLettered)),
  metric("recert_delivery_timeouts_total", "Tries that timed out.", "counter", samples(s, (c) => c.timeouts)),
  metric("recert_delivery_unreachable_total", "Tries with no answer (reset, refused).", "counter", samples(s, (c) => c.unreachable)),
  metric("recert_delivery_try_seconds_sum", "Total duration of the tries.", "counter", samples(s, (c) => c.triesMs / 1000))
].join("\n") + "\n"
