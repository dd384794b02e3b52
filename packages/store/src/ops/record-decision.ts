/**
 * Appends a decision to the audit log (instant, policy version, inputs digest, the whole
 * decision). Append-only: no lock, no read.
 */
import type { Decision } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import { toMs } from "../rows.js"

/** The audit row of a decision (reserve writes it in its own combined statement). */
export const decisionValues = (caseId: string, decision: Decision, inputsDigest: string) => ({
  case_id: caseId, at: toMs(decision.at), policy_version: decision.policyVersion, inputs_digest: inputsDigest,
  verdict: decision.verdict, decision: JSON.stringify(decision)
})

export const insertDecision = async (db: Kysely<Database>, caseId: string, decision: Decision, inputsDigest: string): Promise<void> => {
  await db.insertInto("decisions").values(decisionValues(caseId, decision, inputsDigest)).execute()
}
