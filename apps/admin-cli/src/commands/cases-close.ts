/**
 * `recert cases close <id> [--reason <text>] [--delete-link]`: the end of a case. At Truv first:
 * each open verification request's order is canceled (`POST /v1/orders/{id}/cancel/`; a Bridge
 * update token has no order and simply expires), and with `--delete-link` each connection of the
 * case's lineage is deleted (`DELETE /v1/links/{link_id}/`: Truv removes the link and its data).
 * Then, in one store transaction, the case is closed: never due again, its open requests resolved
 * `canceled`, its pending jobs removed, and its personal data's retention clock started (`recert
 * redact`); each link gone at Truv (deleted now, or already) is recorded deleted and its access
 * token erased (`connectionDeleted`: useless now, and a liability; Truv's `link-deleted` webhook
 * later finds it recorded). A Truv failure stops before the store is touched (exit 1, nothing written; running the
 * command again repeats the Truv calls, which are safe to repeat). Truv is asked only when there
 * is something to cancel or delete, so a case with neither closes without Truv credentials.
 */
import type { TruvError } from "@recert/core"
import type { ClosedCase } from "@recert/store"
import { TruvClient } from "@recert/truv-adapter"
import { Clock, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { withStore } from "../database.js"
import { CommandFailed, UsageError } from "../errors.js"
import * as Opt from "../options.js"
import { printJson, printLines } from "../output.js"
import { truvConfigFor } from "../truv/truv-config.js"

/** The `--json` shape of `cases close`. */
export interface CloseJson extends ClosedCase {
  readonly truv: {
    /** Orders of open requests canceled at Truv. */
    readonly canceledOrders: ReadonlyArray<string>
    /** Links deleted at Truv (`--delete-link`), each `deleted` or `not-found` (already gone). */
    readonly deletedLinks: ReadonlyArray<{ readonly linkId: string; readonly result: "deleted" | "not-found" }>
  }
}

const truvFailure = (e: TruvError): CommandFailed | UsageError =>
  e._tag === "Unauthorized"
    ? new UsageError({ code: "truv-credentials", message: `Truv refused the credentials (TRUV_CLIENT_ID, TRUV_SECRET): ${e.message}` })
    : new CommandFailed({ code: "truv-unavailable", message: `Truv: ${e.message}; the case was not closed (run the command again)` })

export const closeCase = Command.make("close", {
  caseId: Argument.String("case").pipe(Argument.withDescription("The case id")),
  reason: Flag.String("reason").pipe(Flag.withDescription("Why the case ends (kept with the case)"), Flag.optional),
  deleteLink: Flag.Boolean("delete-link").pipe(Flag.withDescription("Also delete the case's Truv links (DELETE /v1/links/{link_id}/): Truv removes them and their data"), Flag.withDefault(false)),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("cases close")(function*({ caseId, reason, deleteLink, db, json }) {
  const { orders, links } = yield* withStore(db, "read", (store) => Effect.gen(function*() {
    const snapshot = yield* store.loadSnapshot(caseId)
    const open = yield* store.openVerificationsForCase(caseId)
    return {
      orders: [...new Set(open.flatMap((q) => q.kind === "new-order" && q.orderId !== null ? [q.orderId] : []))],
      links: deleteLink ? snapshot.lineage.connections.map((c) => c.id) : []
    }
  })).pipe(Effect.catchTag("CaseNotFound", (e) => Effect.fail(new CommandFailed({ code: "case-not-found", message: e.message }))))
  const truv = orders.length === 0 && links.length === 0 ? { canceledOrders: [], deletedLinks: [] } : yield* Effect.gen(function*() {
    const client = yield* TruvClient
    // A request's order Truv already canceled or expired is refused as invalid: it is canceled either way.
    const canceledOrders = yield* Effect.forEach(orders, (id) => client.cancelOrder(id).pipe(
      Effect.as(id), Effect.catchTag("InvalidRequest", () => Effect.succeed(id)), Effect.catchTag("NotFound", () => Effect.succeed(id))))
    const deletedLinks = yield* Effect.forEach(links, (linkId) => Effect.map(client.deleteLink(linkId), (result) => ({ linkId, result })))
    return { canceledOrders, deletedLinks }
  }).pipe(Effect.provide(TruvClient.layer(yield* truvConfigFor("cases close"))), Effect.mapError(truvFailure))
  const closed = yield* withStore(db, "write", (store) => Effect.gen(function*() {
    const c = yield* store.closeCase(caseId, Option.getOrNull(reason))
    const at = new Date(yield* Clock.currentTimeMillis).toISOString()
    for (const l of truv.deletedLinks) yield* store.connectionDeleted(l.linkId, at)
    return c
  })).pipe(
    Effect.catchTag("CaseCloseRefused", (e) => Effect.fail(new CommandFailed({ code: "close-refused", message: e.message }))),
    Effect.catchTag("CaseNotFound", (e) => Effect.fail(new CommandFailed({ code: "case-not-found", message: e.message })))
  )
  const out: CloseJson = { ...closed, truv }
  if (json) return yield* printJson(out)
  yield* printLines([
    closed.alreadyClosed ? `case ${caseId} was already closed at ${closed.closedAt}${closed.reason === null ? "" : ` (${closed.reason})`}` : `closed case ${caseId} at ${closed.closedAt}${closed.reason === null ? "" : ` (${closed.reason})`}: no more renewals`,
    `${closed.canceledRequests.length} open verification request(s) canceled${truv.canceledOrders.length === 0 ? "" : ` (orders canceled at Truv: ${truv.canceledOrders.join(", ")})`}; ${closed.removedJobs} pending job(s) removed`,
    ...(truv.deletedLinks.length === 0 ? [] : [`Truv links deleted: ${truv.deletedLinks.map((l) => `${l.linkId}${l.result === "not-found" ? " (already gone)" : ""}`).join(", ")}; their access tokens erased`]),
    "its personal data's retention clock has started: see `recert redact --case " + caseId + " --dry-run`"
  ])
})).pipe(
  Command.withDescription("Close a case: no more renewals, open requests canceled at Truv, optionally its Truv links deleted; starts its retention clock"),
  Command.withExamples([
    { command: "recert cases close case-17 --reason \"moved out of state\"", description: "End a case" },
    { command: "recert cases close case-17 --delete-link --json", description: "End it and delete its Truv connections" }
  ])
)
