/**
 * Appends a decision to the audit log (instant, policy version, inputs digest, the whole
 * decision). Append-only: no lock, no read.
 */
import type { Decision } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import { toMs } from "../rows.js"

export const insertDecision = async (db: Kysely<Database>, caseId: string, decision: Decision, inputsDigest: string): Promise<void> => {
  await db.insertInto("decisions").values({
    case_id: caseId, at: toMs(decision.at), policy_version: decision.policyVersion, inputs_digest: inputsDigest,
    verdict: decision.verdict, decision: JSON.stringify(decision)
  }).execute()
}
