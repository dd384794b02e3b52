/**
 * Resolves Truv order ids to lineages through the Truv client: `GET /v1/orders/{id}/`; when the
 * order is a refresh order, its `initial_order` is the root (followed until an order without
 * one, at most 10 hops); the root's `refresh_order` is the newest order of the chain, and the
 * chain in between comes from the root's order events (`order_created` of the refresh orders,
 * oldest first). About three requests per lineage (the root, the newest order, one page of
 * events); every request takes a slot of the client's budget per secret (Truv's 300 a minute),
 * and lineages already resolved in this import are not asked for again.
 *
 * An order Truv does not know (404, or an id it refuses) is a finding, not a failure; any other
 * Truv error (unreachable, credentials refused, throttled past the retries) fails the import.
 */
import { type LineageOrder, type TruvError } from "@recert/core"
import type { OrderJson, TruvClientApi } from "@recert/truv-adapter"
import { Effect } from "effect"
import { type Finding, lineageFromOrders, problem } from "./lineage-from-order.js"

const MAX_HOPS = 10
const EVENTS_PAGE = 100
const MAX_EVENT_PAGES = 20

/** The order, or null when Truv does not know it. */
const fetchOrder = (truv: TruvClientApi, id: string): Effect.Effect<OrderJson | null, TruvError> =>
  truv.getOrder(id).pipe(Effect.catchTags({ NotFound: () => Effect.succeed(null), InvalidRequest: () => Effect.succeed(null) }))

/** The refresh orders of `rootId`, oldest first, from its order events. */
const refreshChain = (truv: TruvClientApi, rootId: string) =>
  Effect.gen(function*() {
    const created: Array<{ id: string; at: string }> = []
    for (let page = 1; page <= MAX_EVENT_PAGES; page++) {
      const events = yield* truv.listOrderEvents(rootId, { includeRefreshOrders: true, page, pageSize: EVENTS_PAGE })
      for (const e of events.results) {
        if (e.type === "order_created" && e.is_refresh === true && e.order_id != null && e.order_id !== rootId && e.timestamp != null) {
          created.push({ id: e.order_id, at: e.timestamp })
        }
      }
      if (events.next == null) break
    }
    const seen = new Set<string>()
    return created.sort((a, b) => a.at.localeCompare(b.at)).filter((o) => !seen.has(o.id) && seen.add(o.id) !== undefined)
  })

/** The root of `given` (itself when it is one), or a finding saying why there is none. */
const rootOf = (truv: TruvClientApi, given: OrderJson) =>
  Effect.gen(function*() {
    let order = given
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const parent = order.initial_order
      if (parent == null || parent === "" || parent === order.id) return order
      const next = yield* fetchOrder(truv, parent)
      if (next === null) return problem("broken-lineage", `order ${order.id} names ${parent} as its initial order, which Truv does not know`)
      order = next
    }
    return problem("broken-lineage", `order ${given.id}: no root after ${MAX_HOPS} initial_order hops`)
  })

const isFinding = (x: OrderJson | Finding): x is Finding => "ok" in x

/** The chain after the root, with the newest order last even when the events lag behind it. */
const chainOf = (truv: TruvClientApi, root: OrderJson, newest: OrderJson | null) =>
  Effect.gen(function*() {
    if (newest === null) return []
    const events = yield* refreshChain(truv, root.id)
    const ids = events.map((e) => e.id)
    const chain = ids.includes(newest.id) ? events.slice(0, ids.indexOf(newest.id) + 1) : [...events, { id: newest.id, at: newest.created_at }]
    return chain.map((o, i): LineageOrder => ({ id: o.id, parentId: i === 0 ? root.id : chain[i - 1]!.id, createdAt: o.at }))
  })

/** One order id to its lineage's finding. */
export const resolveOrder = (truv: TruvClientApi, orderId: string): Effect.Effect<Finding, TruvError> =>
  Effect.gen(function*() {
    const given = yield* fetchOrder(truv, orderId)
    if (given === null) return problem("order-not-found", `order ${orderId} was not found at Truv`)
    const root = yield* rootOf(truv, given)
    if (isFinding(root)) return root
    const newestId = root.refresh_order
    const newest = newestId == null || newestId === "" || newestId === root.id ? null
      : newestId === given.id ? given : yield* fetchOrder(truv, newestId)
    if (newestId != null && newestId !== "" && newestId !== root.id && newest === null) {
      return problem("broken-lineage", `order ${root.id} names ${newestId} as its refresh order, which Truv does not know`)
    }
    const chain = yield* chainOf(truv, root, newest)
    const fetched = [newest, given.id === root.id || given.id === newest?.id ? null : given].filter((o): o is OrderJson => o !== null)
    return lineageFromOrders(root, chain, fetched)
  })
