/**
 * A redactor: one kind of personal data in one table or field, what removing it means, and what
 * keeps it alive. The redaction pass (`ops/redact.ts`) knows nothing of tables: it asks each
 * redactor for the pieces of a case not yet redacted, gives each piece core's retention verdict
 * with the holds this redactor declares, and lets the redactor remove the pieces that are due.
 * Adding a kind of personal data is adding one redactor to `REDACTORS` (redactors.ts).
 */
import type { RetentionHold, RetentionKind } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

/** What the pass knows about the case while it redacts (read in the pass's write transaction). */
export interface CaseFacts {
  readonly caseId: string
  readonly closedAt: number | null
  /** The case's open verification requests (`resolved_at` null). */
  readonly openRequests: number
  /** The case's events some destination has not received yet (not fanned out, pending or dead). */
  readonly undeliveredEvents: number
  /** When each of the case's events was delivered everywhere (epoch ms), by event id; absent: not delivered. */
  readonly eventDeliveredAt: ReadonlyMap<string, number>
  /** When each verification's event was delivered everywhere, by order id; absent: not delivered. */
  readonly verificationDeliveredAt: ReadonlyMap<string, number>
  /** The order id of the case's latest verification, or null. */
  readonly latestOrderId: string | null
}

/** One piece a redactor can remove. */
export interface Piece {
  /** Names the piece within the case: an order id, an event id, a request id. */
  readonly ref: string
  /** When its purpose ended by delivery (or resolution); null: only the case's closing starts its clock. */
  readonly deliveredAt: number | null
  /** The piece is the latest verification of the case (the next renewal's baseline). */
  readonly latest?: boolean
}

export interface Redactor {
  /** Stable name, recorded in `redactions.target`: `<table>.<what>`. */
  readonly target: string
  readonly kind: RetentionKind
  /** What a redaction removes, for people (README, `recert redact`). */
  readonly removes: string
  /** What stays after it (the audit trail). */
  readonly keeps: string
  /** What keeps a piece alive whatever its clock says. */
  readonly heldBy: ReadonlyArray<RetentionHold>
  /** Case ids with at least one piece not redacted yet, in id order, at most `limit`, after `afterCaseId`. */
  readonly pendingCases: (db: Kysely<Database>, afterCaseId: string | null, limit: number) => Promise<Array<string>>
  /** The case's pieces not redacted yet. */
  readonly pieces: (trx: Kysely<Database>, facts: CaseFacts) => Promise<Array<Piece>>
  /** Removes the pieces `refs` of the case; returns the rows touched per ref. */
  readonly redact: (trx: Kysely<Database>, caseId: string, refs: ReadonlyArray<string>, stamp: RedactionStamp) => Promise<ReadonlyMap<string, number>>
}

/** The instant and reason written where the data was, so a reader sees that it is gone, when and why. */
export interface RedactionStamp {
  readonly at: string
  readonly reason: string
}

/** The JSON left where a document was. */
export const redactedJson = (stamp: RedactionStamp): string => JSON.stringify({ redacted: { at: stamp.at, reason: stamp.reason } })
