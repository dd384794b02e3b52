/**
 * Webhook payloads with exactly the fields of Truv's documented examples (truv-api-notes §4.3).
 * Each event gets a fresh `webhook_id`; timestamps are sandbox time in Truv's formats.
 */
import type { Product, TaskStatus } from "@recert/core"
import { isoMicrosOffset, isoMicrosZ } from "./truv-time.js"

interface Common {
  readonly webhookId: string
  readonly at: number
  readonly userId: string
}

const common = (eventType: string, c: Common) => ({
  webhook_id: c.webhookId,
  event_type: eventType,
  event_created_at: isoMicrosZ(c.at),
  updated_at: isoMicrosOffset(c.at),
  user_id: c.userId,
  template_id: null
})

export interface OrderEventFields extends Common {
  readonly orderId: string
  readonly orderNumber: string | null
  readonly employerId: string | null
  readonly linkId: string | null
  readonly dataSource: string | null
  readonly product: Product
  readonly status: string
}

const orderFields = (f: OrderEventFields) => ({
  order_id: f.orderId,
  order_number: f.orderNumber,
  employer_id: f.employerId,
  link_id: f.linkId,
  data_source: f.dataSource,
  product: f.product,
  status: f.status
})

export const orderCreated = (f: Omit<OrderEventFields, "employerId" | "linkId" | "dataSource" | "status">) => ({
  ...common("order-created", f),
  ...orderFields({ ...f, employerId: null, linkId: null, dataSource: null, status: "pending" })
})

export const orderStatusUpdated = (f: OrderEventFields) => ({ ...common("order-status-updated", f), ...orderFields(f) })

export const orderRefreshFailed = (f: OrderEventFields) => ({ ...common("order-refresh-failed", f), ...orderFields(f) })

/** `order-finalized` (truv-api-notes §4.2): no documented payload; the sandbox sends the order fields with status `finalized`. */
export const orderFinalized = (f: Omit<OrderEventFields, "employerId" | "linkId" | "dataSource" | "status">) => ({
  ...common("order-finalized", f),
  ...orderFields({ ...f, employerId: null, linkId: null, dataSource: null, status: "finalized" })
})

export interface TaskEventFields extends Common {
  readonly taskId: string
  readonly linkId: string
  readonly product: Product
  readonly dataSource: string
  /** The `tracking_info` of the Bridge token behind the task: for an order, the suborder id (`employer_id`). */
  readonly trackingInfo: string | null
  readonly status: TaskStatus
}

export const taskStatusUpdated = (f: TaskEventFields) => ({
  ...common("task-status-updated", f),
  task_id: f.taskId,
  link_id: f.linkId,
  product: f.product,
  data_source: f.dataSource,
  tracking_info: f.trackingInfo,
  status: f.status
})

/** `employment-updated` (truv-api-notes §4.2): a refresh found changed employment data (`object_id`: the employment). */
export const employmentUpdated = (f: Omit<TaskEventFields, "status"> & { readonly objectId: string }) => ({
  ...common("employment-updated", f),
  object_id: f.objectId,
  task_id: f.taskId,
  link_id: f.linkId,
  product: f.product,
  data_source: f.dataSource,
  tracking_info: f.trackingInfo
})

export const linkDisconnected = (f: Omit<TaskEventFields, "taskId" | "status">) => ({
  ...common("link-disconnected", f),
  link_id: f.linkId,
  product: f.product,
  data_source: f.dataSource,
  tracking_info: f.trackingInfo
})
