/**
 * A small scripted `TruvGateway` for tests: it keeps Truv's own rules (one product per request,
 * the product table, at most 3 refreshes per connection in any rolling 24 h, a refresh creates
 * a new order whose `initialOrder` is the root) so a workflow that breaks them fails here as it
 * would against Truv. Each connection's refresh outcome is scripted (`behaviours`), and any call
 * can be scripted to fail (`failures`). Time comes from Effect's Clock. It is not the sandbox
 * server of `@recert/truv-adapter` (HTTP, webhooks); it is the in-process stand-in.
 */
import { Clock, Context, Effect, Layer, Redacted } from "effect"
import { parseWith } from "../engine/validate.js"
import { HOUR_MS, toIso } from "../engine/time.js"
import { Lineage, type LineageInput } from "../model/lineage.js"
import { DEFAULT_PRODUCTS_BY_ORDER_TYPE } from "../model/policy-config.js"
import { Product, type TaskStatus } from "../model/primitives.js"
import type { EmployerRecord } from "../results/income-snapshot.js"
import { inMemorySnapshot } from "./in-memory-report.js"
import {
  InvalidRequest, NotFound, RefreshLimitExceeded, type RefreshOrderRequest, type RefreshTask, Transport,
  type TruvError, TruvGateway, type TruvOrder, type TruvSuborder, type TruvTask
} from "./truv-gateway.js"

/** The gateway's operations, by name (for scripted failures and the call log). */
export type TruvCallName =
  | "refreshOrder" | "getOrder" | "createOrder" | "createBridgeToken" | "createRefreshTask" | "getRefreshTask" | "fetchReport"
  | "findSuborderTask" | "findOrdersByNumber" | "cancelOrder" | "linkState"

/** One call the gateway received, in order, and how it ended. */
export interface TruvCall {
  readonly name: TruvCallName
  readonly at: string
  readonly request: unknown
  /** The tag of the error it failed with, or null when it succeeded. */
  readonly failedWith: TruvError["_tag"] | null
}

/**
 * A connection's scripted refresh outcomes: one status for every refresh, or a list consumed one
 * per refresh (the last repeats). Default: `done`.
 */
export type TruvBehaviour = TaskStatus | ReadonlyArray<TaskStatus>

export interface InMemoryTruvOptions {
  /** The lineages Truv knows (their orders and connections). */
  readonly lineages?: ReadonlyArray<LineageInput>
  /** Refresh outcomes by connection (link) id. */
  readonly behaviours?: Readonly<Record<string, TruvBehaviour>>
  /**
   * Scripted failures per operation: the n-th call of that operation fails with the n-th entry
   * (null: that call goes through). A `Transport` with `reachedTruv: true` on `refreshOrder`
   * performs the refresh and then fails, as a timeout after Truv accepted it does.
   */
  readonly failures?: Partial<Readonly<Record<TruvCallName, ReadonlyArray<TruvError | null>>>>
  /** Access tokens by connection id, so `createRefreshTask` knows which connection it refreshes. */
  readonly accessTokens?: Readonly<Record<string, string>>
  /**
   * How a refresh order's suborders show their outcome: `task` (default) the task status itself
   * (`login_error`), `truv` as Truv's order JSON does (`completed`, `no_data`, every failure
   * `error`), so only `findSuborderTask` tells which failure.
   */
  readonly suborderStatuses?: "task" | "truv"
  /** Refreshes per connection per window (Truv: 3 per 24 h). */
  readonly refreshLimit?: number
  readonly windowHours?: number
}

/** The gateway plus what tests read back or change while a test runs. */
export type InMemoryTruvGatewayImpl = TruvGateway["Service"] & {
  /** Every call received, in order. */
  readonly calls: () => ReadonlyArray<TruvCall>
  /** Every order known, roots and refreshes, by id. */
  readonly orders: () => ReadonlyMap<string, TruvOrder>
  /** Instants (ms) of the refreshes Truv accepted for a connection. */
  readonly refreshesOf: (connectionId: string) => ReadonlyArray<number>
  /** Appends a failure to an operation's script (the next unscripted call of it fails). */
  readonly failNext: (name: TruvCallName, error: TruvError) => void
  /** Replaces a connection's behaviour. */
  readonly setBehaviour: (connectionId: string, behaviour: TruvBehaviour) => void
  /** Scripts what a connection's next reports show (default: `inMemoryEmployer`, see in-memory-report.ts). */
  readonly setEmployers: (connectionId: string, employers: ReadonlyArray<EmployerRecord>) => void
}

interface LinkState {
  readonly connectionId: string
  readonly suborderId: string
  readonly suborderNumber: string | null
  readonly kind: TruvSuborder["kind"]
  readonly rootOrderId: string
  refreshes: Array<number>
  served: number
}

const invalid = (code: string, message: string, field: string) =>
  new InvalidRequest({ code, message, fields: [{ field, message }] })

const rootOrderOf = (lineage: Lineage, links: ReadonlyArray<LinkState>, id: string, parent: TruvOrder | null): TruvOrder => ({
  id,
  orderNumber: lineage.orderNumber,
  userId: lineage.userId,
  initialOrder: parent === null ? null : lineage.rootOrderId,
  refreshOrder: null,
  products: [lineage.orderType],
  createdAt: lineage.orders.find((o) => o.id === id)?.createdAt ?? lineage.orders[0]!.createdAt,
  isExpired: lineage.status === "expired",
  canceledAt: lineage.status === "canceled" ? lineage.orders[0]!.createdAt : null,
  shareUrl: null,
  suborders: links.map((l) => ({ id: l.suborderId, suborderNumber: l.suborderNumber, linkId: l.connectionId, status: "completed", kind: l.kind }))
})

/**
 * Builds a scripted in-memory Truv.
 *
 * @example
 * const truv = makeInMemoryTruvGateway({
 *   lineages: [lineage],
 *   behaviours: { "link-1": "done", "link-2": ["unavailable", "done"] },
 *   failures: { refreshOrder: [new Throttled({ retryAfterMs: 1000, message: "throttled" })] }
 * })
 * const order = await Effect.runPromise(truv.refreshOrder({ orderId: "ord-1", product: "income" })
 *   .pipe(Effect.provide(TestClock.layer())))          // first call fails Throttled; the next succeeds
 */
export const makeInMemoryTruvGateway = (options: InMemoryTruvOptions = {}): InMemoryTruvGatewayImpl => {
  const limit = options.refreshLimit ?? 3
  const window = (options.windowHours ?? 24) * HOUR_MS
  const orders = new Map<string, TruvOrder>()
  const links = new Map<string, LinkState>()
  const linksByRoot = new Map<string, Array<LinkState>>()
  const orderTypeByRoot = new Map<string, Product>()
  const behaviours = new Map(Object.entries(options.behaviours ?? {}))
  const failures = new Map<TruvCallName, Array<TruvError | null>>(
    Object.entries(options.failures ?? {}).map(([k, v]) => [k as TruvCallName, [...v]]))
  const tokens = new Map(Object.entries(options.accessTokens ?? {}).map(([id, token]) => [token, id]))
  const tasks = new Map<string, RefreshTask>()
  /** The task of each refresh order's suborder, by `<order id>/<suborder id>`. */
  const suborderTasks = new Map<string, TruvTask>()
  /** Truv's order JSON says only `completed`, `no_data` or `error` for a finished suborder. */
  const suborderStatus = (status: TaskStatus): string =>
    options.suborderStatuses !== "truv" ? status : status === "done" ? "completed" : status === "no_data" ? "no_data" : "error"
  const calls: Array<TruvCall> = []
  const employers = new Map<string, ReadonlyArray<EmployerRecord>>()
  let sequence = 0
  const nextId = (prefix: string) => `${prefix}-${++sequence}`

  ;(options.lineages ?? []).forEach((raw, i) => {
    const lineage = parseWith(Lineage, `truv lineage [${i}]`, raw)
    const own = lineage.connections.map((c): LinkState => ({
      connectionId: c.id, suborderId: c.suborderId, suborderNumber: c.suborderNumber, kind: c.kind,
      rootOrderId: lineage.rootOrderId, refreshes: [], served: 0
    }))
    for (const l of own) links.set(l.connectionId, l)
    linksByRoot.set(lineage.rootOrderId, own)
    orderTypeByRoot.set(lineage.rootOrderId, lineage.orderType)
    let parent: TruvOrder | null = null
    for (const o of lineage.orders) {
      const order = rootOrderOf(lineage, own, o.id, parent)
      if (parent !== null) orders.set(parent.id, { ...parent, refreshOrder: order.id })
      orders.set(order.id, order)
      parent = order
    }
  })

  const outcomeOf = (link: LinkState): TaskStatus => {
    const b = behaviours.get(link.connectionId) ?? "done"
    const status = typeof b === "string" ? b : b[Math.min(link.served, b.length - 1)] ?? "done"
    link.served++
    return status
  }

  /** Runs one call: logs it, applies a scripted failure, or runs `body`. */
  const call = <A>(name: TruvCallName, request: unknown, body: (now: number) => Effect.Effect<A, TruvError>): Effect.Effect<A, TruvError> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const scripted = failures.get(name)?.shift() ?? null
      const log = (failedWith: TruvCall["failedWith"]) => calls.push({ name, at: toIso(now), request, failedWith })
      // A timeout after Truv accepted the request: the work happens, the caller never hears of it.
      const reached = scripted instanceof Transport && scripted.reachedTruv
      if (scripted !== null && !reached) {
        log(scripted._tag)
        return Effect.fail(scripted)
      }
      return body(now).pipe(
        Effect.tapError((e) => Effect.sync(() => log(e._tag))),
        Effect.flatMap((a) => Effect.sync(() => log(scripted === null ? null : scripted._tag)).pipe(
          Effect.andThen(scripted === null ? Effect.succeed(a) : Effect.fail(scripted))))
      )
    })

  const selected = (root: string, request: RefreshOrderRequest): Array<LinkState> | InvalidRequest => {
    const all = linksByRoot.get(root) ?? []
    if (request.employers === undefined && request.financialAccounts === undefined) return all
    const picked: Array<LinkState> = []
    for (const [ids, kind, field] of [[request.employers, "employer", "employers"], [request.financialAccounts, "financial_account", "financial_accounts"]] as const) {
      for (const id of ids ?? []) {
        const link = all.find((l) => l.kind === kind && l.suborderId === id)
        if (link === undefined) return invalid("invalid_params", `${id} is not part of this order`, field)
        picked.push(link)
      }
    }
    return picked
  }

  const refresh = (request: RefreshOrderRequest, now: number): Effect.Effect<TruvOrder, TruvError> => {
    const from = orders.get(request.orderId)
    if (from === undefined) return Effect.fail(new NotFound({ resource: `order ${request.orderId}`, message: "Not found." }))
    const root = from.initialOrder ?? from.id
    const products: ReadonlyArray<unknown> = Array.isArray(request.product) ? request.product : [request.product]
    if (products.length !== 1 || !Product.safeParse(products[0]).success) {
      return Effect.fail(invalid("invalid_params", "Exactly one product is allowed per refresh request", "products"))
    }
    const allowed = DEFAULT_PRODUCTS_BY_ORDER_TYPE[orderTypeByRoot.get(root)!]
    if (!allowed.includes(request.product)) {
      return Effect.fail(invalid("invalid_params", `Product ${request.product} cannot be refreshed for a ${orderTypeByRoot.get(root)} order`, "products"))
    }
    const chosen = selected(root, request)
    if (chosen instanceof InvalidRequest) return Effect.fail(chosen)
    // Truv counts every accepted refresh of the access token with t <= now < t + 24 h.
    if (chosen.some((l) => l.refreshes.filter((t) => t <= now && now < t + window).length >= limit)) {
      return Effect.fail(new RefreshLimitExceeded({ message: "Refresh limit for the access_token exceeded" }))
    }
    const newest = [...orders.values()].filter((o) => o.id === root || o.initialOrder === root).at(-1)!
    const id = nextId("truv-ord")
    const order: TruvOrder = {
      ...from,
      id,
      initialOrder: root,
      refreshOrder: null,
      products: [request.product],
      createdAt: toIso(now),
      suborders: chosen.map((l) => {
        l.refreshes.push(now)
        const status = outcomeOf(l)
        suborderTasks.set(`${id}/${l.suborderId}`, { id: `${id}-task-${l.suborderId}`, status, linkId: l.connectionId, orderId: id })
        return { id: l.suborderId, suborderNumber: l.suborderNumber, linkId: l.connectionId, status: suborderStatus(status), kind: l.kind }
      })
    }
    orders.set(newest.id, { ...newest, refreshOrder: order.id })
    orders.set(order.id, order)
    return Effect.succeed(order)
  }

  return {
    refreshOrder: (request) => call("refreshOrder", request, (now) => refresh(request, now)),
    getOrder: (orderId) => call("getOrder", orderId, () => {
      const order = orders.get(orderId)
      return order === undefined ? Effect.fail(new NotFound({ resource: `order ${orderId}`, message: "Not found." })) : Effect.succeed(order)
    }),
    createOrder: (request) => call("createOrder", request, (now) => Effect.sync(() => {
      const id = nextId("truv-ord")
      const order: TruvOrder = {
        id, orderNumber: request.orderNumber, userId: nextId("truv-user"), initialOrder: null, refreshOrder: null,
        products: [...request.products], createdAt: toIso(now), isExpired: false, canceledAt: null,
        shareUrl: `https://cdn.truv.com/share/${id}`, suborders: []
      }
      orders.set(id, order)
      return order
    })),
    createBridgeToken: (request) =>
      call("createBridgeToken", { userId: request.userId, product: request.product }, () => Effect.sync(() => ({ bridgeToken: nextId("bridge") }))),
    findOrdersByNumber: (orderNumber) => call("findOrdersByNumber", orderNumber, () =>
      Effect.succeed([...orders.values()].filter((o) => o.orderNumber === orderNumber && o.initialOrder === null))),
    cancelOrder: (orderId) => call("cancelOrder", orderId, (now) => {
      const order = orders.get(orderId)
      if (order === undefined) return Effect.fail(new NotFound({ resource: `order ${orderId}`, message: "Not found." }))
      const canceled = { ...order, canceledAt: order.canceledAt ?? toIso(now) }
      orders.set(orderId, canceled)
      return Effect.succeed(canceled)
    }),
    createRefreshTask: (accessToken, product) => call("createRefreshTask", { product }, (now) => {
      const link = links.get(tokens.get(Redacted.value(accessToken)) ?? "")
      if (link === undefined) return Effect.fail(invalid("invalid_access_token", "Unknown access token", "access_token"))
      if (link.refreshes.filter((t) => t <= now && now < t + window).length >= limit) {
        return Effect.fail(new RefreshLimitExceeded({ message: "Refresh limit for the access_token exceeded" }))
      }
      link.refreshes.push(now)
      const task: RefreshTask = { id: nextId("truv-task"), status: outcomeOf(link), createdAt: toIso(now) }
      tasks.set(task.id, task)
      return Effect.succeed({ taskId: task.id })
    }),
    getRefreshTask: (taskId) => call("getRefreshTask", taskId, () => {
      const task = tasks.get(taskId)
      return task === undefined ? Effect.fail(new NotFound({ resource: `task ${taskId}`, message: "Not found." })) : Effect.succeed(task)
    }),
    fetchReport: (request) => call("fetchReport", request, () => {
      const order = orders.get(request.orderId)
      if (order === undefined) return Effect.fail(new NotFound({ resource: `order ${request.orderId}`, message: "Not found." }))
      const snapshot = inMemorySnapshot(order, request.product === "income" ? "income" : "employment", Date.parse(request.fetchedAt), (id) => employers.get(id))
      return Effect.succeed({ snapshot, raw: { order, source: "in-memory-truv" } })
    }),
    findSuborderTask: (ref) => call("findSuborderTask", ref, () =>
      orders.has(ref.orderId)
        ? Effect.succeed(suborderTasks.get(`${ref.orderId}/${ref.suborderId}`) ?? null)
        : Effect.fail(new NotFound({ resource: `order ${ref.orderId}`, message: "Not found." }))),
    // The in-memory links are never re-authenticated by a client: `done`, its last task's end unknown.
    linkState: (linkId, product) => call("linkState", { linkId, product }, () => {
      const link = links.get(linkId)
      return link === undefined
        ? Effect.fail(new NotFound({ resource: `link ${linkId}`, message: "Not found." }))
        : Effect.succeed({ status: "done", finishedAt: null })
    }),
    calls: () => [...calls],
    orders: () => new Map(orders),
    refreshesOf: (connectionId) => [...(links.get(connectionId)?.refreshes ?? [])],
    failNext: (name, error) => {
      const queue = failures.get(name) ?? []
      queue.push(error)
      failures.set(name, queue)
    },
    setBehaviour: (connectionId, behaviour) => void behaviours.set(connectionId, behaviour),
    setEmployers: (connectionId, list) => void employers.set(connectionId, list)
  }
}

/**
 * The in-memory gateway as a service of its own, to read calls back in Layer-built tests.
 *
 * @example
 * const layer = InMemoryTruvGateway.layer({ lineages: [lineage], behaviours: { "link-1": "login_error" } })
 * const calls = await Effect.runPromise(Effect.gen(function*() {
 *   yield* (yield* TruvGateway).refreshOrder({ orderId: "ord-1", product: "income" })
 *   return (yield* InMemoryTruvGateway).calls()
 * }).pipe(Effect.provide(Layer.merge(layer, TestClock.layer()))))
 */
export class InMemoryTruvGateway extends Context.Service<InMemoryTruvGateway, InMemoryTruvGatewayImpl>()("@recert/core/InMemoryTruvGateway") {
  /** Provides both `TruvGateway` and `InMemoryTruvGateway` (the same instance). */
  static layer(options: InMemoryTruvOptions = {}): Layer.Layer<TruvGateway | InMemoryTruvGateway> {
    return Layer.effectContext(Effect.sync(() => {
      const truv = makeInMemoryTruvGateway(options)
      return Context.make(TruvGateway, truv).pipe(Context.add(InMemoryTruvGateway, truv))
    }))
  }
}
