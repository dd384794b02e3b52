/**
 * The clock guard band (`clockGuardSeconds`): our clock and Truv's are never exactly the same, so
 * each boundary of Truv's time rules is moved by the guard in the direction that cannot cost a
 * billed failure or a refused request. The rules read their boundaries here, so each direction is
 * written once: an OAuth expiry comes earlier, a refresh stays in the rate window longer, the GSE
 * free window ends earlier.
 */
import type { PolicyConfig } from "../model/policy-config.js"

/** The guard in milliseconds. */
export const clockGuardMs = (config: PolicyConfig): number => config.clockGuardSeconds * 1000

/** From when an OAuth connection authenticated at `authenticatedAtMs` is treated as expired (Truv's expiry minus the guard). */
export const treatedExpiredAtMs = (config: PolicyConfig, authenticatedAtMs: number, validityMs: number): number =>
  authenticatedAtMs + validityMs - clockGuardMs(config)
