/**
 * The sandbox's behaviour: Truv's endpoints as functions from a parsed request to a response,
 * over the in-memory state, plus the admin operations (seed, behaviours, re-authentication).
 * The HTTP server (server.ts) only parses requests and writes these responses.
 */
import type { Product, TaskStatus } from "@recert/core"
import { DISCONNECTING_STATUSES, type LinkBehaviour, outcomeOf, parseBehaviour } from "./behaviour.js"
import type { SandboxClock } from "./clock.js"
import type { SandboxFaults } from "./faults.js"
import { orderJson } from "./order-json.js"
import type { PendingWork } from "./pending-work.js"
import type { Prng } from "./prng.js"
import type { ReportRecorder } from "./report.js"
import { badRequest, type InvalidParam, notFound, ok, refreshLimitExceeded, type SandboxResponse } from "./responses.js"
import { ALLOWED_REFRESH_PRODUCTS, countInWindow, isGseFree, PRODUCTS, REFRESH_LIMIT } from "./rules.js"
import { ConnectionSeed, type SeededConnection, type SeededLineage, SeedLineageInput, toMs } from "./seed.js"
import type { SandboxLink, SandboxOrder, SandboxState, SandboxSuborder, SandboxTask } from "./state.js"
import { HOUR_MS, isoMillis } from "./truv-time.js"
import * as payload from "./webhook-payloads.js"
import type { WebhookDispatcher } from "./webhook-dispatcher.js"

const ORDER_LIFETIME_MS = 72 * HOUR_MS

type Body = Readonly<Record<string, unknown>>

const isRecord = (u: unknown): u is Body => typeof u === "object" && u !== null && !Array.isArray(u)

export class SandboxEngine {
  constructor(
    readonly state: SandboxState,
    private readonly clock: SandboxClock,
    private readonly prng: Prng,
    private readonly work: PendingWork,
    private readonly report: ReportRecorder,
    private readonly webhooks: WebhookDispatcher,
    private readonly faults: () => SandboxFaults
  ) {}

  // ---------------------------------------------------------------- admin

  /** Creates a completed root order with connected links. No webhooks: nothing happened at Truv's side. */
  seedLineage(input: unknown): SeededLineage {
    const seed = SeedLineageInput.parse(input)
    const now = this.clock.now()
    const createdAt = seed.createdAt === undefined ? now : toMs(seed.createdAt)
    const id = seed.orderId ?? this.prng.hexId()
    if (this.state.orders.has(id)) throw new Error(`order ${id} already exists`)
    const userId = seed.userId ?? this.prng.hexId()
    const orderNumber = seed.orderNumber === undefined ? String(1_000_000 + Math.floor(this.prng.next() * 9_000_000)) : seed.orderNumber
    const defaultKind = seed.orderType === "assets" || seed.orderType === "transactions" ? "financial_account" : "employer"
    const connections: Array<SeededConnection> = []
    const suborders: Array<SandboxSuborder> = []
    seed.connections.forEach((c, i) => {
      const kind = c.kind ?? defaultKind
      const link = this.createLink(ConnectionSeed.parse(c), userId, kind, createdAt)
      const suborder: SandboxSuborder = {
        id: this.prng.hexId(),
        suborderNumber: c.suborderNumber ?? `${orderNumber ?? id.slice(0, 7)}-${i + 1}`,
        kind,
        linkId: link.id,
        status: "completed",
        createdAt,
        companyName: c.companyName ?? (kind === "employer" ? `Employer ${i + 1}` : `Bank ${i + 1}`)
      }
      suborders.push(suborder)
      connections.push({
        suborderId: suborder.id, suborderNumber: suborder.suborderNumber, kind, linkId: link.id,
        accessToken: link.accessToken, provider: link.provider, authKind: link.authKind,
        authenticatedAt: isoMillis(link.authenticatedAt)
      })
    })
    this.state.orders.set(id, {
      id, rootId: id, parentId: null, orderNumber, products: [seed.orderType], userId,
      firstName: seed.firstName, lastName: seed.lastName, email: seed.email, createdAt, updatedAt: createdAt,
      expiredAt: createdAt + ORDER_LIFETIME_MS, canceledAt: null, refreshOrder: null, initialOrder: null,
      suborders, gse: seed.gse, bridgeToken: this.prng.hexId(),
      events: [{ type: "order_created", orderId: id, isRefresh: false, timestamp: createdAt, suborderId: null, taskId: null, linkId: null }]
    })
    this.state.refreshOrdersByRoot.set(id, [])
    this.state.users.add(userId)
    return { orderId: id, orderType: seed.orderType, orderNumber, userId, gse: seed.gse, createdAt: isoMillis(createdAt), connections }
  }

  setBehaviour(linkId: string, behaviour: unknown): LinkBehaviour {
    const link = this.requireLink(linkId)
    link.behaviour = parseBehaviour(behaviour)
    return link.behaviour
  }

  /**
   * The user re-authenticated the link through Bridge (update mode): authenticated now, healthy,
   * and Truv's initial pull completes (`task-status-updated: done`). Not a refresh: no slot used.
   */
  reauthenticate(linkId: string): { readonly linkId: string; readonly authenticatedAt: string; readonly taskId: string } {
    const link = this.requireLink(linkId)
    const now = this.clock.now()
    link.authenticatedAt = now
    link.behaviour = { kind: "healthy" }
    link.lastStatus = "done"
    const taskId = this.prng.hexId()
    this.webhooks.emit(payload.taskStatusUpdated({
      webhookId: this.prng.hexId(), at: now, userId: link.userId, taskId, linkId: link.id,
      product: link.dataSource === "payroll" ? "income" : "assets", dataSource: link.dataSource, status: "done"
    }))
    return { linkId, authenticatedAt: isoMillis(now), taskId }
  }

  /** The user completed a new order (created with `POST /v1/orders/`): its suborders get links. */
  completeOrder(orderId: string, connections: ReadonlyArray<unknown> = []): SeededLineage {
    const order = this.state.orders.get(orderId)
    if (order === undefined) throw new Error(`unknown order ${orderId}`)
    const now = this.clock.now()
    const product = order.products[0] ?? "income"
    const defaultKind = product === "assets" || product === "transactions" ? "financial_account" : "employer"
    if (order.suborders.length === 0) {
      order.suborders.push({ id: this.prng.hexId(), suborderNumber: `${order.orderNumber ?? order.id.slice(0, 7)}-1`, kind: defaultKind, linkId: null, status: "pending", createdAt: now, companyName: "Employer 1" })
    }
    const seeded: Array<SeededConnection> = []
    order.suborders.forEach((s, i) => {
      if (s.linkId !== null) return
      const link = this.createLink(ConnectionSeed.parse(connections[i] ?? {}), order.userId, s.kind, now)
      s.linkId = link.id
      s.status = "completed"
      order.updatedAt = now
      const taskId = this.prng.hexId()
      const common = { at: now, userId: order.userId, linkId: link.id, product, dataSource: link.dataSource }
      this.webhooks.emit(payload.taskStatusUpdated({ ...common, webhookId: this.prng.hexId(), taskId, status: "done" }))
      this.webhooks.emit(payload.orderStatusUpdated({ ...common, webhookId: this.prng.hexId(), orderId: order.id, orderNumber: order.orderNumber, employerId: s.id, status: "completed" }))
      seeded.push({ suborderId: s.id, suborderNumber: s.suborderNumber, kind: s.kind, linkId: link.id, accessToken: link.accessToken, provider: link.provider, authKind: link.authKind, authenticatedAt: isoMillis(now) })
    })
    return { orderId: order.id, orderType: product, orderNumber: order.orderNumber, userId: order.userId, gse: order.gse, createdAt: isoMillis(order.createdAt), connections: seeded }
  }

  // ---------------------------------------------------------------- Truv surface

  getOrder(id: string): SandboxResponse {
    const order = this.state.orders.get(id)
    return order === undefined ? notFound() : ok(orderJson(this.state, order, this.clock.now()))
  }

  /** `POST /v1/orders/{id}/`: a data refresh order (truv-api-notes §1). */
  refreshOrder(id: string, body: unknown): SandboxResponse {
    const parent = this.state.orders.get(id)
    if (parent === undefined) return notFound()
    const root = this.state.orders.get(parent.rootId)!
    const orderType = root.products[0] ?? "income"
    const problems: Array<InvalidParam> = []
    const b = isRecord(body) ? body : {}
    const product = this.checkRefreshProduct(b.products, orderType, problems)
    const links = this.resolveSelection(root, b, problems)
    if (problems.length > 0) return this.rejected(badRequest(problems))
    if (root.canceledAt !== null) return this.rejected(badRequest([{ field: "order", message: "Order is canceled" }]))
    const now = this.clock.now()
    const atLimit = links.filter((l) => countInWindow(l.refreshes, now) >= REFRESH_LIMIT)
    if (atLimit.length > 0) {
      this.report.limitViolation({ at: isoMillis(now), orderId: id, linkIds: atLimit.map((l) => l.id) })
      return refreshLimitExceeded()
    }
    const previous = this.state.refreshOrdersByRoot.get(root.id)!
    const free = isGseFree(root.gse, root.createdAt, previous.length, now)
    const order: SandboxOrder = {
      id: this.prng.hexId(), rootId: root.id, parentId: parent.id, orderNumber: root.orderNumber, products: [product!],
      userId: root.userId, firstName: root.firstName, lastName: root.lastName, email: root.email,
      createdAt: now, updatedAt: now, expiredAt: now + ORDER_LIFETIME_MS, canceledAt: null, refreshOrder: null,
      initialOrder: root.id, suborders: [], gse: false, bridgeToken: this.prng.hexId(),
      events: [{ type: "order_created", orderId: "", isRefresh: true, timestamp: now, suborderId: null, taskId: null, linkId: null }]
    }
    order.events[0] = { ...order.events[0]!, orderId: order.id }
    for (const o of this.state.lineageOrders(root.id)) {
      o.refreshOrder = order.id
      o.updatedAt = now
    }
    previous.push(order.id)
    this.state.orders.set(order.id, order)
    for (const link of links) {
      const original = root.suborders.find((s) => s.linkId === link.id)!
      const suborder: SandboxSuborder = { id: this.prng.hexId(), suborderNumber: original.suborderNumber, kind: original.kind, linkId: link.id, status: "pending", createdAt: now, companyName: original.companyName }
      order.suborders.push(suborder)
      this.startTask(link, product!, now, free, order, suborder)
    }
    this.report.refreshAccepted(links.map((l) => l.id))
    this.report.mutable.refreshOrdersCreated += 1
    this.webhooks.emit(payload.orderCreated({ webhookId: this.prng.hexId(), at: now, userId: order.userId, orderId: order.id, orderNumber: order.orderNumber, product: product! }))
    return ok(orderJson(this.state, order, now), 201)
  }

  /** `POST /v1/orders/`: a new order, i.e. a new verification link for the user. */
  createOrder(body: unknown): SandboxResponse {
    const b = isRecord(body) ? body : {}
    const problems: Array<InvalidParam> = []
    const products = b.products
    if (!Array.isArray(products) || products.length === 0) problems.push({ field: "products", message: "This field is required." })
    else for (const p of products) if (!PRODUCTS.includes(p as Product)) problems.push({ field: "products", message: `"${String(p)}" is not a valid choice.` })
    for (const field of ["first_name", "last_name"] as const) {
      if (typeof b[field] !== "string" || b[field] === "") problems.push({ field, message: "This field is required." })
    }
    const employers = b.employers === undefined ? [] : b.employers
    if (!Array.isArray(employers) || employers.some((e) => !isRecord(e) || (typeof e.company_name !== "string" && typeof e.company_mapping_id !== "string"))) {
      problems.push({ field: "employers", message: "Each employer needs company_name or company_mapping_id." })
    }
    if (problems.length > 0) return badRequest(problems)
    const now = this.clock.now()
    const id = this.prng.hexId()
    const userId = this.prng.hexId()
    const orderNumber = typeof b.order_number === "string" ? b.order_number : null
    const order: SandboxOrder = {
      id, rootId: id, parentId: null, orderNumber, products: products as Array<Product>, userId,
      firstName: b.first_name as string, lastName: b.last_name as string, email: typeof b.email === "string" ? b.email : null,
      createdAt: now, updatedAt: now, expiredAt: now + ORDER_LIFETIME_MS, canceledAt: null, refreshOrder: null, initialOrder: null,
      suborders: (employers as Array<Body>).map((e, i) => ({
        id: this.prng.hexId(), suborderNumber: `${orderNumber ?? id.slice(0, 7)}-${i + 1}`, kind: "employer" as const, linkId: null,
        status: "pending" as const, createdAt: now, companyName: typeof e.company_name === "string" ? e.company_name : String(e.company_mapping_id)
      })),
      gse: false, bridgeToken: this.prng.hexId(),
      events: [{ type: "order_created", orderId: id, isRefresh: false, timestamp: now, suborderId: null, taskId: null, linkId: null }]
    }
    this.state.orders.set(id, order)
    this.state.refreshOrdersByRoot.set(id, [])
    this.state.users.add(userId)
    this.report.mutable.ordersCreated += 1
    this.webhooks.emit(payload.orderCreated({ webhookId: this.prng.hexId(), at: now, userId, orderId: id, orderNumber, product: order.products[0]! }))
    return ok(orderJson(this.state, order, now), 201)
  }

  /** `POST /v1/users/{user_id}/tokens/`: a Bridge token; with `access_token`, update mode. */
  createBridgeToken(userId: string, body: unknown): SandboxResponse {
    if (!this.state.users.has(userId)) return notFound()
    const b = isRecord(body) ? body : {}
    const problems: Array<InvalidParam> = []
    if (typeof b.product_type !== "string" || b.product_type === "") problems.push({ field: "product_type", message: "This field is required." })
    if (b.access_token !== undefined) {
      const link = typeof b.access_token === "string" ? this.state.linksByToken.get(b.access_token) : undefined
      if (link === undefined || link.userId !== userId) problems.push({ field: "access_token", message: "Invalid access token." })
    }
    if (problems.length > 0) return badRequest(problems)
    this.report.mutable.bridgeTokensIssued += 1
    return ok({ bridge_token: this.prng.hexId(), user_id: userId, product_type: b.product_type, tracking_info: null, client_name: "Recert Sandbox" })
  }

  /** `POST /v1/refresh/tasks/`: refresh one link (truv-api-notes §2); same per-token limit. */
  createRefreshTask(body: unknown): SandboxResponse {
    const b = isRecord(body) ? body : {}
    const problems: Array<InvalidParam> = []
    const link = typeof b.access_token === "string" ? this.state.linksByToken.get(b.access_token) : undefined
    if (typeof b.access_token !== "string" || b.access_token === "") problems.push({ field: "access_token", message: "This field is required." })
    else if (link === undefined) problems.push({ field: "access_token", message: "Invalid access token." })
    const productTypes = ["income", "employment", "deposit_switch", "pll", "insurance", "transactions", "assets"]
    if (typeof b.product_type !== "string") problems.push({ field: "product_type", message: "This field is required." })
    else if (!productTypes.includes(b.product_type)) problems.push({ field: "product_type", message: `"${b.product_type}" is not a valid choice.` })
    if (problems.length > 0 || link === undefined) return this.rejected(badRequest(problems))
    const now = this.clock.now()
    if (countInWindow(link.refreshes, now) >= REFRESH_LIMIT) {
      this.report.limitViolation({ at: isoMillis(now), orderId: null, linkIds: [link.id] })
      return refreshLimitExceeded()
    }
    const task = this.startTask(link, b.product_type as Product, now, false, null, null)
    this.report.refreshAccepted([link.id])
    return ok({ task_id: task.id }, 201)
  }

  getRefreshTask(id: string): SandboxResponse {
    const task = this.state.tasks.get(id)
    if (task === undefined) return notFound()
    return ok({ id: task.id, created_at: isoMillis(task.createdAt), refresh_date: new Date(task.createdAt).toUTCString(), status: task.status })
  }

  /** `GET /v1/orders/{id}/events/`; `include_refresh_orders=true` adds the lineage's refresh orders. */
  listOrderEvents(id: string, query: URLSearchParams): SandboxResponse {
    const order = this.state.orders.get(id)
    if (order === undefined) return notFound()
    const include = query.get("include_refresh_orders") === "true"
    const orders = include && order.id === order.rootId ? this.state.lineageOrders(order.id) : [order]
    const events = orders.flatMap((o) => o.events).sort((a, b) => a.timestamp - b.timestamp)
    const pageSize = Math.max(1, Math.min(100, Number(query.get("page_size") ?? 100) || 100))
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1)
    const slice = events.slice((page - 1) * pageSize, page * pageSize)
    return ok({
      count: events.length,
      next: page * pageSize < events.length ? `?page=${page + 1}&page_size=${pageSize}` : null,
      previous: page > 1 ? `?page=${page - 1}&page_size=${pageSize}` : null,
      results: slice.map((e) => ({
        object: e.taskId === null ? "order" : "task", type: e.type, is_refresh: e.isRefresh, order_id: e.orderId,
        timestamp: isoMillis(e.timestamp), suborder_id: e.suborderId, task_id: e.taskId, link_id: e.linkId
      }))
    })
  }

  // ---------------------------------------------------------------- internals

  private rejected(response: SandboxResponse): SandboxResponse {
    this.report.mutable.refreshes.rejectedOther += 1
    return response
  }

  private checkRefreshProduct(products: unknown, orderType: Product, problems: Array<InvalidParam>): Product | undefined {
    if (!Array.isArray(products) || products.length === 0) {
      problems.push({ field: "products", message: "This field is required." })
      return undefined
    }
    if (products.length !== 1) {
      problems.push({ field: "products", message: "Ensure this field has no more than 1 elements." })
      return undefined
    }
    const p = products[0] as Product
    if (!PRODUCTS.includes(p)) {
      problems.push({ field: "products", message: `"${String(products[0])}" is not a valid choice.` })
      return undefined
    }
    if (!ALLOWED_REFRESH_PRODUCTS[orderType].includes(p)) {
      problems.push({ field: "products", message: `Product "${p}" cannot be refreshed on an order of type "${orderType}".` })
      return undefined
    }
    return p
  }

  /** The links a refresh selects: by suborder `id` (of any order of the lineage) or `suborder_number`. */
  private resolveSelection(root: SandboxOrder, b: Body, problems: Array<InvalidParam>): Array<SandboxLink> {
    const byKey = new Map<string, { kind: string; linkId: string | null }>()
    for (const o of this.state.lineageOrders(root.id)) {
      for (const s of o.suborders) {
        byKey.set(`id:${s.id}`, { kind: s.kind, linkId: s.linkId })
        byKey.set(`number:${s.suborderNumber}`, { kind: s.kind, linkId: s.linkId })
      }
    }
    const selected = new Set<string>()
    const selectors = [["employers", "employer"], ["financial_accounts", "financial_account"]] as const
    const anySelector = selectors.some(([field]) => b[field] !== undefined)
    for (const [field, kind] of selectors) {
      const items = b[field]
      if (items === undefined) continue
      if (!Array.isArray(items)) {
        problems.push({ field, message: "Expected a list of items." })
        continue
      }
      for (const item of items) {
        const key = isRecord(item) && typeof item.id === "string" ? `id:${item.id}`
          : isRecord(item) && typeof item.suborder_number === "string" ? `number:${item.suborder_number}` : null
        const found = key === null ? undefined : byKey.get(key)
        if (found === undefined || found.kind !== kind || found.linkId === null) {
          problems.push({ field, message: `Unknown ${kind.replace("_", " ")}: ${JSON.stringify(item)}` })
        } else selected.add(found.linkId)
      }
    }
    if (!anySelector) for (const s of root.suborders) if (s.linkId !== null) selected.add(s.linkId)
    if (selected.size === 0 && problems.length === 0) problems.push({ field: "employers", message: "The order has no connected employer or financial account to refresh." })
    return [...selected].map((id) => this.state.links.get(id)!)
  }

  private startTask(link: SandboxLink, product: Product, now: number, free: boolean, order: SandboxOrder | null, suborder: SandboxSuborder | null): SandboxTask {
    link.refreshes.push(now)
    const task: SandboxTask = {
      id: this.prng.hexId(), linkId: link.id, orderId: order?.id ?? null, suborderId: suborder?.id ?? null, product,
      createdAt: now, status: "new", outcome: outcomeOf(link.behaviour, link.authenticatedAt, now), free
    }
    this.state.tasks.set(task.id, task)
    this.report.mutable.tasks.created += 1
    const faults = this.faults()
    this.work.schedule(link.behaviour.kind === "slow" ? faults.slowCompletionDelayMs : faults.completionDelayMs, () => this.completeTask(task))
    return task
  }

  private completeTask(task: SandboxTask): void {
    const link = this.state.links.get(task.linkId)!
    const now = this.clock.now()
    const status: TaskStatus = task.outcome
    task.status = status
    link.lastStatus = status
    this.report.taskStatus(status)
    const order = task.orderId === null ? undefined : this.state.orders.get(task.orderId)
    this.report.verification(order?.rootId ?? this.rootOfLink(link.id), link.id, status === "no_data" ? "notBilled" : task.free ? "free" : "billed")
    const common = { at: now, userId: link.userId, linkId: link.id, product: task.product, dataSource: link.dataSource }
    this.webhooks.emit(payload.taskStatusUpdated({ ...common, webhookId: this.prng.hexId(), taskId: task.id, status }))
    if (order !== undefined) {
      const suborder = order.suborders.find((s) => s.id === task.suborderId)!
      suborder.status = status === "done" ? "completed" : status === "no_data" ? "no_data" : "error"
      order.updatedAt = now
      order.events.push({ type: status === "done" ? "order_completed" : "order_refresh_failed", orderId: order.id, isRefresh: true, timestamp: now, suborderId: suborder.id, taskId: task.id, linkId: link.id })
      const fields = { ...common, orderId: order.id, orderNumber: order.orderNumber, employerId: suborder.id }
      this.webhooks.emit(status === "done"
        ? payload.orderStatusUpdated({ ...fields, webhookId: this.prng.hexId(), status: "completed" })
        : payload.orderRefreshFailed({ ...fields, webhookId: this.prng.hexId(), status }))
    }
    if (DISCONNECTING_STATUSES.has(status)) this.webhooks.emit(payload.linkDisconnected({ ...common, webhookId: this.prng.hexId() }))
  }

  private rootOfLink(linkId: string): string | null {
    for (const o of this.state.orders.values()) if (o.parentId === null && o.suborders.some((s) => s.linkId === linkId)) return o.id
    return null
  }

  private createLink(c: ConnectionSeed, userId: string, kind: "employer" | "financial_account", defaultAuthAt: number): SandboxLink {
    const seed = ConnectionSeed.parse(c)
    const link: SandboxLink = {
      id: seed.linkId ?? this.prng.hexId(),
      accessToken: seed.accessToken ?? this.prng.hexId(),
      userId, provider: seed.provider, dataSource: kind === "employer" ? "payroll" : "financial_accounts", authKind: seed.authKind,
      authenticatedAt: seed.authenticatedAt === undefined ? defaultAuthAt : toMs(seed.authenticatedAt),
      behaviour: parseBehaviour(seed.behaviour), refreshes: [], lastStatus: "done"
    }
    if (this.state.links.has(link.id) || this.state.linksByToken.has(link.accessToken)) throw new Error(`link ${link.id} or its access token already exists`)
    this.state.addLink(link)
    return link
  }

  private requireLink(linkId: string): SandboxLink {
    const link = this.state.links.get(linkId)
    if (link === undefined) throw new Error(`unknown link ${linkId}`)
    return link
  }
}
