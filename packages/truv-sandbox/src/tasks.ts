/**
 * Refresh tasks: started when a refresh is accepted (the slot is used then), completed after the
 * configured delay with the outcome decided at acceptance, billed, and announced by webhooks.
 */
import type { Product, TaskStatus } from "@recert/core"
import { DISCONNECTING_STATUSES, outcomeOf } from "./behaviour.js"
import { isExpired, type ValidityFacts } from "./validity.js"
import type { EngineContext } from "./engine-context.js"
import { recordPull } from "./pay/pay-records.js"
import { notFound, ok, type SandboxResponse } from "./responses.js"
import type { SandboxLink, SandboxOrder, SandboxSuborder, SandboxTask } from "./state.js"
import { isoMillis } from "./truv-time.js"
import * as payload from "./webhook-payloads.js"

export function getRefreshTask(ctx: EngineContext, id: string): SandboxResponse {
  const task = ctx.state.tasks.get(id)
  if (task === undefined) return notFound()
  // `refresh_date` is deprecated ("invalid datetime format"); the documents show a plain date.
  return ok({ id: task.id, created_at: isoMillis(task.createdAt), refresh_date: isoMillis(task.createdAt).slice(0, 10), status: task.status })
}

/** The `error_message` of a task's terminal failure (the documents' example: "Invalid credentials provided"). */
const ERROR_MESSAGES: Partial<Record<TaskStatus, string>> = {
  login_error: "Invalid credentials provided", mfa_error: "MFA was not completed", account_locked: "The account is locked at the provider",
  unable_to_reset: "The credentials could not be reset", unavailable: "The provider is unavailable", config_error: "Configuration error",
  no_data: "The provider returned no data", not_supported: "The provider is not supported", error: "Unknown error"
}

/**
 * `GET /v1/tasks/{id}/` (truv-api-notes §2, D23): any task the sandbox ran (a refresh order's or a
 * link refresh's), with its status, product, provider, link, user, `error_message` (null unless
 * it failed), `tracking_info`, `data_source`, `order_id` (null for a link refresh task).
 * `bridge_token` is null: the sandbox's tasks are refreshes, none started from a Bridge token.
 */
export function getTask(ctx: EngineContext, id: string): SandboxResponse {
  const task = ctx.state.tasks.get(id)
  if (task === undefined) return notFound()
  const link = ctx.state.links.get(task.linkId)!
  return ok({
    id: task.id, status: task.status, product_type: task.product, provider: link.provider.id, link_id: link.id, user_id: link.userId,
    error_message: ERROR_MESSAGES[task.status] ?? null, tracking_info: task.trackingInfo, bridge_token: null, data_source: link.dataSource,
    is_suspicious: false, order_id: task.orderId, created_at: isoMillis(task.createdAt)
  })
}

/**
 * The non-terminal statuses a task passes through before `outcome` (truv-api-notes §2.1), sent
 * only with `intermediateWebhooks`: a success is logged in, parsed and fully parsed; `no_data`
 * stops after parsing; every failure happens at login.
 */
export const intermediateStatuses = (outcome: TaskStatus): ReadonlyArray<TaskStatus> =>
  outcome === "done" ? ["login", "parse", "full_parse"] : outcome === "no_data" ? ["login", "parse"] : ["login"]

export function startTask(ctx: EngineContext, link: SandboxLink, product: Product, now: number, free: boolean, order: SandboxOrder | null, suborder: SandboxSuborder | null): SandboxTask {
  link.refreshes.push(now)
  const task: SandboxTask = {
    id: ctx.prng.hexId(), linkId: link.id, orderId: order?.id ?? null, suborderId: suborder?.id ?? null, product,
    createdAt: now, status: "new", trackingInfo: suborder?.id ?? link.trackingInfo,
    outcome: outcomeOf(link.behaviour, isExpired(validityFacts(link), ctx.validity, now), now), free
  }
  ctx.state.tasks.set(task.id, task)
  ctx.report.mutable.tasks.created += 1
  const faults = ctx.faults()
  const delayMs = link.behaviour.kind === "slow" ? faults.slowCompletionDelayMs : faults.completionDelayMs
  if (faults.intermediateWebhooks) {
    // Spread over the completion delay, scheduled first so equal delays still fire in order.
    const steps = intermediateStatuses(task.outcome)
    steps.forEach((status, i) => ctx.work.schedule(Math.floor((delayMs * (i + 1)) / (steps.length + 1)), () => advanceTask(ctx, task, status)))
  }
  ctx.work.schedule(delayMs, () => completeTask(ctx, task))
  return task
}

/** A non-terminal step: the task's status moves on and `task-status-updated` says so. */
function advanceTask(ctx: EngineContext, task: SandboxTask, status: TaskStatus): void {
  const link = ctx.state.links.get(task.linkId)!
  task.status = status
  ctx.webhooks.emit(payload.taskStatusUpdated({
    webhookId: ctx.prng.hexId(), at: ctx.clock.now(), userId: link.userId, taskId: task.id, linkId: link.id, trackingInfo: task.trackingInfo,
    product: task.product, dataSource: link.dataSource, status
  }))
}

function completeTask(ctx: EngineContext, task: SandboxTask): void {
  const link = ctx.state.links.get(task.linkId)!
  const now = ctx.clock.now()
  const status: TaskStatus = task.outcome
  task.status = status
  link.lastStatus = status
  if (status === "done") recordPull(ctx.state, link.id, now, task.suborderId)
  ctx.report.taskStatus(status)
  const order = task.orderId === null ? undefined : ctx.state.orders.get(task.orderId)
  ctx.report.verification(order?.rootId ?? rootOfLink(ctx, link.id), link.id, status === "no_data" ? "notBilled" : task.free ? "free" : "billed")
  const common = { at: now, userId: link.userId, linkId: link.id, product: task.product, dataSource: link.dataSource, trackingInfo: task.trackingInfo }
  ctx.webhooks.emit(payload.taskStatusUpdated({ ...common, webhookId: ctx.prng.hexId(), taskId: task.id, status }))
  if (order !== undefined) {
    const suborder = order.suborders.find((s) => s.id === task.suborderId)!
    suborder.status = status === "done" ? "completed" : status === "no_data" ? "no_data" : "error"
    if (status === "done") suborder.completedAt = now
    order.updatedAt = now
    order.events.push({ type: status === "done" ? "order_completed" : "order_refresh_failed", orderId: order.id, isRefresh: true, timestamp: now, suborderId: suborder.id, taskId: task.id, linkId: link.id })
    const fields = { ...common, orderId: order.id, orderNumber: order.orderNumber, employerId: suborder.id }
    ctx.webhooks.emit(status === "done"
      ? payload.orderStatusUpdated({ ...fields, webhookId: ctx.prng.hexId(), status: "completed" })
      : payload.orderRefreshFailed({ ...fields, webhookId: ctx.prng.hexId(), status }))
  }
  if (status === "done" && ctx.faults().dataWebhooks) {
    // One employment per link in the sandbox: its id is derived from the link's, stable across refreshes.
    ctx.webhooks.emit(payload.employmentUpdated({ ...common, webhookId: ctx.prng.hexId(), taskId: task.id, objectId: `emp-${link.id}` }))
  }
  if (DISCONNECTING_STATUSES.has(status)) ctx.webhooks.emit(payload.linkDisconnected({ ...common, webhookId: ctx.prng.hexId() }))
}

function rootOfLink(ctx: EngineContext, linkId: string): string | null {
  for (const o of ctx.state.orders.values()) if (o.parentId === null && o.suborders.some((s) => s.linkId === linkId)) return o.id
  return null
}

/** What validity.ts needs to know of a link. */
export const validityFacts = (link: SandboxLink): ValidityFacts => ({
  authKind: link.authKind, providerName: link.provider.name, providerId: link.provider.id,
  authenticatedAt: link.authenticatedAt, validityDays: link.validityDays
})
