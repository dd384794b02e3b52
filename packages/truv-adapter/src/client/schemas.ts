/**
 * zod schemas of Truv's responses (truv-api-notes §1.4, §2, §3, §5.3, §6). Unknown fields are
 * tolerated (stripped); a missing required field fails validation with its path, which the
 * client reports as a `Transport` error naming the endpoint and the field.
 */
import { TaskStatus } from "@recert/core"
import { z } from "zod"

/** Truv's ids and suborder numbers are strings; tolerate numbers for the latter. */
const Text = z.union([z.string(), z.number().transform(String)])

export const SuborderJson = z.object({
  id: z.string(),
  suborder_number: Text.nullable().optional(),
  status: z.string(),
  link_id: z.string().nullable().optional(),
  access_token: z.string().nullable().optional(),
  provider: z.string().nullable().optional(),
  data_source: z.string().nullable().optional(),
  company_name: z.string().nullable().optional()
})
export type SuborderJson = z.infer<typeof SuborderJson>

export const OrderJson = z.object({
  id: z.string(),
  products: z.array(z.string()),
  order_number: Text.nullable().optional(),
  user_id: z.string().nullable().optional(),
  initial_order: z.string().nullable().optional(),
  refresh_order: z.string().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string().nullable().optional(),
  expired_at: z.string().nullable().optional(),
  is_expired: z.boolean().optional(),
  canceled_at: z.string().nullable().optional(),
  share_url: z.string().nullable().optional(),
  bridge_token: z.string().nullable().optional(),
  employers: z.array(SuborderJson).optional(),
  financial_accounts: z.array(SuborderJson).optional()
})
export type OrderJson = z.infer<typeof OrderJson>

export const BridgeTokenJson = z.object({ bridge_token: z.string() })
export type BridgeTokenJson = z.infer<typeof BridgeTokenJson>

export const RefreshTaskCreatedJson = z.object({ task_id: z.string() })

export const RefreshTaskJson = z.object({
  id: z.string(),
  created_at: z.string(),
  status: TaskStatus
})
export type RefreshTaskJson = z.infer<typeof RefreshTaskJson>

export const OrderEventJson = z.object({
  object: z.string().nullable().optional(),
  type: z.string(),
  is_refresh: z.boolean().optional(),
  order_id: z.string().nullable().optional(),
  timestamp: z.string().nullable().optional(),
  suborder_id: z.string().nullable().optional(),
  task_id: z.string().nullable().optional(),
  link_id: z.string().nullable().optional()
})
export type OrderEventJson = z.infer<typeof OrderEventJson>

export const OrderEventsPageJson = z.object({
  count: z.number().optional(),
  next: z.string().nullable().optional(),
  previous: z.string().nullable().optional(),
  results: z.array(OrderEventJson)
})
export type OrderEventsPageJson = z.infer<typeof OrderEventsPageJson>

/** `{"error":{"code","message","extra":{"invalid-params":[{field,message}]}}}` or `{"detail"}`. */
export const ErrorJson = z.union([
  z.object({
    error: z.object({
      code: z.string().optional(),
      message: z.string().optional(),
      extra: z.object({ "invalid-params": z.array(z.object({ field: z.string(), message: z.string() })).optional() }).nullable().optional()
    })
  }),
  z.object({ detail: z.string() })
])

/** A zod failure as one line: `employers.0.id: expected string` (paths, never values). */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.length === 0 ? "(body)" : i.path.join(".")}: ${i.message}`).join("; ")
