/**
 * Small reads for the CLI and the scheduler: cases, due counts, the verification queue, results
 * and the decision log. No locks: they report.
 */
import type { Case, CaseResult, Decision, QueuedVerification } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import { caseFromRow, toIso, verificationFromRow } from "../rows.js"

/** One page of `listCases`, in id order. */
export interface ListCasesOptions {
  readonly limit: number
  /** Keyset cursor: cases with id greater than this. */
  readonly afterId?: string
}

/** A verification-queue entry: core's request with its id and resolution (`QueuedVerification`). */
export type VerificationQueueEntry = QueuedVerification

export interface DecisionRecord {
  readonly id: number
  readonly caseId: string
  readonly at: string
  readonly policyVersion: string
  readonly inputsDigest: string
  readonly decision: Decision
}

export const getCase = async (db: Kysely<Database>, caseId: string): Promise<Case | undefined> => {
  const row = await db.selectFrom("cases").selectAll().where("id", "=", caseId).executeTakeFirst()
  return row === undefined ? undefined : caseFromRow(row)
}

export const listCases = async (db: Kysely<Database>, o: ListCasesOptions): Promise<Array<Case>> => {
  let query = db.selectFrom("cases").selectAll().orderBy("id").limit(o.limit)
  if (o.afterId !== undefined) query = query.where("id", ">", o.afterId)
  return (await query.execute()).map(caseFromRow)
}

export const countDue = async (db: Kysely<Database>, until: number): Promise<number> => {
  const row = await db.selectFrom("cases").select((eb) => eb.fn.countAll<number>().as("n"))
    .where("due_at", "<=", until).where("closed_at", "is", null).executeTakeFirstOrThrow()
  return Number(row.n)
}

export const listVerificationQueue = async (db: Kysely<Database>, includeResolved: boolean): Promise<Array<VerificationQueueEntry>> => {
  let query = db.selectFrom("verification_queue").selectAll().orderBy("created_at").orderBy("id")
  if (!includeResolved) query = query.where("resolved_at", "is", null)
  return (await query.execute()).map(verificationFromRow)
}

export const listResults = async (db: Kysely<Database>, caseId: string): Promise<Array<CaseResult>> =>
  (await db.selectFrom("case_results").selectAll().where("case_id", "=", caseId).orderBy("received_at").execute()).map((r) => ({
    caseId: r.case_id, orderId: r.order_id, product: r.product as CaseResult["product"], receivedAt: toIso(r.received_at),
    employmentStatus: r.employment_status, annualIncome: r.annual_income, payPeriods: r.pay_periods, data: JSON.parse(r.data) as unknown
  }))

export const decisionsForCase = async (db: Kysely<Database>, caseId: string, limit: number): Promise<Array<DecisionRecord>> =>
  (await db.selectFrom("decisions").selectAll().where("case_id", "=", caseId).orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute())
    .map((r) => ({
      id: Number(r.id), caseId: r.case_id, at: toIso(r.at), policyVersion: r.policy_version, inputsDigest: r.inputs_digest,
      decision: JSON.parse(r.decision) as Decision
    }))
