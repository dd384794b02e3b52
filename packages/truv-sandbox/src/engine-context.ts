/**
 * What every part of the sandbox's engine works over: the in-memory state, sandbox time, the
 * seeded PRNG, scheduled work, the report and the webhook dispatcher.
 */
import type { SandboxClock } from "./clock.js"
import type { SandboxFaults } from "./faults.js"
import type { PendingWork } from "./pending-work.js"
import type { Prng } from "./prng.js"
import type { ReportRecorder } from "./report.js"
import type { SandboxState } from "./state.js"
import { HOUR_MS } from "./truv-time.js"
import type { ConnectionValidity } from "./validity.js"
import type { WebhookDispatcher } from "./webhook-dispatcher.js"

export interface EngineContext {
  readonly state: SandboxState
  readonly clock: SandboxClock
  readonly prng: Prng
  readonly work: PendingWork
  readonly report: ReportRecorder
  readonly webhooks: WebhookDispatcher
  readonly faults: () => SandboxFaults
  /** How long connections stay authorized (validity.ts). */
  readonly validity: ConnectionValidity
}

/** Orders expire 72 h after creation (weekends not skipped; truv-api-notes §3.3). */
export const ORDER_LIFETIME_MS = 72 * HOUR_MS

export type Body = Readonly<Record<string, unknown>>

export const isRecord = (u: unknown): u is Body => typeof u === "object" && u !== null && !Array.isArray(u)
