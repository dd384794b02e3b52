/**
 * A brute-force reference model of the limits, written to be obviously right rather than fast
 * (Cedar-style): it knows nothing of the engine's sorting or grouping. The property tests check
 * the engine against it on random ledgers and instants.
 */
export interface ModelEvent {
  readonly at: number
  readonly connectionIds: ReadonlyArray<string>
  readonly status: string
}

/** Events that exist at `now` (later ones are ignored: a what-if must not see the future). */
const existing = (events: ReadonlyArray<ModelEvent>, now: number) => events.filter((e) => e.at <= now)

/** Events that count for a connection: every status but `rejected`. */
const countedFor = (events: ReadonlyArray<ModelEvent>, connectionId: string, now: number) =>
  existing(events, now).filter((e) => e.status !== "rejected" && e.connectionIds.includes(connectionId))

/**
 * How many counted refreshes of `connectionId` are in the window at instant `x` (t <= x < t + W + G,
 * G the clock guard), seen from `now`.
 */
export const countAt = (events: ReadonlyArray<ModelEvent>, connectionId: string, now: number, x: number, windowMs: number, guardMs = 0): number => {
  let n = 0
  for (const e of countedFor(events, connectionId, now)) if (e.at <= x && x < e.at + windowMs + guardMs) n++
  return n
}

/**
 * The earliest instant >= now at which the count is below the limit. The count only drops at
 * some t + W + G, so checking `now` and every t + W + G >= now is exhaustive.
 */
export const nextEligibleAt = (events: ReadonlyArray<ModelEvent>, connectionId: string, now: number, windowMs: number, limit: number, guardMs = 0): number => {
  const candidates = [now, ...countedFor(events, connectionId, now).map((e) => e.at + windowMs + guardMs).filter((x) => x >= now)].sort((a, b) => a - b)
  for (const x of candidates) if (countAt(events, connectionId, now, x, windowMs, guardMs) < limit) return x
  throw new Error("unreachable: after the last event leaves the window the count is 0")
}

/**
 * GSE: refresh requests (not connections) counted within [root, root + window), existing at now;
 * nothing is free from root + window - G on (the clock guard).
 */
export const gseRemaining = (events: ReadonlyArray<ModelEvent>, root: number, windowMs: number, free: number, now: number, guardMs = 0): number => {
  if (now >= root + windowMs - guardMs) return 0
  const used = existing(events, now).filter((e) => e.status !== "rejected" && e.at >= root && e.at < root + windowMs).length
  return Math.max(0, free - used)
}
