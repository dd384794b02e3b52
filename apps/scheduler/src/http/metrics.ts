/**
 * The run's counters in Prometheus text exposition format (`GET /metrics`), and Truv's clock
 * against this machine's (`recert_truv_clock_skew_seconds`, once an answer from Truv said it).
 */
import type { RunStats } from "../runner/run-stats.js"

const line = (name: string, help: string, type: "counter" | "gauge", samples: ReadonlyArray<[string, number]>): string =>
  [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, v]) => `${name}${labels} ${v}`)].join("\n")

export const renderMetrics = (s: RunStats, truvClockSkewMs: number | null = null): string => [
  line("recert_cases", "Cases by their latest outcome in this process.", "gauge",
    Object.entries(s.byOutcome()).map(([o, n]) => [`{outcome="${o}"}`, n])),
  line("recert_truv_calls_total", "Truv API calls by endpoint.", "counter",
    Object.entries(s.calls).map(([e, n]) => [`{endpoint="${e}"}`, n])),
  line("recert_refreshes_sent_total", "Refresh requests Truv accepted.", "counter", [["", s.refreshesSent]]),
  line("recert_refreshes_billed_total", "Connection refreshes expected to be billed.", "counter", [["", s.refreshesBilled]]),
  line("recert_refreshes_free_total", "Connection refreshes under the GSE free quota.", "counter", [["", s.refreshesFree]]),
  line("recert_limit_violations_total", "Refreshes Truv rejected for its 24 h limit.", "counter", [["", s.limitViolations]]),
  line("recert_verifications_queued_total", "Verification links queued.", "counter",
    Object.entries(s.verifications).map(([k, n]) => [`{kind="${k}"}`, n])),
  line("recert_webhooks_received_total", "Webhooks stored (verified).", "counter", [["", s.webhooksReceived]]),
  line("recert_webhooks_rejected_total", "Webhooks refused for their signature.", "counter", [["", s.webhooksRejected]]),
  line("recert_webhooks_processed_total", "Webhook events processed from the inbox.", "counter", [["", s.webhooksProcessed]]),
  line("recert_jobs_failed_total", "Jobs that failed and were retried.", "counter", [["", s.jobsFailed]]),
  ...(truvClockSkewMs === null ? [] : [line("recert_truv_clock_skew_seconds",
    "Truv's clock minus this machine's, from the Date header of Truv's answers (median of the recent ones).", "gauge", [["", truvClockSkewMs / 1000]])])
].join("\n") + "\n"
