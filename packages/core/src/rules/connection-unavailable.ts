/**
 * `connection.unavailable`: the provider was down (`unavailable`; Truv's generic `error` is
 * not read as "down": it may need the user, see `connection.needs-user`). Retry after a
 * capped exponential backoff with jitter; after `maxTries` consecutive failures, stop and start
 * a new order. The number of tries is the run of consecutive failed outcomes for the connection
 * at the end of the ledger (at least 1: the reported status is itself a failure).
 *
 * | try n | delay before try n+1 (defaults, before jitter) |
 * |---|---|
 * | 1 | 15 min |
 * | 2 | 30 min |
 * | 3 | 1 h |
 * | 4 | 2 h |
 * | 5 | 4 h |
 * | 6 | stop: new order |
 *
 * Jitter takes up to `jitter` (20 %) off each delay, derived from a hash of the connection id and
 * the try number rather than a random source, so a decision replays exactly.
 */
import { unitHash } from "../engine/digest.js"
import { describeDuration, HOUR_MS, MINUTE_MS, toIso } from "../engine/time.js"
import { UNAVAILABLE_STATUSES } from "../model/primitives.js"
import type { PolicyConfig } from "../model/policy-config.js"
import { currentStatus, defineRule, type Finding, NONE, type ScopedConnection } from "./rule.js"

/** The delay after `tries` consecutive failures, before jitter is taken off. */
export const backoffDelay = (config: PolicyConfig, tries: number): number =>
  Math.min(config.backoff.capHours * HOUR_MS, config.backoff.baseMinutes * MINUTE_MS * config.backoff.factor ** (tries - 1))

/** The delay after `tries` failures of `connectionId`, with its deterministic jitter. */
export const jitteredDelay = (config: PolicyConfig, connectionId: string, tries: number): number => {
  const delay = backoffDelay(config, tries)
  return Math.round(delay * (1 - config.backoff.jitter * unitHash(`${connectionId}:${tries}`)))
}

/** Consecutive failed outcomes at the end of the connection's ledger, and when the last one happened. */
const failureRun = (c: ScopedConnection): { tries: number; lastAt: number | null } => {
  let tries = 0
  let lastAt: number | null = null
  for (let i = c.entries.length - 1; i >= 0; i--) {
    const entry = c.entries[i]!
    const outcome = entry.attempt.outcomes[c.connection.id]
    if (outcome === undefined) continue
    if (!UNAVAILABLE_STATUSES.has(outcome)) break
    tries++
    lastAt ??= entry.resolvedAtMs ?? entry.atMs
  }
  return { tries, lastAt }
}

export const connectionUnavailable = defineRule("connection.unavailable", (ctx) => {
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    const status = currentStatus(c)
    if (status === null || !UNAVAILABLE_STATUSES.has(status)) continue
    const run = failureRun(c)
    const tries = Math.max(1, run.tries)
    const since = Math.max(c.lastStatusAtMs ?? -Infinity, run.lastAt ?? -Infinity, c.authenticatedAtMs)
    const data = { lastTaskStatus: status, tries, maxTries: ctx.config.backoff.maxTries, lastFailureAt: toIso(since) }
    if (tries >= ctx.config.backoff.maxTries) {
      findings ??= []
    findings.push({
        code: "connection.unavailable",
        effect: "new-order",
        connectionId: c.connection.id,
        message: `${c.connection.provider} was unavailable on ${tries} consecutive tries (limit ${ctx.config.backoff.maxTries}); stop retrying and start a new order`,
        data
      })
      continue
    }
    const until = since + jitteredDelay(ctx.config, c.connection.id, tries)
    // Once the backoff has run out the retry is due: the rule only warns, or a connection whose
    // last status is `unavailable` could never be retried.
    findings ??= []
    findings.push(until > ctx.now
      ? {
        code: "connection.unavailable",
        effect: "wait",
        connectionId: c.connection.id,
        message: `${c.connection.provider} was unavailable (try ${tries} of ${ctx.config.backoff.maxTries}); retry after ${toIso(until)}, in ${describeDuration(until - ctx.now)}`,
        data: { ...data, retryAt: toIso(until) },
        until
      }
      : {
        code: "connection.unavailable",
        effect: "warn",
        connectionId: c.connection.id,
        message: `${c.connection.provider} was unavailable (try ${tries} of ${ctx.config.backoff.maxTries}); the backoff ended ${toIso(until)}, so this refresh is a retry`,
        data: { ...data, retryAt: toIso(until) }
      })
  }
  return findings ?? NONE
})
