/**
 * The run's counters in Prometheus text exposition format (`GET /metrics`). The refresh counts
 * use the names and definitions of `report/refresh-counts.ts`, the ones the run report and
 * `recert stats` use (README: "Counts"); `serve` passes the sum of its passes, so each counter is
 * this process's total since it started. Truv's clock against this machine's is
 * `recert_truv_clock_skew_seconds`, once an answer from Truv said it.
 */
import { renderDeliveryMetrics } from "../delivery/delivery-stats.js"
import { REFRESH_COUNT_NAMES } from "../report/refresh-counts.js"
import type { RunStats } from "../runner/run-stats.js"

const line = (name: string, help: string, type: "counter" | "gauge", samples: ReadonlyArray<readonly [string, number]>): string =>
  [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, v]) => `${name}${labels} ${v}`)].join("\n")

/** The last pass's status (serve), as a gauge per status: 1 for the current one. */
export interface PassStatusSample {
  readonly status: "ok" | "degraded" | "failed"
  readonly passes: Readonly<Record<"ok" | "degraded" | "failed", number>>
}

export const renderMetrics = (s: RunStats, pass?: PassStatusSample, truvClockSkewMs: number | null = null): string => {
  const refreshes = s.refreshes
  return [
    line("recert_cases", "Cases by their latest outcome in this process.", "gauge",
      Object.entries(s.byOutcome()).map(([o, n]) => [`{outcome="${o}"}`, n])),
    line("recert_truv_calls_total", "Truv API calls by endpoint.", "counter",
      Object.entries(s.calls).map(([e, n]) => [`{endpoint="${e}"}`, n])),
    line("recert_truv_calls_unanswered_total", "Truv API calls that got no answer (refused, reset, timed out).", "counter", [["", s.truvUnanswered]]),
    line("recert_truv_call_errors_total", "Truv API calls that failed, by error.", "counter",
      Object.entries(s.truvErrors).map(([e, n]) => [`{error="${e}"}`, n])),
    ...REFRESH_COUNT_NAMES.map((n) => line(n.metric, n.help, n.type, [["", refreshes[n.key]]])),
    line("recert_limit_violations_total", "Refreshes Truv rejected for its 24 h limit.", "counter", [["", s.limitViolations]]),
    line("recert_verifications_queued_total", "Verification links queued.", "counter",
      Object.entries(s.verifications).map(([k, n]) => [`{kind="${k}"}`, n])),
    line("recert_webhooks_received_total", "Webhooks stored (verified).", "counter", [["", s.webhooksReceived]]),
    line("recert_webhooks_rejected_total", "Webhooks refused for their signature.", "counter", [["", s.webhooksRejected]]),
    line("recert_webhooks_processed_total", "Webhook events processed from the inbox.", "counter", [["", s.webhooksProcessed]]),
    line("recert_webhooks_unmatched_total", "Webhook events no attempt of ours could apply (completed unmatched, with why).", "counter", [["", s.webhooksUnmatched]]),
    line("recert_jobs_failed_total", "Jobs that failed after their in-pass retries.", "counter", [["", s.jobsFailed]]),
    line("recert_store_errors_total", "Store operations that failed.", "counter", [["", s.storeErrors]]),
    ...(pass === undefined ? [] : [
      line("recert_last_pass_status", "The last pass's status: 1 for the current one (ok, degraded, failed).", "gauge",
        (["ok", "degraded", "failed"] as const).map((st) => [`{status="${st}"}`, st === pass.status ? 1 : 0])),
      line("recert_passes_total", "Passes by status.", "counter", (["ok", "degraded", "failed"] as const).map((st) => [`{status="${st}"}`, pass.passes[st]]))
    ]),
    ...(truvClockSkewMs === null ? [] : [line("recert_truv_clock_skew_seconds",
      "Truv's clock minus this machine's, from the Date header of Truv's answers (median of the recent ones).", "gauge", [["", truvClockSkewMs / 1000]])])
  ].join("\n") + "\n" + renderDeliveryMetrics()
}
