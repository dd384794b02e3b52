/**
 * `recert result <case>`: the case's latest verification as a caseworker reads it (the summary,
 * the classification with every reason, the source) beside the previous one. `recert results
 * [--review] [--since <instant>]`: one line per case's latest verification. Both only read.
 */
import type { ChangeClass, LatestVerification, VerificationRecord } from "@recert/core"
import type { StoreShape } from "@recert/store"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { withStore } from "../database.js"
import { CommandFailed } from "../errors.js"
import * as Opt from "../options.js"
import { paint, printJson, printLines, table } from "../output.js"
import { renderResult } from "../render/result.js"
import { writeResultPdf } from "./result-pdf.js"
import { toIso } from "../time.js"

/** The previous verification's headline in `--json` (its full record is `recert result` on it, not repeated here). */
export interface PreviousJson {
  readonly orderId: string
  readonly via: VerificationRecord["via"]
  readonly verifiedAt: string
  readonly class: ChangeClass
  readonly reasonCodes: ReadonlyArray<string>
  readonly monthlyIncomeCents: number | null
  readonly weeklyHours: number | null
}

/** The `--json` shape of `result`: the latest verification without Truv's raw JSON, and the previous one's headline. */
export interface ResultJson {
  readonly caseId: string
  readonly verification: Omit<VerificationRecord, "raw">
  readonly previous: PreviousJson | null
}

const previousJson = (v: VerificationRecord): PreviousJson => ({
  orderId: v.orderId, via: v.via, verifiedAt: v.verifiedAt, class: v.result.class, reasonCodes: v.result.reasons.map((r) => r.code),
  monthlyIncomeCents: v.result.summary?.total.monthlyIncome.cents ?? null, weeklyHours: v.result.summary?.total.weeklyHours ?? null
})

export const result = Command.make("result", {
  caseId: Argument.String("case").pipe(Argument.withDescription("The case id")),
  pdf: Flag.String("pdf").pipe(Flag.withDescription("Also write the caseworker PDF of the latest verification to this file"), Flag.withMetavar("file.pdf"), Flag.optional),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("result")(function*({ caseId, pdf, db, json }) {
  const all = yield* withStore(db, "read", (store) => Effect.andThen(store.getCase(caseId), store.listVerifications(caseId)))
  const latest = all.at(-1)
  if (latest === undefined) {
    return yield* new CommandFailed({
      code: "no-verification", message: `case ${caseId} has no verification yet: its first renewal stores one (\`recert explain ${caseId}\` says when)`
    })
  }
  const previous = all.at(-2) ?? null
  if (Option.isSome(pdf)) yield* writeResultPdf(db, latest, pdf.value)
  if (json) {
    const { raw: _raw, ...verification } = latest
    return yield* printJson({ caseId, verification, previous: previous === null ? null : previousJson(previous) } satisfies ResultJson)
  }
  yield* printLines(renderResult(yield* paint, latest, previous))
})).pipe(
  Command.withDescription("A case's latest verification: income summary, renew or review with every reason, beside the previous one"),
  Command.withExamples([
    { command: "recert result case-17", description: "What changed since the last verification, and should a caseworker look?" },
    { command: "recert result case-17 --json | jq .verification.result.reasons", description: "The reasons as JSON" }
  ])
)

/** The `--json` shape of `results`. */
export interface ResultsJson {
  readonly count: number
  readonly renew: number
  readonly review: number
  readonly results: ReadonlyArray<LatestVerification>
}

const PAGE = 500

/** Every matching case's latest verification, page by page (keyset on case id). */
const allLatest = (store: StoreShape, filter: { readonly review?: boolean; readonly since?: string }) => Effect.gen(function*() {
  const out: Array<LatestVerification> = []
  for (;;) {
    const last = out.at(-1)
    const page = yield* store.latestVerifications({ ...filter, limit: PAGE, ...(last !== undefined ? { afterCaseId: last.caseId } : {}) })
    out.push(...page)
    if (page.length < PAGE) return out
  }
})

export const results = Command.make("results", {
  review: Flag.Boolean("review").pipe(Flag.withDescription("Only cases whose latest verification is review"), Flag.withDefault(false)),
  since: Opt.instant("since", "Only cases whose latest verification was made at or after this instant"),
  db: Opt.db,
  json: Opt.json
}, Effect.fn("results")(function*({ review, since, db, json }) {
  const filter = { ...(review ? { review: true } : {}), ...(Option.isSome(since) ? { since: toIso(since.value) } : {}) }
  const rows = yield* withStore(db, "read", (store) => allLatest(store, filter))
  const renew = rows.filter((r) => r.class === "renew").length
  if (json) return yield* printJson({ count: rows.length, renew, review: rows.length - renew, results: rows } satisfies ResultsJson)
  if (rows.length === 0) return yield* printLines([`no verifications${review ? " to review" : ""}${filter.since !== undefined ? ` since ${filter.since}` : ""}`])
  const p = yield* paint
  yield* printLines([
    ...table(p, ["CASE", "CLASS", "VERIFIED", "VIA", "ORDER", "REASONS"], rows.map((r) => [
      r.caseId, r.class === "renew" ? { text: "renew", paint: p.green } : { text: "review", paint: p.yellow }, r.verifiedAt, r.via, r.orderId,
      r.reasonCodes.length === 0 ? "-" : r.reasonCodes.join(" ")
    ])),
    "",
    `${rows.length} case(s): ${renew} renew, ${rows.length - renew} review`
  ])
})).pipe(
  Command.withDescription("One line per case's latest verification: renew or review, and the reasons' codes"),
  Command.withExamples([
    { command: "recert results --review", description: "The cases a caseworker should look at" },
    { command: "recert results --since 2026-11-22 --json", description: "Verified since Nov 22, as JSON" }
  ])
)
