/**
 * `recert queue [--all]`: the verification-link queue, the cases that need the user (a Bridge
 * update-mode token to re-authenticate, or a new order), oldest first.
 * `recert queue resolve <id> [--as handled|superseded]`: marks an open entry resolved. The
 * scheduler does not ask the user again while an entry still serves (a Bridge token for 6 h, a
 * new order until Truv's expiry), so a caseworker who has dealt with the case by other means
 * resolves it here, and the next renewal may ask again.
 *
 * Each entry shows its lifecycle (issue 16): its state, its age at the clock's now, the reminders
 * sent and when it expires (`recert case <id>` prints every transition).
 */
import type { RequestLifecycle } from "@recert/core"
import type { StoreShape, VerificationQueueEntry } from "@recert/store"
import { Clock, Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { withStore } from "../database.js"
import { CommandFailed } from "../errors.js"
import * as Opt from "../options.js"
import { orDash, paint, printable, printJson, printLines, table } from "../output.js"

/** An entry's lifecycle as `queue` shows it; `ageHours` at the clock's now. */
export interface QueueLifecycle {
  readonly state: RequestLifecycle["state"]
  readonly ageHours: number
  readonly reminders: number
  readonly lastRemindedAt: string | null
  readonly expiresAt: string | null
  readonly nextDueAt: string | null
}

/** The `--json` shape of `queue`. */
export interface QueueJson {
  readonly open: number
  readonly entries: ReadonlyArray<VerificationQueueEntry & { readonly lifecycle: QueueLifecycle | null }>
}

/** An age as `3d 4h` (a day or more) or `5h 12m`. */
export const formatAge = (ms: number): string => {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor(minutes / 60) % 24, minutes % 60]
  return d > 0 ? `${d}d ${h}h` : `${h}h ${m}m`
}

/** The lifecycle of each entry, read per case (`caseRequests`). */
const lifecyclesOf = (store: StoreShape, entries: ReadonlyArray<VerificationQueueEntry>) =>
  Effect.gen(function*() {
    const byId = new Map<number, RequestLifecycle>()
    for (const caseId of new Set(entries.map((e) => e.caseId))) for (const r of yield* store.caseRequests(caseId)) byId.set(r.id, r)
    return byId
  })

/** What the caseworker sends the user: the link, or that a Bridge token is ready. */
const link = (e: VerificationQueueEntry): string =>
  e.shareUrl ?? (e.bridgeToken !== null ? "bridge token ready" : e.orderId !== null ? `order ${e.orderId}` : "pending")

/** The `--json` shape of `queue resolve`. */
export interface ResolveJson {
  readonly id: number
  readonly caseId: string
  readonly kind: VerificationQueueEntry["kind"]
  readonly resolution: "handled" | "superseded"
  readonly resolvedAt: string
}

const resolve = Command.make("resolve", {
  id: Argument.Int("id").pipe(Argument.withDescription("The entry's ID (the first column of `recert queue`)")),
  as: Flag.Literals("as", ["handled", "superseded"]).pipe(
    Flag.withDescription("handled: the user was dealt with; superseded: replaced by another link (default handled)"),
    Flag.withDefault("handled" as const)
  ),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("queue resolve")(function*({ id, as, db, json }) {
  const entry = yield* withStore(db, "write", (store) => Effect.gen(function*() {
    const find = Effect.map(store.listVerificationQueue({ includeResolved: true }), (all) => all.find((e) => e.id === id))
    const before = yield* find
    if (before === undefined) {
      return yield* new CommandFailed({ code: "unknown-entry", message: `no verification queue entry ${id}: \`recert queue --all\` lists them` })
    }
    const resolved = before.resolvedAt === null && (yield* store.resolveVerification(id, as))
    // Read back either way: the instant it was resolved (now, or by whoever came first).
    const after = (yield* find) ?? before
    if (!resolved) {
      return yield* new CommandFailed({
        code: "already-resolved", message: `entry ${id} was already resolved at ${after.resolvedAt ?? "?"} (${after.resolution ?? "handled"}): nothing changed`
      })
    }
    return after
  }))
  const resolvedAt = entry.resolvedAt ?? ""
  if (json) return yield* printJson({ id, caseId: entry.caseId, kind: entry.kind, resolution: as, resolvedAt } satisfies ResolveJson)
  yield* printLines([`resolved entry ${id} (${entry.kind} for ${printable(entry.caseId)}) as ${as} at ${resolvedAt}: the case's next renewal may ask the user again`])
})).pipe(
  Command.withDescription("Mark an open verification-queue entry resolved (handled, or superseded by another link)"),
  Command.withExamples([
    { command: "recert queue resolve 12", description: "Entry 12 was dealt with (the user re-authenticated in person, say)" },
    { command: "recert queue resolve 12 --as superseded --json", description: "Replaced by another link; the result as JSON" }
  ])
)

export const queue = Command.make("queue", {
  all: Flag.Boolean("all").pipe(Flag.withDescription("Include resolved entries"), Flag.withDefault(false)),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("queue")(function*({ all, db, json }) {
  const { entries, lifecycles } = yield* withStore(db, "read", (store) => Effect.gen(function*() {
    const entries = yield* store.listVerificationQueue({ includeResolved: all })
    return { entries, lifecycles: yield* lifecyclesOf(store, entries) }
  }))
  const now = yield* Clock.currentTimeMillis
  const lifecycleOf = (e: VerificationQueueEntry): QueueLifecycle | null => {
    const r = lifecycles.get(e.id)
    return r === undefined ? null : {
      state: r.state, ageHours: Math.round((now - Date.parse(e.createdAt)) / 36_000) / 100, reminders: r.reminders,
      lastRemindedAt: r.lastRemindedAt, expiresAt: r.expiresAt, nextDueAt: r.nextDueAt
    }
  }
  const open = entries.filter((e) => e.resolvedAt === null).length
  if (json) return yield* printJson({ open, entries: entries.map((e) => ({ ...e, lifecycle: lifecycleOf(e) })) } satisfies QueueJson)
  const p = yield* paint
  if (entries.length === 0) return yield* printLines(["the verification queue is empty"])
  yield* printLines([
    ...table(p, ["ID", "CASE", "KIND", "STATE", "AGE", "REMINDERS", "EXPIRES", "CONNECTIONS", "REASON", "CREATED", "LINK", ...(all ? ["RESOLVED", "AS"] : []), "DETAIL"], entries.map((e) => {
      const l = lifecycleOf(e)
      return [
        String(e.id), e.caseId, e.kind, orDash(l?.state), formatAge(now - Date.parse(e.createdAt)), orDash(l?.reminders), orDash(l?.expiresAt),
        e.connectionIds.join(" "), e.reason, e.createdAt, link(e), ...(all ? [orDash(e.resolvedAt), orDash(e.resolution)] : []), e.detail
      ]
    })),
    "",
    `${open} open entr${open === 1 ? "y" : "ies"}`
  ])
})).pipe(
  Command.withDescription("List the verification-link queue: cases waiting for the user to re-authenticate or reconnect"),
  Command.withExamples([
    { command: "recert queue", description: "Open entries" },
    { command: "recert queue --all --json", description: "Every entry, resolved ones included, as JSON" },
    { command: "recert queue resolve 12", description: "Mark entry 12 resolved (handled)" }
  ]),
  Command.withSubcommands([resolve])
)
