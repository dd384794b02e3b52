/**
 * The SQL store: the `Store` service (store.ts) implemented on SQLite and Postgres, one small
 * operation per file under ops/. `layer` opens the database (owned by the layer's scope:
 * `db.destroy()` on release), checks the encryption key, runs the migrations, and provides both
 * `Store` and core's `RenewalStore` from one implementation. Every operation reads `now` from
 * Effect's `Clock` (tests use `TestClock`) and maps driver failures to `StoreError`. The package
 * exports this module as `SqlStore` (`SqlStore.layer(options)`), as effect-smol exports
 * `SqlMessageStorage` beside the `MessageStorage` service that never imports it.
 */
import {
  type AttemptNotFound, type AttemptPatch, type IllegalTransition, type AttemptStatus, Baseline, type CaseInput, CaseNotFound, Case as CaseSchema,
  DEFAULT_POLICY_CONFIG, IllegalRequestTransition, type InputIssue, InvalidInput, issuesFromZod, Lineage, type LineageInput, RenewalStore, requestPolicyOf,
  type RequestNotFound, type StoreError, TruvBudget, type ValidityEstimate
} from "@recert/core"
import { Clock, Context, Effect, Layer, Random, type Redacted } from "effect"
import { randomUUID } from "node:crypto"
import type { Kysely } from "kysely"
import type { Database } from "./database.js"
import type { DialectAdapter } from "./dialect/adapter.js"
import type { DatabaseUnavailable, EncryptionKeyInvalid, EncryptionKeyMismatch } from "./errors.js"
import { type CaseCloseRefused, type CaseRemovalRefused, LeaseLost, SchemaTooNew } from "./errors.js"
import { runMigrations, SchemaTooNewSignal, schemaVersion } from "./migrate.js"
import { LATEST_MIGRATION } from "./migrations.js"
import { adoptKey, databaseLabel, openStore } from "./open-store.js"
import * as attemptReads from "./ops/attempt-reads.js"
import { readContact } from "./ops/client-contacts.js"
import * as followUps from "./ops/follow-ups.js"
import { importCases } from "./ops/import-cases.js"
import { importFromTruv } from "./ops/import-from-truv.js"
import { insertBulk, insertChunked, type ValidBulkItem } from "./ops/insert-bulk.js"
import * as jobs from "./ops/jobs.js"
import * as lineageWrites from "./ops/lineage-writes.js"
import { moveLineage } from "./ops/lineage-move.js"
import * as requestCompletion from "./ops/request-completion.js"
import { loadSnapshotById } from "./ops/load-snapshots.js"
import * as reads from "./ops/reads.js"
import { insertDecision } from "./ops/record-decision.js"
import { reserve } from "./ops/reserve.js"
import { renewLease } from "./ops/renew-lease.js"
import { stats } from "./ops/stats.js"
import { validityEstimates } from "./ops/validity-estimates.js"
import { DEFAULT_PAGE_SIZE, streamDueCaseLoads, streamDueCases } from "./ops/stream-due-cases.js"
import { removeCase } from "./ops/remove-case.js"
import { closeCase } from "./ops/close-case.js"
import { connectionDeleted, ERASED_TOKEN } from "./ops/connection-deleted.js"
import { redact, redactionsForCase } from "./ops/redact.js"
import { attemptsWrittenBy, recordOutcome, transitionAttempt } from "./ops/transition-attempt.js"
import * as verificationIntents from "./ops/verification-intents.js"
import * as outboxDeliveries from "./ops/outbox-deliveries.js"
import { appendOutboxEvent } from "./ops/outbox.js"
import { truvBudgetOf } from "./ops/truv-budget.js"
import * as requestLifecycle from "./ops/request-lifecycle.js"
import * as verificationQueue from "./ops/verification-queue.js"
import * as verifications from "./ops/verifications.js"
import * as inbox from "./ops/webhook-inbox.js"
import { claimWebhookEvents } from "./ops/claim-webhook-events.js"
import { completeWebhookEvent, releaseWebhookEvent } from "./ops/complete-webhook-event.js"
import { deferWebhookEvent, wakeWaitingWebhookEvents } from "./ops/defer-webhook-event.js"
import { caseToRow, toIso, toMs, uniformRows } from "./rows.js"
import { moveClosing } from "./ops/move-closing.js"
import { Abort, tryDb } from "./run.js"
import { Store, type StoreShape } from "./store.js"
import type { StoreOptions } from "./store-options.js"
import type { TokenCipher } from "./token-cipher.js"

const now = Clock.currentTimeMillis

const invalid = (what: string, issues: ReadonlyArray<InputIssue>) => new InvalidInput({ what, issues: [...issues] })

const validLineage = (raw: LineageInput, tokens: Readonly<Record<string, Redacted.Redacted<string>>>): Effect.Effect<ValidBulkItem["lineage"], InvalidInput> => {
  const parsed = Lineage.safeParse(raw)
  if (!parsed.success) return Effect.fail(invalid("lineage", issuesFromZod(parsed.error, "lineage")))
  const missing = parsed.data.connections.filter((c) => tokens[c.id] === undefined)
    .map((c) => ({ path: `accessTokens.${c.id}`, message: "no access token for this connection" }))
  return missing.length > 0 ? Effect.fail(invalid("lineage", missing)) : Effect.succeed(parsed.data)
}

const validCases = (raw: ReadonlyArray<CaseInput>): Effect.Effect<Array<ValidBulkItem["cases"][number]>, InvalidInput> => {
  const out: Array<ValidBulkItem["cases"][number]> = []
  const issues: Array<InputIssue> = []
  raw.forEach((c, i) => {
    const parsed = CaseSchema.safeParse(c)
    if (parsed.success) out.push(parsed.data)
    else issues.push(...issuesFromZod(parsed.error, `cases[${i}]`))
  })
  return issues.length > 0 ? Effect.fail(invalid("cases", issues)) : Effect.succeed(out)
}

/** The optional imported baselines of cases being inserted (`insertCases`), as JSON text, or null each. */
const validBaselines = (raw: ReadonlyArray<{ readonly baseline?: unknown }>): Effect.Effect<Array<string | null>, InvalidInput> => {
  const issues: Array<InputIssue> = []
  const out = raw.map((c, i) => {
    if (c.baseline == null) return null
    const parsed = Baseline.safeParse(c.baseline)
    if (parsed.success) return JSON.stringify(parsed.data)
    issues.push(...issuesFromZod(parsed.error, `cases[${i}].baseline`))
    return null
  })
  return issues.length > 0 ? Effect.fail(invalid("cases", issues)) : Effect.succeed(out)
}

const migrate = (db: Kysely<Database>, d: DialectAdapter) =>
  tryDb<Awaited<ReturnType<typeof runMigrations>>, SchemaTooNew>("migrate", () =>
    runMigrations(db, d).catch((error: unknown) => {
      throw error instanceof SchemaTooNewSignal
        ? new Abort(new SchemaTooNew({ unknownMigrations: [...error.unknown], latestKnown: LATEST_MIGRATION }))
        : error
    }))

const fromDatabase = (db: Kysely<Database>, d: DialectAdapter, cipher: TokenCipher, options: StoreOptions): StoreShape => {
  const config = options.policy ?? DEFAULT_POLICY_CONFIG
  // This store's writes on attempts are stamped with it (issue 15: a process counts its own writes).
  const writer = randomUUID()
  const requests = requestPolicyOf(config)
  // Validity learned from the ledger, as of the last `refreshValidityEstimates` (once per pass).
  let learned: ReadonlyArray<ValidityEstimate> | undefined = undefined
  const caseOrFail = <A>(caseId: string, a: A | undefined) => a === undefined ? Effect.fail(new CaseNotFound({ caseId })) : Effect.succeed(a)
  const fenced = (jobId: string, workerId: string) => (held: boolean) => held ? Effect.void : Effect.fail(new LeaseLost({ jobId, workerId }))
  const fencedEvent = (webhookId: string, workerId: string) => (held: boolean) =>
    held ? Effect.void : Effect.fail(new LeaseLost({ jobId: webhookId, workerId, subject: "webhook event" }))
  return {
    dialect: d.name,
    migrate: () => migrate(db, d),
    schemaVersion: () => tryDb("schemaVersion", () => schemaVersion(db, d)),

    insertLineage: (lineage, accessTokens) => Effect.gen(function*() {
      const valid = yield* validLineage(lineage, accessTokens)
      const at = yield* now
      yield* tryDb("insertLineage", () => insertBulk(db, d, cipher, [{ lineage: valid, accessTokens, cases: [] }], at))
    }),
    insertCases: (cases) => Effect.gen(function*() {
      const valid = yield* validCases(cases)
      const baselines = yield* validBaselines(cases)
      const at = yield* now
      yield* tryDb("insertCases", () => d.writeTransaction(db, async (trx) => {
        // The column only when a case has a baseline: seeding without one works on a schema before 0005.
        const withBaselines = baselines.some((b) => b !== null)
        await insertChunked(trx, d, "cases", uniformRows(valid.map((c, i) => ({ ...caseToRow(c, at), ...(withBaselines ? { baseline: baselines[i] ?? null } : {}) }))))
      }))
      return valid.length
    }),
    insertBulk: (items) => Effect.gen(function*() {
      const valid: Array<ValidBulkItem> = []
      for (const item of items) {
        valid.push({
          lineage: yield* validLineage(item.lineage, item.accessTokens), accessTokens: item.accessTokens, cases: yield* validCases(item.cases),
          ...(item.contacts === undefined ? {} : { contacts: item.contacts })
        })
      }
      const at = yield* now
      yield* tryDb("insertBulk", () => insertBulk(db, d, cipher, valid, at))
    }),
    importCases: (contents, format, o) => Effect.flatMap(now, (at) => tryDb("importCases", () => importCases(db, d, cipher, contents, format, o?.reach ?? null, at))),
    importCasesFromTruv: (contents, format, onboarding, o) => Effect.gen(function*() {
      const lineages: Array<Omit<ValidBulkItem, "cases">> = []
      for (const item of onboarding.lineages) lineages.push({ lineage: yield* validLineage(item.lineage, item.accessTokens), accessTokens: item.accessTokens })
      const at = yield* now
      const truv = { lineages, rootOf: onboarding.rootOf, ...(onboarding.contacts === undefined ? {} : { contacts: onboarding.contacts }) }
      return yield* tryDb("importCasesFromTruv", () => importFromTruv(db, d, cipher, contents, format, truv, o?.reach ?? null, at))
    }),

    getCase: (caseId) => tryDb("getCase", () => reads.getCase(db, caseId)).pipe(Effect.flatMap((c) => caseOrFail(caseId, c))),
    listCases: (o) => tryDb("listCases", () => reads.listCases(db, o)),
    loadSnapshot: (caseId) => tryDb("loadSnapshot", () => loadSnapshotById(db, caseId)).pipe(Effect.flatMap((s) => caseOrFail(caseId, s))),
    streamDueCases: (o) => streamDueCases(db, toMs(o.until), o.pageSize ?? DEFAULT_PAGE_SIZE),
    streamDueCaseLoads: (o) => streamDueCaseLoads(db, toMs(o.until), o.pageSize ?? DEFAULT_PAGE_SIZE),
    countDue: (until) => tryDb("countDue", () => reads.countDue(db, toMs(until))),
    ledgerForCase: (caseId) => tryDb("ledgerForCase", async () => {
      const c = await reads.getCase(db, caseId)
      return c === undefined ? undefined : attemptReads.ledgerForCase(db, caseId)
    }).pipe(Effect.flatMap((l) => caseOrFail(caseId, l))),
    ledgerForConnection: (connectionId) => tryDb("ledgerForConnection", () => attemptReads.ledgerForConnection(db, connectionId)),
    listVerificationQueue: (o) => tryDb("listVerificationQueue", () => reads.listVerificationQueue(db, o?.includeResolved ?? false)),
    resolveVerification: (id, resolution = "handled") => Effect.flatMap(now, (at) =>
      tryDb("resolveVerification", () => verificationQueue.resolveVerification(db, d, id, resolution, at, requests))),
    transitionRequest: (id, to, reason, at, o) => Effect.flatMap(now, (clock) =>
      tryDb<Awaited<ReturnType<typeof requestLifecycle.transitionRequest>>, RequestNotFound | IllegalRequestTransition>("transitionRequest", () =>
        requestLifecycle.transitionRequest(db, d, id, to, reason, at === undefined ? clock : toMs(at), requests, o?.notify === true))),
    escalateWithoutAsking: (request, why) => Effect.flatMap(now, (at) =>
      tryDb("escalateWithoutAsking", () => requestLifecycle.escalateWithoutAsking(db, d, request, why, at, requests))),
    expireRequest: (id) => Effect.flatMap(now, (at) =>
      tryDb<Awaited<ReturnType<typeof requestLifecycle.expireRequest>>, RequestNotFound>("expireRequest", () => requestLifecycle.expireRequest(db, d, id, at, requests))),
    dueRequests: (limit) => Effect.flatMap(now, (at) => tryDb("dueRequests", () => requestLifecycle.dueRequests(db, at, limit))),
    caseRequests: (caseId) => tryDb("caseRequests", () => requestLifecycle.caseRequests(db, caseId)),
    listResults: (caseId) => tryDb("listResults", () => reads.listResults(db, caseId)),
    decisionsForCase: (caseId, limit = 20) => tryDb("decisionsForCase", () => reads.decisionsForCase(db, caseId, limit)),
    stats: (o) => tryDb("stats", () => stats(db, toMs(o.since))),
    validityEstimates: () => tryDb("validityEstimates", () => validityEstimates(db)),
    refreshValidityEstimates: () => tryDb("refreshValidityEstimates", async () => {
      learned = await validityEstimates(db)
      return learned
    }),

    recordDecision: (caseId, decision, digest) => tryDb("recordDecision", () => insertDecision(db, caseId, decision, digest)),
    rescheduleCase: (caseId, nextDueAt, lastVerifiedAt) => tryDb("rescheduleCase", async () => {
      const r = await db.updateTable("cases").set({ due_at: toMs(nextDueAt), last_verified_at: lastVerifiedAt === null ? null : toMs(lastVerifiedAt) })
        .where("id", "=", caseId).executeTakeFirst()
      return r.numUpdatedRows > 0n
    }).pipe(Effect.flatMap((found) => found ? Effect.void : Effect.fail(new CaseNotFound({ caseId })))),
    moveClosing: (caseId, closingDate) => tryDb("moveClosing", () => moveClosing(db, caseId, closingDate)),
    removeCase: (caseId) => tryDb<Awaited<ReturnType<typeof removeCase>>, CaseNotFound | CaseRemovalRefused>("removeCase", () => removeCase(db, d, caseId)),
    closeCase: (caseId, reason) => Effect.flatMap(now, (t) =>
      tryDb<Awaited<ReturnType<typeof closeCase>>, CaseNotFound | CaseCloseRefused>("closeCase", () => closeCase(db, d, caseId, reason, t))),
    redact: (options) => Effect.flatMap(now, (t) => tryDb<Awaited<ReturnType<typeof redact>>, CaseNotFound>("redact", () => redact(db, d, options, t))),
    redactionsForCase: (caseId) => tryDb("redactionsForCase", () => redactionsForCase(db, caseId)),
    setLineageStatus: (rootOrderId, status) => tryDb("setLineageStatus", () => lineageWrites.setLineageStatus(db, rootOrderId, status)),

    reserve: (input) => Effect.flatMap(now, (at) =>
      tryDb<Awaited<ReturnType<typeof reserve>>, CaseNotFound>("reserve", () =>
        reserve(db, d, { caseId: input.caseId, product: input.product, oncePerCycle: input.oncePerCycle === true, now: at, config, hooks: options.hooks, validity: learned }))),
    transitionAttempt: (attemptId: string, to: AttemptStatus, patch: AttemptPatch = {}) => Effect.flatMap(now, (at) =>
      tryDb<Awaited<ReturnType<typeof transitionAttempt>>, AttemptNotFound | IllegalTransition>(
        "transitionAttempt", () => transitionAttempt(db, attemptId, to, patch, at, writer))),
    recordOutcome: (attemptId, connectionId, status, outcomeAt) => Effect.flatMap(now, (at) =>
      tryDb<Awaited<ReturnType<typeof recordOutcome>>, AttemptNotFound | IllegalTransition>(
        "recordOutcome", () => recordOutcome(db, attemptId, connectionId, status, outcomeAt, at, writer))),
    findAttemptByOrderId: (orderId) => tryDb("findAttemptByOrderId", () => attemptReads.findAttemptByOrderId(db, orderId)),
    attemptsWrittenHere: (since) => tryDb("attemptsWrittenHere", () => attemptsWrittenBy(db, writer, since)),
    unresolvedAttempts: (before) => tryDb("unresolvedAttempts", () => attemptReads.unresolvedAttempts(db, toMs(before))),
    appendOrder: (rootOrderId, order) => tryDb("appendOrder", () => lineageWrites.appendOrder(db, rootOrderId, order)),
    updateConnection: (connectionId, patch) => tryDb("updateConnection", () => lineageWrites.updateConnection(db, connectionId, patch)),
    connectionDeleted: (connectionId, at) => tryDb("connectionDeleted", () => connectionDeleted(db, d, connectionId, toMs(at))),
    accessToken: (connectionId) => tryDb("accessToken", async () => {
      const row = await db.selectFrom("connections").select("access_token").where("id", "=", connectionId).executeTakeFirst()
      if (row === undefined) throw new Error(`no connection with id "${connectionId}"`)
      if (row.access_token === ERASED_TOKEN) throw new Error(`connection "${connectionId}": its access token was erased (its link deleted at Truv, or its case closed past retention)`)
      return cipher.decrypt(connectionId, row.access_token)
    }),
    enqueueVerification: (r) => Effect.flatMap(now, (at) => tryDb("enqueueVerification", () => d.writeTransaction(db, async (trx) => {
      const queued = await trx.insertInto("verification_queue").values({
        case_id: r.caseId, kind: r.kind, connection_ids: JSON.stringify(r.connectionIds), reason: r.reason, detail: r.detail,
        bridge_token: r.bridgeToken, share_url: r.shareUrl, order_id: r.orderId, created_at: toMs(r.createdAt), resolved_at: null,
        attempt_id: r.attemptId ?? null, lifecycle: "created"
      // A second request of one attempt's follow-up (same kind and connections) hits the unique
      // `verification_queue_attempt` index and is not stored; requests without an attempt never conflict.
      }).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst()
      if (queued === undefined) return
      // With its `case.client-action-needed` event (the step to `sent`), in the same transaction.
      await requestLifecycle.recordCreated(trx, queued, toMs(r.createdAt), "queued")
      const step = await requestLifecycle.stepRequest(trx, queued, "sent", "queued with Truv's answer", at, requests, { emit: true, notify: false })
      if (step instanceof IllegalRequestTransition) throw step
    }))),
    verificationsForAttempt: (attemptId) => tryDb("verificationsForAttempt", () => followUps.verificationsForAttempt(db, attemptId)),
    claimVerifications: (input) => Effect.flatMap(now, (at) =>
      tryDb("claimVerifications", () => verificationIntents.claimVerifications(db, d, { ...input, now: at }))),
    takeOverVerification: (id, leaseMs) => Effect.flatMap(now, (at) =>
      tryDb("takeOverVerification", () => verificationIntents.takeOverVerification(db, id, leaseMs, at))),
    markVerificationSent: (id, claim, leaseMs) => Effect.flatMap(now, (at) =>
      tryDb("markVerificationSent", () => verificationIntents.markVerificationSent(db, id, claim, leaseMs, at))),
    settleVerification: (id, settlement) => Effect.flatMap(now, (at) =>
      tryDb("settleVerification", () => verificationIntents.settleVerification(db, d, id, settlement, at, requests))),
    openVerificationsForCase: (caseId) => tryDb("openVerificationsForCase", () => verificationQueue.openVerificationsForCase(db, caseId)),
    saveVerification: (v) => Effect.flatMap(now, (at) => tryDb("saveVerification", () => verifications.saveVerification(db, d, v, at))),
    latestVerification: (caseId) => tryDb("latestVerification", async () => (await verifications.listVerifications(db, caseId, true))[0] ?? null),
    listVerifications: (caseId) => tryDb("listVerifications", () => verifications.listVerifications(db, caseId)),
    importedBaseline: (caseId) => tryDb("importedBaseline", () => verifications.importedBaseline(db, caseId)),
    caseContact: (caseId) => tryDb("caseContact", () => readContact(db, cipher, caseId)),
    latestVerifications: (o) => tryDb("latestVerifications", () => verifications.latestVerifications(db, o)),
    // Legacy (decisions.md): the scheduler saves verifications now; old rows stay readable through listResults.
    saveResult: (r) => tryDb("saveResult", async () => {
      const row = {
        case_id: r.caseId, order_id: r.orderId, product: r.product, received_at: toMs(r.receivedAt), employment_status: r.employmentStatus,
        annual_income: r.annualIncome, pay_periods: r.payPeriods, data: JSON.stringify(r.data ?? null)
      }
      await db.insertInto("case_results").values(row)
        .onConflict((oc) => oc.columns(["case_id", "order_id"]).doUpdateSet({
          product: row.product, received_at: row.received_at, employment_status: row.employment_status,
          annual_income: row.annual_income, pay_periods: row.pay_periods, data: row.data
        })).execute()
    }),

    enqueueJobs: (input) => Effect.flatMap(now, (at) => tryDb("enqueueJobs", () => jobs.enqueueJobs(db, d, input, at))),
    claimJobs: (o) => Effect.flatMap(now, (at) => tryDb("claimJobs", () => jobs.claimJobs(db, d, o, at))),
    completeJob: (jobId, workerId) => Effect.flatMap(now, (at) => tryDb("completeJob", () => jobs.completeJob(db, jobId, workerId, at)))
      .pipe(Effect.flatMap(fenced(jobId, workerId))),
    releaseJob: (jobId, workerId) => Effect.flatMap(now, (at) => tryDb("releaseJob", () => jobs.releaseJob(db, jobId, workerId, at)))
      .pipe(Effect.flatMap(fenced(jobId, workerId))),
    failJob: (jobId, workerId, error) => Effect.gen(function*() {
      const at = yield* now
      const random = yield* Random.next
      const result = yield* tryDb("failJob", () => jobs.failJob(db, jobId, workerId, error, at, random))
      return result === null ? yield* new LeaseLost({ jobId, workerId }) : result
    }),
    reclaimExpiredLeases: () => Effect.flatMap(now, (at) => tryDb("reclaimExpiredLeases", () => jobs.reclaimExpiredLeases(db, d, at))),
    renewLease: (jobId, workerId, leaseMs) => Effect.flatMap(now, (at) =>
      tryDb("renewLease", () => renewLease(db, jobId, workerId, at + leaseMs, at)).pipe(Effect.flatMap(fenced(jobId, workerId)), Effect.as(toIso(at + leaseMs)))),

    pendingFollowUps: (before, limit = 1000) => tryDb("pendingFollowUps", () => followUps.pendingFollowUps(db, toMs(before), limit)),
    markFollowedUp: (attemptId, then = []) => Effect.flatMap(now, (at) => tryDb("markFollowedUp", () => followUps.markFollowedUp(db, d, attemptId, then, at))),

    insertWebhookEvent: (e) => tryDb("insertWebhookEvent", () => inbox.insertWebhookEvent(db, e)),
    pendingWebhookEvents: (limit, options) => Effect.flatMap(now, (at) =>
      tryDb("pendingWebhookEvents", () => inbox.pendingWebhookEvents(db, limit, at, options?.includeWaiting ?? true))),
    markWebhookProcessed: (webhookId, result) => Effect.flatMap(now, (at) =>
      tryDb("markWebhookProcessed", () => inbox.markWebhookProcessed(db, webhookId, result, at))),
    claimWebhookEvents: (o) => Effect.flatMap(now, (at) => tryDb("claimWebhookEvents", () => claimWebhookEvents(db, d, o, at))),
    completeWebhookEvent: (webhookId, workerId, result) => Effect.flatMap(now, (at) =>
      tryDb("completeWebhookEvent", () => completeWebhookEvent(db, webhookId, workerId, result, at))).pipe(Effect.flatMap(fencedEvent(webhookId, workerId))),
    releaseWebhookEvent: (webhookId, workerId) => Effect.flatMap(now, (at) =>
      tryDb("releaseWebhookEvent", () => releaseWebhookEvent(db, webhookId, workerId, at))).pipe(Effect.flatMap(fencedEvent(webhookId, workerId))),
    deferWebhookEvent: (webhookId, workerId, until, note) => Effect.flatMap(now, (at) =>
      tryDb("deferWebhookEvent", () => deferWebhookEvent(db, webhookId, workerId, toMs(until), note, at))).pipe(Effect.flatMap(fencedEvent(webhookId, workerId))),
    wakeWaitingWebhookEvents: () => Effect.flatMap(now, (at) => tryDb("wakeWaitingWebhookEvents", () => wakeWaitingWebhookEvents(db, at))),

    requestForOrder: (orderId) => tryDb("requestForOrder", () => requestCompletion.requestForOrder(db, orderId)),
    openRequestsForConnection: (connectionId) => tryDb("openRequestsForConnection", () => requestCompletion.openRequestsForConnection(db, connectionId)),
    openOrderRequests: (createdBefore, limit = 500) => tryDb("openOrderRequests", () => requestCompletion.openOrderRequests(db, toMs(createdBefore), limit)),
    completeRequest: (requestId, at, how) => tryDb("completeRequest", () => requestCompletion.completeRequest(db, d, requestId, toMs(at), how, requests)),
    moveLineage: (move) => Effect.gen(function*() {
      const lineage = yield* validLineage(move.lineage, move.accessTokens)
      return yield* tryDb("moveLineage", () => moveLineage(db, d, cipher, { ...move, lineage }))
    }),

    ...outboxMethods(db, d)
  }
}

/** The outbox and its deliveries (ops/outbox.ts, ops/outbox-deliveries.ts). */
const outboxMethods = (db: Kysely<Database>, d: DialectAdapter): Pick<StoreShape,
  "appendEvent" | "fanOutDeliveries" | "claimDeliveries" | "completeDelivery" | "failDelivery" | "releaseDelivery" | "redeliver" | "listEvents" | "deliveryCounts"> => {
  const fencedDelivery = (ref: { readonly destination: string; readonly eventSeq: number }, workerId: string) => (held: boolean) =>
    held ? Effect.void : Effect.fail(new LeaseLost({ jobId: `${ref.destination}/${ref.eventSeq}`, workerId, subject: "delivery" }))
  return {
    appendEvent: (draft) => Effect.flatMap(now, (at) => tryDb("appendEvent", () => d.writeTransaction(db, (trx) => appendOutboxEvent(trx, draft, at)))),
    fanOutDeliveries: (targets) => Effect.flatMap(now, (at) => tryDb("fanOutDeliveries", () => outboxDeliveries.fanOutDeliveries(db, d, targets, at))),
    claimDeliveries: (o) => Effect.flatMap(now, (at) => tryDb("claimDeliveries", () => outboxDeliveries.claimDeliveries(db, d, o, at))),
    completeDelivery: (ref, workerId, status) => Effect.flatMap(now, (at) =>
      tryDb("completeDelivery", () => outboxDeliveries.completeDelivery(db, ref, workerId, status, at))).pipe(Effect.flatMap(fencedDelivery(ref, workerId))),
    failDelivery: (ref, workerId, failure) => Effect.flatMap(now, (at) =>
      tryDb("failDelivery", () => outboxDeliveries.failDelivery(db, ref, workerId, failure, at))).pipe(Effect.flatMap(fencedDelivery(ref, workerId))),
    releaseDelivery: (ref, workerId) => Effect.flatMap(now, (at) =>
      tryDb("releaseDelivery", () => outboxDeliveries.releaseDelivery(db, ref, workerId, at))).pipe(Effect.flatMap(fencedDelivery(ref, workerId))),
    redeliver: (o) => Effect.flatMap(now, (at) => tryDb("redeliver", () => outboxDeliveries.redeliver(db, o, at))),
    listEvents: (o) => tryDb("listEvents", () => outboxDeliveries.listEvents(db, o)),
    deliveryCounts: () => tryDb("deliveryCounts", () => outboxDeliveries.deliveryCounts(db))
  }
}

/** What opening the store may fail with. */
export type StoreOpenError = EncryptionKeyInvalid | EncryptionKeyMismatch | DatabaseUnavailable | SchemaTooNew | StoreError

/** Opens the database (the opening sequence: open-store.ts) and migrates; it closes when the enclosing scope does. */
const open = (options: StoreOptions) => Effect.gen(function*() {
  const opened = yield* openStore(options)
  if (options.migrate !== false && options.readOnly !== true) yield* migrate(opened.db, opened.adapter)
  yield* adoptKey(opened, databaseLabel(options))
  return opened
})

/** Builds the store for `options`; the database closes when the enclosing scope does. */
export const make = (options: StoreOptions) =>
  Effect.map(open(options), (opened) => fromDatabase(opened.db, opened.adapter, opened.cipher, options))

/** Core's `TruvBudget` on the database (the budget every worker on it shares), for tools that need only that. */
export const makeTruvBudget = (options: StoreOptions) => Effect.map(open(options), (opened) => truvBudgetOf(opened.db, opened.adapter))

/**
 * Opens the database, checks the encryption key (well formed, and the database's own:
 * `EncryptionKeyMismatch`), runs pending migrations (unless `migrate: false` or `readOnly`) and
 * provides `Store`, core's `RenewalStore` and core's `TruvBudget` (the Truv request budget the
 * workers on this database share). The database closes with the layer's scope.
 *
 * @example
 * Effect.provide(program, SqlStore.layer({ url: ".recert/recert.sqlite", encryptionKey: Redacted.make(key) }))
 */
export const layer = (options: StoreOptions): Layer.Layer<Store | RenewalStore | TruvBudget, StoreOpenError> =>
  Layer.effectContext(Effect.map(open(options), (opened) => {
    const shape = fromDatabase(opened.db, opened.adapter, opened.cipher, options)
    return Context.make(Store, shape).pipe(Context.add(RenewalStore, shape), Context.add(TruvBudget, truvBudgetOf(opened.db, opened.adapter)))
  }))
