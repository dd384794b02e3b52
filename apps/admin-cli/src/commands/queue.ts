/**
 * `recert queue [--all]`: the verification-link queue, the cases that need the user (a Bridge
 * update-mode token to re-authenticate, or a new order), oldest first.
 */
import type { VerificationQueueEntry } from "@recert/store"
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { withStore } from "../database.js"
import * as Opt from "../options.js"
import { orDash, paint, printJson, printLines, table } from "../output.js"

/** The `--json` shape of `queue`. */
export interface QueueJson {
  readonly open: number
  readonly entries: ReadonlyArray<VerificationQueueEntry>
}

/** What the caseworker sends the user: the link, or that a Bridge token is ready. */
const link = (e: VerificationQueueEntry): string =>
  e.shareUrl ?? (e.bridgeToken !== null ? "bridge token ready" : e.orderId !== null ? `order ${e.orderId}` : "pending")

export const queue = Command.make("queue", {
  all: Flag.Boolean("all").pipe(Flag.withDescription("Include resolved entries"), Flag.withDefault(false)),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("queue")(function*({ all, db, json }) {
  const entries = yield* withStore(db, "read", (store) => store.listVerificationQueue({ includeResolved: all }))
  const open = entries.filter((e) => e.resolvedAt === null).length
  if (json) return yield* printJson({ open, entries } satisfies QueueJson)
  const p = yield* paint
  if (entries.length === 0) return yield* printLines(["the verification queue is empty"])
  yield* printLines([
    ...table(p, ["ID", "CASE", "KIND", "CONNECTIONS", "REASON", "CREATED", "LINK", ...(all ? ["RESOLVED"] : []), "DETAIL"], entries.map((e) => [
      String(e.id), e.caseId, e.kind, e.connectionIds.join(" "), e.reason, e.createdAt, link(e), ...(all ? [orDash(e.resolvedAt)] : []), e.detail
    ])),
    "",
    `${open} open entr${open === 1 ? "y" : "ies"}`
  ])
})).pipe(
  Command.withDescription("List the verification-link queue: cases waiting for the user to re-authenticate or reconnect"),
  Command.withExamples([
    { command: "recert queue", description: "Open entries" },
    { command: "recert queue --all --json", description: "Every entry, resolved ones included, as JSON" }
  ])
)
