/**
 * What processing one webhook event came to, as a tagged union: the inbox decides on the tag
 * (retry it, count it as changing nothing) and stores `webhookResultText` in the event's row for
 * people (`recert` and SQL readers see the same words as before: `final: case … refreshed`).
 *
 * | tag | meaning | inbox |
 * |---|---|---|
 * | `Final` | this event made the attempt final; the follow-up ran | processed |
 * | `Recorded` | one connection's terminal status recorded, others still open | processed |
 * | `Ignored` | nothing to do (other event types, a status already known, not our connection) | processed, changed nothing |
 * | `Invalid` | the body is not an event we can read | processed, changed nothing |
 * | `Retry` | no attempt of ours records its order yet (`waitingFor`), or processing failed | retried locally, then kept waiting (inbox.ts) |
 * | `Unmatched` | no attempt of ours created its order, and none in flight could have | processed, changed nothing, counted |
 * | `Request` | it concerned a client request of ours (issue 16: completed, still waiting, resolved before) | processed |
 * | `LinkDeleted` | Truv deleted a link of ours (issue 19): recorded deleted, its access token erased | processed |
 */
import type { TaskStatus } from "@recert/core"
import type { CaseOutcome } from "./outcome.js"

export type WebhookResult =
  | { readonly _tag: "Final"; readonly caseId: string; readonly outcome: CaseOutcome }
  | { readonly _tag: "Recorded"; readonly status: TaskStatus; readonly connectionId: string }
  | { readonly _tag: "Ignored"; readonly why: string }
  | { readonly _tag: "Invalid"; readonly error: string }
  | { readonly _tag: "Retry"; readonly why: string; readonly waitingFor?: WaitingFor }
  | { readonly _tag: "Unmatched"; readonly why: string }
  | { readonly _tag: "Request"; readonly what: string }
  | { readonly _tag: "LinkDeleted"; readonly linkId: string; readonly deletedAt: string; readonly openCases: ReadonlyArray<string> }

/** What an outcome event whose order is not ours yet names: its order and its connection (link). */
export interface WaitingFor {
  readonly orderId: string
  readonly linkId: string
}

export const WebhookResult = {
  Final: (caseId: string, outcome: CaseOutcome): WebhookResult => ({ _tag: "Final", caseId, outcome }),
  Recorded: (status: TaskStatus, connectionId: string): WebhookResult => ({ _tag: "Recorded", status, connectionId }),
  Ignored: (why: string): WebhookResult => ({ _tag: "Ignored", why }),
  Invalid: (error: string): WebhookResult => ({ _tag: "Invalid", error }),
  Retry: (why: string, waitingFor?: WaitingFor): WebhookResult => ({ _tag: "Retry", why, ...(waitingFor === undefined ? {} : { waitingFor }) }),
  Unmatched: (why: string): WebhookResult => ({ _tag: "Unmatched", why }),
  Request: (what: string): WebhookResult => ({ _tag: "Request", what }),
  LinkDeleted: (linkId: string, deletedAt: string, openCases: ReadonlyArray<string>): WebhookResult => ({ _tag: "LinkDeleted", linkId, deletedAt, openCases })
} as const

/** Whether the event changed nothing (the run report's "ignored (no change)"). */
export const changedNothing = (r: WebhookResult): boolean => r._tag === "Ignored" || r._tag === "Invalid" || r._tag === "Retry" || r._tag === "Unmatched"

/** The result as the inbox row stores it (`webhook_inbox.result`). */
export const webhookResultText = (r: WebhookResult): string => {
  switch (r._tag) {
    case "Final":
      return `final: case ${r.caseId} ${r.outcome}`
    case "Recorded":
      return `recorded ${r.status} for ${r.connectionId}`
    case "Ignored":
      return `ignored: ${r.why}`
    case "Invalid":
      return `invalid: ${r.error}`
    case "Retry":
      return `retry: ${r.why}`
    case "Unmatched":
      return `unmatched: ${r.why}`
    case "Request":
      return r.what
    case "LinkDeleted":
      return `link-deleted: ${r.linkId} recorded deleted at ${r.deletedAt}, its access token erased; never refreshed again` +
        (r.openCases.length === 0 ? "" : `; the client must connect again (new order) for case(s) ${r.openCases.join(", ")}`)
  }
}
