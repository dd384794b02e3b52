/**
 * zod schemas of Truv's responses (truv-api-notes §1.4, §2, §3, §5.3, §6). Liberal in what they
 * accept: unknown fields are tolerated (stripped), and wherever Truv's documents show more than
 * one form, every form is accepted and normalised to one (docs/decisions.md, "Truv fidelity"):
 * `employers[].provider` as a string or as `{ id, name, logo_url }` (normalised to the id),
 * timestamps with `Z` or an offset or as a plain `YYYY-MM-DD` date (normalised to ISO UTC), ids
 * and numbers as strings or numbers, `products` or the deprecated `verification_type`, open
 * enums (suborder status, event type) kept as sent. A missing or wrong required field fails
 * validation with its path, which the client reports as a `Transport` naming the field.
 * The documented examples these are held to: test/fixtures/truv-docs/.
 */
import { z } from "zod"

/** Truv's ids, order numbers and suborder numbers are strings; tolerate numbers. */
const Text = z.union([z.string(), z.number().transform(String)])

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i

/**
 * A Truv instant: `2021-04-21T21:45:14.418Z`, `2024-07-11T21:40:48.424655+00:00` (microseconds,
 * offset) or a plain date `2019-08-24` (midnight UTC). Normalised to `Date#toISOString()`.
 */
export const Timestamp = z.string().transform((s, ctx) => {
  const ms = DATE_ONLY.test(s) || DATE_TIME.test(s) ? Date.parse(s) : Number.NaN
  if (Number.isFinite(ms)) return new Date(ms).toISOString()
  ctx.addIssue({ code: "custom", message: "expected an ISO-8601 date, or a timestamp with Z or an offset" })
  return z.NEVER
})

/**
 * `employers[].provider`: the provider id as a string (Truv's tables, the link reports) or the
 * object `{ id, name, logo_url }` (the Orders reference's examples). Normalised to the id.
 */
export const ProviderJson = z.union([
  z.string(),
  z.object({ id: z.string(), name: z.string().nullable().optional(), logo_url: z.string().nullable().optional() }).transform((p) => p.id)
])

export const SuborderJson = z.object({
  id: z.string(),
  suborder_number: Text.nullable().optional(),
  /** Open enum (`pending, sent, completed, error, canceled, expired, no_data, skipped`): kept as sent. */
  status: z.string(),
  created_at: Timestamp.nullable().optional(),
  /** Not in Truv's suborder schema; read when sent (onboarding's authenticated-at). */
  completed_at: Timestamp.nullable().optional(),
  link_id: z.string().nullable().optional(),
  access_token: z.string().nullable().optional(),
  provider: ProviderJson.nullable().optional(),
  data_source: z.string().nullable().optional(),
  is_suspicious: z.boolean().nullable().optional(),
  company_name: z.string().nullable().optional()
})
export type SuborderJson = z.infer<typeof SuborderJson>

/**
 * An order. `products` is the current field; the old reference shows only the deprecated
 * `verification_type` (one product), which stands in when `products` is absent.
 */
export const OrderJson = z.object({
  id: Text,
  products: z.array(z.string()).optional(),
  verification_type: z.string().nullable().optional(),
  order_number: Text.nullable().optional(),
  user_id: z.string().nullable().optional(),
  initial_order: z.string().nullable().optional(),
  refresh_order: z.string().nullable().optional(),
  created_at: Timestamp,
  updated_at: Timestamp.nullable().optional(),
  expired_at: Timestamp.nullable().optional(),
  is_expired: z.boolean().nullable().optional(),
  canceled_at: Timestamp.nullable().optional(),
  /** When the first suborder completed (the user connected); onboarding's authenticated-at. */
  completed_at: Timestamp.nullable().optional(),
  share_url: z.string().nullable().optional(),
  bridge_token: z.string().nullable().optional(),
  /** The client as the order was created for them (onboarding reads them as the case's contact). */
  first_name: z.string().nullable().optional(),
  last_name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  external_user_id: z.string().nullable().optional(),
  employers: z.array(SuborderJson).nullable().optional(),
  financial_accounts: z.array(SuborderJson).nullable().optional()
}).transform((o, ctx) => {
  const { verification_type, ...rest } = o
  const products = o.products ?? (verification_type == null ? undefined : [verification_type])
  if (products === undefined) {
    ctx.addIssue({ code: "custom", path: ["products"], message: "expected products (or the deprecated verification_type)" })
    return z.NEVER
  }
  return { ...rest, products }
})
export type OrderJson = z.output<typeof OrderJson>

/**
 * `GET /v1/orders/`: a page of orders in Django REST's envelope (truv-api-notes §5.4: `count`,
 * `next`, `previous`, `results`; only `results` is required).
 */
export const OrdersPageJson = z.object({
  count: z.number().optional(),
  next: z.string().nullable().optional(),
  previous: z.string().nullable().optional(),
  results: z.array(OrderJson)
})
export type OrdersPageJson = z.output<typeof OrdersPageJson>

/** What a body that fails `OrderJson` may still tell: the order's id (the order exists). */
export const OrderIdOnly = z.object({ id: Text.pipe(z.string().min(1)) })

export const BridgeTokenJson = z.object({ bridge_token: z.string() })
export type BridgeTokenJson = z.infer<typeof BridgeTokenJson>

export const RefreshTaskCreatedJson = z.object({ task_id: Text })

/**
 * `GET /v1/refresh/tasks/{id}/`. `status` is kept as sent (an open enum); `refresh_date` is
 * deprecated with "a bad datetime format", so it is not read.
 */
export const RefreshTaskJson = z.object({
  id: Text,
  created_at: Timestamp,
  status: z.string()
})
export type RefreshTaskJson = z.infer<typeof RefreshTaskJson>

/**
 * `GET /v1/tasks/{id}/` (truv-api-notes §2, D23): `status` is kept as sent (an open enum; the
 * documented one is done, error, login_error, account_locked, mfa_error, config_error, no_data,
 * unavailable, unable_to_reset, not_supported). Only what tells a failure apart is read: the
 * task's `bridge_token`, `user_id` and `error_message` are not kept (stripped), so no token or
 * message travels further than this parse.
 */
export const TaskJson = z.object({
  id: Text,
  status: z.string(),
  link_id: z.string().nullable().optional(),
  order_id: z.string().nullable().optional(),
  product_type: z.string().nullable().optional()
})
export type TaskJson = z.infer<typeof TaskJson>

export const OrderEventJson = z.object({
  object: z.string().nullable().optional(),
  type: z.string(),
  is_refresh: z.boolean().optional(),
  order_id: z.string().nullable().optional(),
  timestamp: Timestamp.nullable().optional(),
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

/** The failing field paths of a zod failure, e.g. `employers.0.id` (paths, never values). */
export const issuePaths = (error: z.ZodError): Array<string> =>
  [...new Set(error.issues.map((i) => (i.path.length === 0 ? "(body)" : i.path.join("."))))]

/** A zod failure as one line: `employers.0.id: expected string` (paths, never values). */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.length === 0 ? "(body)" : i.path.join(".")}: ${i.message}`).join("; ")
