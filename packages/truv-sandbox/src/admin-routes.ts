/**
 * The sandbox's admin API over HTTP, under `/_sandbox/...`: not part of Truv's surface and not
 * authenticated (the server listens on loopback). Each route calls the same function as the
 * in-process API, so a test, the demo and a scheduler in another process see the same sandbox.
 */
import type { SandboxResponse } from "./responses.js"

/**
 * What the admin routes call: the in-process API of `TruvSandbox` (sandbox.ts), which has this
 * shape. Declared here so the routes do not import the server that mounts them.
 */
export interface SandboxAdminApi {
  report(): unknown
  seedLineage(input: unknown): unknown
  completeOrder(orderId: string, connections: ReadonlyArray<unknown>): unknown
  cancelOrder(orderId: string): unknown
  finalizeOrder(orderId: string): unknown
  setBehaviour(linkId: string, behaviour: unknown): unknown
  reauthenticate(linkId: string, options: { readonly bridgeToken?: string }): unknown
  link(linkId: string): unknown
  scriptClient(orderNumber: string, script: never): unknown
  client(orderNumber: string): unknown
  clients(): unknown
  payHistory(linkId: string, at?: string): unknown
  changePay(linkId: string, change: unknown, employment?: number): unknown
  clockInfo(): unknown
  readonly clock: { advance(ms: number): unknown; set(instant: string | number): unknown; freeze(): unknown }
  faults(): unknown
  configureFaults(input: unknown): unknown
  idle(): Promise<void>
  webhooks(): ReadonlyArray<{ readonly body: string }>
}

const json = (body: unknown, status = 200): SandboxResponse => ({ status, body })

export const handleAdmin = async (sandbox: SandboxAdminApi, method: string, path: string, body: unknown): Promise<SandboxResponse> => {
  const parts = path.split("/").filter((p) => p !== "").slice(1)
  const route = `${method} ${parts.map((p, i) => (i === 1 && (parts[0] === "links" || parts[0] === "orders" || parts[0] === "clients") ? ":id" : p)).join("/")}`
  const id = decodeURIComponent(parts[1] ?? "")
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
  switch (route) {
    case "GET report":
      return json(sandbox.report())
    case "POST lineages":
      return json(sandbox.seedLineage(body), 201)
    case "POST orders/:id/complete":
      return json(sandbox.completeOrder(id, Array.isArray(b.connections) ? b.connections : []))
    case "POST orders/:id/cancel":
      return json(sandbox.cancelOrder(id))
    case "POST orders/:id/finalize":
      return json(sandbox.finalizeOrder(id))
    case "PUT links/:id/behaviour":
    case "POST links/:id/behaviour":
      return json({ linkId: id, behaviour: sandbox.setBehaviour(id, "behaviour" in b ? b.behaviour : body) })
    case "POST links/:id/reauthenticate":
      return json(sandbox.reauthenticate(id, typeof b.bridgeToken === "string" ? { bridgeToken: b.bridgeToken } : typeof b.bridge_token === "string" ? { bridgeToken: b.bridge_token } : {}))
    case "GET clients":
      return json(sandbox.clients())
    case "GET clients/:id":
      return json(sandbox.client(id))
    case "PUT clients/:id":
    case "POST clients/:id":
      return json(sandbox.scriptClient(id, ("script" in b ? b.script : body) as never))
    case "GET links/:id":
      return json(sandbox.link(id))
    case "GET links/:id/pay":
      return json(sandbox.payHistory(id))
    case "POST links/:id/pay":
      return json({ linkId: id, spec: sandbox.changePay(id, "change" in b ? b.change : body, typeof b.employment === "number" ? b.employment : 0) })
    case "GET clock":
      return json(sandbox.clockInfo())
    case "POST clock":
      if (typeof b.advanceMs === "number") sandbox.clock.advance(b.advanceMs)
      if (typeof b.set === "string" || typeof b.set === "number") sandbox.clock.set(b.set)
      if (b.freeze === true) sandbox.clock.freeze()
      return json(sandbox.clockInfo())
    case "GET faults":
      return json(sandbox.faults())
    case "POST faults":
    case "PUT faults":
      return json(sandbox.configureFaults(b))
    case "POST idle":
      await sandbox.idle()
      return json({ idle: true })
    case "GET webhooks":
      return json(sandbox.webhooks().map((w) => JSON.parse(w.body) as unknown))
    default:
      return json({ error: `no admin route ${method} ${path}` }, 404)
  }
}
