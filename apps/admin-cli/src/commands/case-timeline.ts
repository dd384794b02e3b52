/**
 * `recert case <id> [--json]`: a case's timeline, oldest first: the decisions made about it, its
 * refresh attempts (the ledger), its verification requests and every transition of their
 * lifecycle (issue 16), and its verifications (the renewal results). One line per event, with the
 * instant, what it is and a short account; `--json` gives the same events with their data. An
 * unknown case exits 2 naming it. No personal data is printed: request lines name the request,
 * its kind and connections, never the link, the token or the client's contact.
 */
import type { Attempt, RequestLifecycle, VerificationRecord } from "@recert/core"
import type { DecisionRecord } from "@recert/store"
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { withStore } from "../database.js"
import { UsageError } from "../errors.js"
import * as Opt from "../options.js"
import { paint, printable, printJson, printLines, table } from "../output.js"

/** One event of the timeline. `order` breaks ties at one instant: decision, attempt, request, verification. */
export interface TimelineEvent {
  readonly at: string
  readonly kind: "decision" | "attempt" | "request" | "verification"
  readonly summary: string
}

export interface CaseTimelineJson {
  readonly caseId: string
  readonly events: ReadonlyArray<TimelineEvent>
}

const ORDER: Record<TimelineEvent["kind"], number> = { decision: 0, attempt: 1, request: 2, verification: 3 }

const decisionEvent = (d: DecisionRecord): TimelineEvent => ({
  at: d.at, kind: "decision",
  summary: `${d.decision.verdict}${d.decision.connections.flatMap((c) => c.reasons.map((r) => r.code)).filter((c, i, all) => all.indexOf(c) === i).map((c) => ` [${c}]`).join("")}`
})

const attemptEvents = (a: Attempt): Array<TimelineEvent> => [
  { at: a.at, kind: "attempt", summary: `refresh ${a.id} (${a.product}) of ${a.connectionIds.join(" ")}: ${a.status}${a.orderId === null ? "" : `, order ${a.orderId}`}` },
  ...(a.resolvedAt === null ? [] : [{
    at: a.resolvedAt, kind: "attempt" as const,
    summary: `refresh ${a.id} resolved: ${Object.entries(a.outcomes).map(([c, s]) => `${c}=${s}`).join(" ") || a.status}`
  }])
]

const requestEvents = (r: RequestLifecycle): Array<TimelineEvent> => r.transitions.map((t) => ({
  at: t.at, kind: "request",
  summary: `request ${r.id} (${r.kind} for ${r.connectionIds.join(" ")}) ${t.from === null ? "" : `${t.from} -> `}${t.to}: ${t.reason}`
}))

const verificationEvent = (v: VerificationRecord): TimelineEvent => ({
  at: v.verifiedAt, kind: "verification",
  summary: `verified by ${v.via} (order ${v.orderId}): ${v.result.class}${v.result.reasons.map((r) => ` [${r.code}]`).join("")}`
})

export const caseTimeline = Command.make("case", {
  id: Argument.String("id").pipe(Argument.withDescription("The case's ID")),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("case")(function*({ id, db, json }) {
  const events = yield* withStore(db, "read", (store) => Effect.gen(function*() {
    const attempts = yield* store.ledgerForCase(id).pipe(Effect.catchTag("CaseNotFound", () => Effect.fail(new UsageError({ code: "unknown-case", message: `no case with id "${printable(id)}": \`recert cases\` lists them` }))))
    const decisions = yield* store.decisionsForCase(id, 10_000)
    const requests = yield* store.caseRequests(id)
    const verifications = yield* store.listVerifications(id)
    return [...decisions.map(decisionEvent), ...attempts.flatMap(attemptEvents), ...requests.flatMap(requestEvents), ...verifications.map(verificationEvent)]
      .map((e, i) => ({ e, i }))
      .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || ORDER[a.e.kind] - ORDER[b.e.kind] || a.i - b.i)
      .map(({ e }) => e)
  }))
  if (json) return yield* printJson({ caseId: id, events } satisfies CaseTimelineJson)
  const p = yield* paint
  if (events.length === 0) return yield* printLines([`case ${printable(id)}: nothing happened yet`])
  yield* printLines([`case ${printable(id)}: ${events.length} event(s)`, ...table(p, ["AT", "WHAT", "EVENT"], events.map((e) => [e.at, e.kind, printable(e.summary)]))])
})).pipe(
  Command.withDescription("Print a case's timeline: decisions, refresh attempts, verification requests and their transitions, verifications"),
  Command.withExamples([
    { command: "recert case case-103", description: "The case's history, oldest first" },
    { command: "recert case case-103 --json", description: "The same events as JSON" }
  ])
)
