/**
 * `recert cases import <file> --from-truv`: onboarding. The file's `rootOrderId` may be any Truv
 * order id of a lineage (the original order or one of its refresh orders). For each distinct id
 * Recert asks Truv for the order and builds the lineage (truv/resolve-orders.ts), then writes
 * the lineages and the cases in one transaction (the store's `importCasesFromTruv`): any problem
 * and nothing is written. Cases and lineages already stored are kept, so importing again is
 * harmless. Needs Truv credentials (truv/truv-config.ts) and an encryption key for the access
 * tokens (`RECERT_ENCRYPTION_KEY`, or `encryption.key` beside the SQLite file): without either,
 * exit 2 before anything is asked or written.
 */
import { parseCsvCases, parseJsonCases } from "@recert/store"
import { TruvClient, type TruvClientApi } from "@recert/truv-adapter"
import type { ReachMode, TruvError } from "@recert/core"
import { Clock, Console, Effect, type Option } from "effect"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { resolveTarget, withStore } from "../database.js"
import { CliEnvironment } from "../environment.js"
import { CommandFailed, UsageError } from "../errors.js"
import { paint, printJson, printLines } from "../output.js"
import type { Finding } from "../truv/lineage-from-order.js"
import { type CaseFound, reportTable, type TruvImportJson } from "../truv/onboard-report.js"
import { resolveOrder } from "../truv/resolve-orders.js"
import { truvConfigFromEnvironment } from "../truv/truv-config.js"
import { ImportFailed } from "@recert/store"

export interface FromTruvOptions {
  readonly file: string
  readonly contents: string
  readonly format: "csv" | "json"
  readonly db: Option.Option<string>
  readonly json: boolean
  readonly dryRun: boolean
  /** Create (and migrate) the database when it does not exist yet; otherwise it must exist. */
  readonly create: boolean
  /** The deployment's reach mode: each case's contact (the file's, filled from its order's) must meet its needs. */
  readonly reach: ReachMode
}

const PROGRESS_EVERY = 25

/** Access tokens are stored encrypted: a key must exist before anything is fetched or written. */
const requireKey = (db: Option.Option<string>) =>
  Effect.gen(function*() {
    const { env } = yield* CliEnvironment
    if ((env["RECERT_ENCRYPTION_KEY"] ?? "") !== "") return
    const target = yield* resolveTarget(db)
    if (target.sqliteFile !== null && existsSync(join(dirname(target.sqliteFile), "encryption.key"))) return
    return yield* new UsageError({
      code: "encryption-key",
      message: `--from-truv stores Truv access tokens encrypted: set RECERT_ENCRYPTION_KEY (32 bytes, hex or base64; \`openssl rand -hex 32\`)${target.sqliteFile === null ? "" : ` or write it to ${join(dirname(target.label), "encryption.key")}`}`
    })
  })

const truvFailure = (e: TruvError): CommandFailed | UsageError =>
  e._tag === "Unauthorized"
    ? new UsageError({ code: "truv-credentials", message: `Truv refused the credentials (TRUV_CLIENT_ID, TRUV_SECRET): ${e.message}` })
    : new CommandFailed({ code: "truv-unavailable", message: `Truv: ${e.message}; nothing was written` })

/** Resolves each distinct order id once; every order id of a resolved lineage is then known. */
const resolveAll = (truv: TruvClientApi, orderIds: ReadonlyArray<string>, progress: boolean) =>
  Effect.gen(function*() {
    const found = new Map<string, Finding>()
    if (progress) yield* Console.error(`recert: resolving ${orderIds.length} order id(s) at Truv`)
    let done = 0
    for (const id of orderIds) {
      if (!found.has(id)) {
        const finding = yield* resolveOrder(truv, id)
        found.set(id, finding)
        if (finding.ok) for (const o of finding.lineage.orders) if (!found.has(o.id)) found.set(o.id, finding)
      }
      done += 1
      if (progress && (done % PROGRESS_EVERY === 0 || done === orderIds.length)) yield* Console.error(`recert: ${done}/${orderIds.length} order id(s) resolved`)
    }
    return found
  })

const caseFound = (c: { readonly line: number; readonly value: { readonly id: string; readonly rootOrderId: string } }, f: Finding): CaseFound => ({
  caseId: c.value.id, line: c.line, orderId: c.value.rootOrderId,
  rootOrderId: f.ok ? f.lineage.rootOrderId : null,
  orders: f.ok ? f.lineage.orders.map((o) => o.id) : [],
  connections: f.ok ? f.connections : [],
  problem: f.ok ? null : { code: f.code, message: f.message }
})

const refusedByTruv = (file: string, found: ReadonlyArray<CaseFound>): CommandFailed => {
  const bad = found.filter((c) => c.problem !== null)
  return new CommandFailed({
    code: "import-refused",
    message: `import of ${file} refused: ${bad.length} case(s) with a problem at Truv, nothing was written`,
    issues: bad.map((c) => ({ line: c.line, path: "rootOrderId", message: `case ${c.caseId}: ${c.problem!.message}` }))
  })
}

export const importFromTruv = (o: FromTruvOptions) =>
  Effect.gen(function*() {
    const truvConfig = yield* truvConfigFromEnvironment
    yield* requireKey(o.db)
    const now = yield* Clock.currentTimeMillis
    const parsed = o.format === "csv" ? parseCsvCases(o.contents, now) : parseJsonCases(o.contents, now)
    if ("issues" in parsed) return yield* new ImportFailed({ format: o.format, issues: [...parsed.issues] })
    const orderIds = [...new Set(parsed.cases.map((c) => c.value.rootOrderId))]
    const findings = yield* Effect.gen(function*() {
      return yield* resolveAll(yield* TruvClient, orderIds, !o.json)
    }).pipe(Effect.provide(TruvClient.layer(truvConfig)), Effect.mapError(truvFailure))
    const found = parsed.cases.map((c) => caseFound(c, findings.get(c.value.rootOrderId)!))
    const p = yield* paint
    if (found.some((c) => c.problem !== null)) {
      if (!o.json) yield* printLines(reportTable(p, found))
      return yield* refusedByTruv(o.file, found)
    }
    const lineages = [...new Map([...findings.values()].flatMap((f) => f.ok ? [[f.lineage.rootOrderId, f] as const] : [])).values()]
    const counts = o.dryRun
      ? { casesAdded: 0, casesKept: 0, lineagesAdded: 0, lineagesKept: 0 }
      : yield* withStore(o.db, o.create ? "create" : "write", (store) => Effect.andThen(o.create ? store.migrate() : Effect.void, store.importCasesFromTruv(o.contents, o.format, {
        lineages: lineages.map((f) => ({ lineage: f.lineage, accessTokens: f.accessTokens })),
        rootOf: Object.fromEntries([...findings].flatMap(([id, f]) => f.ok ? [[id, f.lineage.rootOrderId]] : [])),
        contacts: Object.fromEntries(lineages.map((f) => [f.lineage.rootOrderId, f.contact]))
      }, { reach: o.reach })))
    const report: TruvImportJson = {
      imported: counts.casesAdded, kept: counts.casesKept, lineagesAdded: counts.lineagesAdded, lineagesKept: counts.lineagesKept, dryRun: o.dryRun, cases: found
    }
    if (o.json) return yield* printJson(report)
    yield* printLines([
      ...reportTable(p, found), "",
      o.dryRun
        ? `dry run: ${found.length} case(s) and ${lineages.length} lineage(s) found at Truv for ${o.file}; nothing was written`
        : `imported ${counts.casesAdded} case(s) and ${counts.lineagesAdded} lineage(s) from ${o.file}; ${counts.casesKept} case(s) and ${counts.lineagesKept} lineage(s) were already stored`
    ])
  })
