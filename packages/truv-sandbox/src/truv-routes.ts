/**
 * Routes Truv's paths (with their trailing slashes, truv-api-notes §5.1) to the engine, and
 * names each call by its path template for the report (`POST /v1/orders/{id}/`).
 */
import type { SandboxEngine } from "./engine.js"
import type { SandboxResponse } from "./responses.js"

export interface TruvRoute {
  readonly name: string
  readonly handle: (engine: SandboxEngine, body: unknown, query: URLSearchParams) => SandboxResponse
}

export const matchTruvRoute = (method: string, path: string): TruvRoute | { readonly notAllowed: boolean } => {
  const p = path.split("/").filter((s) => s !== "")
  if (p[0] !== "v1") return { notAllowed: false }
  const shape = p.map((s, i) => (i === 2 && (p[1] === "orders" || p[1] === "users" || p[1] === "links" || p[1] === "tasks") ? "{id}" : i === 3 && p[1] === "refresh" ? "{id}" : s)).join("/")
  const id = p[2] ?? ""
  const candidates: Record<string, Record<string, TruvRoute["handle"]>> = {
    "v1/orders": { GET: (e, _b, q) => e.listOrders(q), POST: (e, b) => e.createOrder(b) },
    "v1/orders/{id}": { GET: (e) => e.getOrder(id), POST: (e, b) => e.refreshOrder(id, b), PATCH: (e, b) => e.updateOrder(id, b) },
    "v1/orders/{id}/cancel": { POST: (e) => e.cancelOrderEndpoint(id) },
    "v1/orders/{id}/events": { GET: (e, _b, q) => e.listOrderEvents(id, q) },
    "v1/users/{id}/tokens": { POST: (e, b) => e.createBridgeToken(id, b) },
    "v1/refresh/tasks": { POST: (e, b) => e.createRefreshTask(b) },
    "v1/refresh/tasks/{id}": { GET: (e) => e.getRefreshTask(p[3] ?? "") },
    "v1/tasks/{id}": { GET: (e) => e.getTask(id) },
    "v1/links/{id}": { DELETE: (e) => e.deleteLink(id) },
    "v1/links/{id}/income/report": { GET: (e) => e.linkReport(id, "income") },
    "v1/links/{id}/employment/report": { GET: (e) => e.linkReport(id, "employment") }
  }
  const methods = candidates[shape]
  if (methods === undefined) return { notAllowed: false }
  const handle = methods[method]
  if (handle === undefined) return { notAllowed: true }
  return { name: `${method} /${shape}/`, handle }
}
