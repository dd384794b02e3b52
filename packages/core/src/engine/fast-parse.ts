/**
 * A fast path for validating decision inputs. Zod builds an issue list, a payload object and a
 * closure per field, which cost several times a whole decision; most inputs are valid. This
 * module checks the exact shape `DecisionInput` accepts with plain loops and builds the same
 * output (defaults filled in, unknown keys dropped, keys in schema order). It answers only when
 * it is sure: anything unusual (an invalid field, a prototype that is not `Object.prototype`,
 * a symbol or `__proto__` key, an optional key present as `undefined`) returns `undefined` and
 * the caller asks zod, so the issue list of an invalid input is zod's, unchanged. A property
 * test checks that whatever it accepts, zod accepts with an identical output.
 */
import type { Attempt } from "../model/attempt.js"
import { AttemptStatus, Rejection } from "../model/attempt.js"
import type { DecisionInput } from "../model/decision-input.js"
import type { Connection, Lineage, LineageOrder } from "../model/lineage.js"
import { LineageStatus } from "../model/lineage.js"
import { AuthKind, Product, TaskStatus } from "../model/primitives.js"
import type { RefreshRequest, Selector } from "../model/request.js"
import { INSTANT_PATTERN } from "./time.js"

type Obj = Record<string, unknown>

const PRODUCTS: ReadonlySet<unknown> = new Set(Product.options)
const TASK_STATUSES: ReadonlySet<unknown> = new Set(TaskStatus.options)
const AUTH_KINDS: ReadonlySet<unknown> = new Set(AuthKind.options)
const ATTEMPT_STATUSES: ReadonlySet<unknown> = new Set(AttemptStatus.options)
const REJECTIONS: ReadonlySet<unknown> = new Set(Rejection.options)
const LINEAGE_STATUSES: ReadonlySet<unknown> = new Set(LineageStatus.options)
const KINDS: ReadonlySet<unknown> = new Set(["employer", "financial_account"])

const plain = (x: unknown): x is Obj => {
  if (typeof x !== "object" || x === null) return false
  const proto = Object.getPrototypeOf(x) as unknown
  return proto === Object.prototype || proto === null
}
const isId = (x: unknown): x is string => typeof x === "string" && x.length >= 1 && x.length <= 200
const isText = (x: unknown): x is string => typeof x === "string" && x.length >= 1
const isInstant = (x: unknown): x is string => typeof x === "string" && INSTANT_PATTERN.test(x)
const isBool = (x: unknown): x is boolean => typeof x === "boolean"

/** A `.nullable().default(null)` field: `undefined` (absent) and null give null. */
const nullable = <T>(x: unknown, ok: (x: unknown) => x is T): T | null | undefined =>
  x === undefined || x === null ? null : ok(x) ? x : undefined
/** A `.default(d)` field. */
const withDefault = <T>(x: unknown, ok: (x: unknown) => x is T, d: T): T | undefined =>
  x === undefined ? d : ok(x) ? x : undefined
const member = <T>(set: ReadonlySet<unknown>) => (x: unknown): x is T => set.has(x)

const isTaskStatus = member<Connection["lastTaskStatus"] & string>(TASK_STATUSES)

const order = (x: unknown): LineageOrder | undefined => {
  if (!plain(x) || !isId(x.id) || !isInstant(x.createdAt)) return undefined
  const parentId = x.parentId
  if (parentId !== null && !isId(parentId)) return undefined
  return { id: x.id, parentId, createdAt: x.createdAt }
}

const connection = (x: unknown): Connection | undefined => {
  if (!plain(x) || !isId(x.id) || !isId(x.suborderId) || !isText(x.provider) || !AUTH_KINDS.has(x.authKind) || !isInstant(x.authenticatedAt)) return undefined
  const suborderNumber = nullable(x.suborderNumber, isText)
  const kind = withDefault(x.kind, member<Connection["kind"]>(KINDS), "employer")
  const lastTaskStatus = nullable(x.lastTaskStatus, isTaskStatus)
  const lastStatusAt = nullable(x.lastStatusAt, isInstant)
  const mfaOnEveryLogin = withDefault(x.mfaOnEveryLogin, isBool, false)
  // `.nullable().optional()`: absent stays absent, an explicit undefined stays (as zod keeps it).
  const deletedAt = x.deletedAt === undefined ? undefined : nullable(x.deletedAt, isInstant)
  if (suborderNumber === undefined || kind === undefined || lastTaskStatus === undefined || lastStatusAt === undefined || mfaOnEveryLogin === undefined) return undefined
  if (x.deletedAt !== undefined && deletedAt === undefined) return undefined
  return {
    id: x.id, suborderId: x.suborderId, suborderNumber, kind, provider: x.provider, authKind: x.authKind as Connection["authKind"],
    authenticatedAt: x.authenticatedAt, lastTaskStatus, lastStatusAt, mfaOnEveryLogin, ...("deletedAt" in x ? { deletedAt } : {})
  }
}

/** `z.array(item)` with a minimum length, or undefined. */
const array = <T>(x: unknown, item: (x: unknown) => T | undefined, min: number): Array<T> | undefined => {
  if (!Array.isArray(x) || x.length < min) return undefined
  const out: Array<T> = new Array<T>(x.length)
  for (let i = 0; i < x.length; i++) {
    const v = item(x[i])
    if (v === undefined) return undefined
    out[i] = v
  }
  return out
}

const lineage = (x: unknown): Lineage | undefined => {
  if (!plain(x) || !isId(x.rootOrderId) || !PRODUCTS.has(x.orderType)) return undefined
  const gse = withDefault(x.gse, isBool, false)
  const orderNumber = nullable(x.orderNumber, isText)
  const userId = nullable(x.userId, isText)
  const status = withDefault(x.status, member<Lineage["status"]>(LINEAGE_STATUSES), "open")
  const orders = array(x.orders, order, 1)
  const connections = array(x.connections, connection, 1)
  if (gse === undefined || orderNumber === undefined || userId === undefined || status === undefined || orders === undefined || connections === undefined) return undefined
  return { rootOrderId: x.rootOrderId, orderType: x.orderType as Lineage["orderType"], gse, orderNumber, userId, status, orders, connections }
}

/** `z.record(z.string(), TaskStatus)`; keys zod treats specially (`__proto__`, symbols) are left to zod. */
const outcomes = (x: unknown): Attempt["outcomes"] | undefined => {
  if (x === undefined) return {}
  if (!plain(x) || Object.getOwnPropertySymbols(x).length > 0) return undefined
  const out: Attempt["outcomes"] = {}
  for (const key of Object.keys(x)) {
    const v = x[key]
    if (key === "__proto__" || !isTaskStatus(v)) return undefined
    out[key] = v
  }
  return out
}

const idOrUndefined = (v: unknown): string | undefined => (isId(v) ? v : undefined)
const productOrUndefined = (v: unknown): RefreshRequest["products"][number] | undefined =>
  PRODUCTS.has(v) ? (v as RefreshRequest["products"][number]) : undefined

const attempt = (x: unknown): Attempt | undefined => {
  if (!plain(x) || !isId(x.id) || !isInstant(x.at) || !PRODUCTS.has(x.product) || !ATTEMPT_STATUSES.has(x.status)) return undefined
  const connectionIds = array(x.connectionIds, idOrUndefined, 1)
  const orderId = nullable(x.orderId, isId)
  const rejection = nullable(x.rejection, member<Attempt["rejection"] & string>(REJECTIONS))
  const outs = outcomes(x.outcomes)
  const resolvedAt = nullable(x.resolvedAt, isInstant)
  const gseFree = withDefault(x.gseFree, isBool, false)
  if (connectionIds === undefined || orderId === undefined || rejection === undefined || outs === undefined || resolvedAt === undefined || gseFree === undefined) return undefined
  return {
    id: x.id, at: x.at, product: x.product as Attempt["product"], connectionIds, status: x.status as Attempt["status"],
    orderId, rejection, outcomes: outs, resolvedAt, gseFree
  }
}

/** `Selector`: a strict object with exactly one of `id` / `suborder_number`. */
const selector = (x: unknown): Selector | undefined => {
  if (!plain(x) || Object.getOwnPropertySymbols(x).length > 0) return undefined
  const keys = Object.keys(x)
  if (keys.length !== 1) return undefined
  if (keys[0] === "id") return isText(x.id) ? { id: x.id } : undefined
  if (keys[0] === "suborder_number") return isText(x.suborder_number) ? { suborder_number: x.suborder_number } : undefined
  return undefined
}

const request = (x: unknown): RefreshRequest | undefined => {
  if (!plain(x)) return undefined
  const products = array(x.products, productOrUndefined, 0)
  if (products === undefined) return undefined
  // An optional key present as `undefined` stays in zod's output: leave that to zod.
  if (("employers" in x && x.employers === undefined) || ("financial_accounts" in x && x.financial_accounts === undefined)) return undefined
  const out: { products: RefreshRequest["products"]; employers?: Array<Selector>; financial_accounts?: Array<Selector> } = { products }
  if (x.employers !== undefined) {
    const employers = array(x.employers, selector, 0)
    if (employers === undefined) return undefined
    out.employers = employers
  }
  if (x.financial_accounts !== undefined) {
    const accounts = array(x.financial_accounts, selector, 0)
    if (accounts === undefined) return undefined
    out.financial_accounts = accounts
  }
  return out
}

/** Whether `ids` has no duplicate (a nested loop for the usual handful, a Set beyond). */
const distinct = <T>(items: ReadonlyArray<T>, key: (t: T) => string): boolean => {
  if (items.length <= 8) {
    for (let i = 1; i < items.length; i++) for (let j = 0; j < i; j++) if (key(items[i]!) === key(items[j]!)) return false
    return true
  }
  const seen = new Set<string>()
  for (const item of items) seen.add(key(item))
  return seen.size === items.length
}

/** `lineageIssues(input).length === 0`, without building the issues. */
const consistent = (input: DecisionInput): boolean => {
  const { orders, connections } = input.lineage
  if (orders[0]!.parentId !== null || orders[0]!.id !== input.lineage.rootOrderId) return false
  if (!distinct(orders, (o) => o.id) || !distinct(connections, (c) => c.id) || !distinct(input.ledger, (a) => a.id)) return false
  const ids = connections.length > 8 ? new Set(connections.map((c) => c.id)) : null
  for (const a of input.ledger) {
    for (const id of a.connectionIds) {
      let known = ids?.has(id) ?? false
      for (let k = 0; ids === null && k < connections.length && !known; k++) known = connections[k]!.id === id
      if (!known) return false
    }
  }
  return true
}

/**
 * The parsed input when `raw` is certainly a valid decision input (schema and cross-field
 * checks); `undefined` when it is invalid or unusual, and zod must give the verdict.
 */
export const fastDecisionInput = (raw: unknown): DecisionInput | undefined => {
  if (!plain(raw)) return undefined
  // Learned validity estimates are rare and carry their own cross-checks: zod decides them.
  if (raw.validity !== undefined) return undefined
  // So is a loan's history on earlier lineages (lender cases moved to a new order).
  if (raw.loan !== undefined) return undefined
  const l = lineage(raw.lineage)
  if (l === undefined) return undefined
  const ledger = raw.ledger === undefined ? [] : array(raw.ledger, attempt, 0)
  if (ledger === undefined) return undefined
  const req = request(raw.request)
  if (req === undefined) return undefined
  const input: DecisionInput = { lineage: l, ledger, request: req }
  return consistent(input) ? input : undefined
}
