/**
 * What every part of the sandbox's engine works over: the in-memory state, sandbox time, the
 * seeded PRNG, scheduled work, the report and the webhook dispatcher.
 */
import { requestExpiresAt } from "@recert/core"
import type { SandboxClients } from "./clients/client-records.js"
import type { SandboxClock } from "./clock.js"
import type { SandboxFaults } from "./faults.js"
import type { PendingWork } from "./pending-work.js"
import type { Prng } from "./prng.js"
import type { ReportRecorder } from "./report.js"
import type { SandboxState } from "./state.js"
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
  /** The cases' clients: their scripts, the requests made of them, what is due (clients/). */
  readonly clients: SandboxClients
}

/**
 * When an order created at `createdAt` expires: Truv's default, 72 hours in which weekends
 * (Saturday and Sunday, UTC) do not count (truv-api-notes §3.3; core's `requestExpiresAt`, the
 * rule Recert's scheduler uses too). Truv's own example agrees: created Thursday 2024-07-11
 * 21:40:48, `expired_at` Tuesday 2024-07-16 21:40:48 (the adapter's `order-created` fixture).
 */
export const orderExpiresAt = (createdAt: number): number => requestExpiresAt("new-order", createdAt)

export type Body = Readonly<Record<string, unknown>>

export const isRecord = (u: unknown): u is Body => typeof u === "object" && u !== null && !Array.isArray(u)
