/**
 * Every job kind the pass runs, in the order the dispatcher claims them: recovery first (rare,
 * and what a dead worker left blocks its cases), then renewals. To add a kind: write
 * `jobs/<kind>.ts` exporting a `JobHandler`, and add it here.
 */
import { followUpJob } from "./follow-up.js"
import type { JobHandler } from "./job-handler.js"
import { reconcileJob } from "./reconcile.js"
import { renewJob } from "./renew.js"
import { requestCheckJob } from "./request-check.js"

export const JOB_HANDLERS: ReadonlyArray<JobHandler> = [reconcileJob, followUpJob, renewJob, requestCheckJob]

export const RECOVERY_KINDS: ReadonlySet<string> = new Set(JOB_HANDLERS.filter((h) => h.recovery).map((h) => h.kind))

export const handlerOf = (kind: string): JobHandler | undefined => JOB_HANDLERS.find((h) => h.kind === kind)
