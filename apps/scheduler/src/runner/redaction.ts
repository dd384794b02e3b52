/**
 * The redaction step: after each pass (`run` once, `serve` after every pass), the store removes
 * the personal data whose retention ended (store/src/ops/redact.ts, the policy from
 * `config.retention`). It never fails the pass: a store failure is logged and the next pass tries
 * again (what was not redacted stays until then, and nothing is half-done: each case is one
 * transaction). The log line carries counts only, never the pieces' contents.
 */
import { parseRetentionPolicy, type RetentionPolicy } from "@recert/core"
import { Store } from "@recert/store"
import { Effect } from "effect"
import type { SchedulerConfig } from "../runtime/config.js"

/** The configured policy, or null when redaction is switched off (`retention.enabled: false`). */
export const retentionPolicyOf = (config: SchedulerConfig): RetentionPolicy | null => {
  const { enabled, ...periods } = config.retention
  return enabled ? parseRetentionPolicy(Object.fromEntries(Object.entries(periods).filter(([, v]) => v !== undefined))) : null
}

export const redactionStep = (policy: RetentionPolicy | null) =>
  Effect.gen(function*() {
    if (policy === null) return
    const store = yield* Store
    const report = yield* store.redact({ scope: { policy }, reason: "retention policy", dryRun: false })
    yield* Effect.logInfo("redaction", { redacted: report.redacted.length, held: report.held.length, waiting: report.waiting, cases: report.cases })
  }).pipe(Effect.catch((e) => Effect.logWarning("redaction failed; the next pass tries again", { error: e.message })))
