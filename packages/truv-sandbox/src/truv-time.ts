/**
 * Truv's timestamp formats, as they appear in its documented examples: order fields use
 * milliseconds and `Z` (`2021-04-21T21:45:14.418Z`); webhooks use microseconds, `Z` for
 * `event_created_at` (`2022-08-24T13:55:12.845645Z`) and `+00:00` for `updated_at`.
 */

export const isoMillis = (ms: number): string => new Date(ms).toISOString()

export const isoMicrosZ = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z")

export const isoMicrosOffset = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00")

export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
