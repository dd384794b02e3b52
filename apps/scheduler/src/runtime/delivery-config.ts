/**
 * The scheduler's delivery configuration: `destinations` (each as `@recert/delivery` defines it;
 * from the config file, or `RECERT_DESTINATIONS` as a JSON array) and `delivery` (how long `run`
 * drains the outbox at its end, `--drain-deadline`; how often an idle destination looks again).
 * A destination's secret is read and checked at start-up (`destinationProblems`), so a bad one
 * is a configuration error (exit 2) before anything is delivered.
 */
import { DELIVERY_BACKOFF, DestinationConfig, resolveDestinations } from "@recert/delivery"
import { z } from "zod"

/** The array, from the file as JSON or from the environment as JSON text. */
export const DestinationsConfig = z.preprocess((v) => {
  if (typeof v !== "string") return v
  try {
    return JSON.parse(v) as unknown
  } catch {
    return v
  }
}, z.array(DestinationConfig, { error: "expected a JSON array of destinations" })).default([])

export const DeliveryConfig = (duration: z.ZodType<number, unknown>) => z.strictObject({
  drainDeadline: duration.default(30_000),
  poll: duration.default(1_000),
  /** The retry schedule (default: the production table, `DELIVERY_BACKOFF`); shorter ones are for tests and chaos runs. */
  retry: z.strictObject({
    base: duration.refine((ms) => ms >= 1, "must be at least 1ms"),
    factor: z.number().min(1).max(10).default(DELIVERY_BACKOFF.factor),
    cap: duration,
    maxAttempts: z.int().min(1).max(100)
  }).transform((r) => ({ baseMs: r.base, factor: r.factor, capMs: r.cap, jitter: DELIVERY_BACKOFF.jitter, maxAttempts: r.maxAttempts })).optional()
}).default({ drainDeadline: 30_000, poll: 1_000 })

/** The destinations' secret problems (none: all readable `whsec_` secrets), each naming `where`. */
export const destinationProblems = (configs: ReadonlyArray<DestinationConfig>, env: Readonly<Record<string, string | undefined>>, where: string): ReadonlyArray<string> =>
  resolveDestinations(configs, env, where).problems
