/**
 * `ClientRequests`: what following a client request to its end needs from the store beyond core's
 * `RenewalStore` (issue 16): the request a Truv event or poll is about, marking it completed (with
 * its event, one transaction), and moving the case to a new order's lineage. The scheduler provides
 * it over `@recert/store` (`pass-context.ts`: the `Store` has these operations); the workflow reads
 * it as optional (`Effect.serviceOption`), so environments without it (core's in-memory ports in
 * unit tests) keep the behaviour from before: events about client requests are not acted on.
 */
import type { Store } from "@recert/store"
import { Context } from "effect"

type Ops = Pick<Store["Service"], "requestForOrder" | "openRequestsForConnection" | "completeRequest" | "moveLineage">

/** How our request keys begin (the store's `newRequestKey`): a Bridge token's `tracking_info` that names one of our requests. */
export const REQUEST_KEY_PREFIX = "rq-"

export class ClientRequests extends Context.Service<ClientRequests, Ops>()("@recert/scheduler/ClientRequests") {}

/** The store's operations as the port. */
export const storeClientRequests = (store: Store["Service"]): ClientRequests["Service"] =>
  ClientRequests.of({
    requestForOrder: (orderId) => store.requestForOrder(orderId),
    openRequestsForConnection: (connectionId) => store.openRequestsForConnection(connectionId),
    completeRequest: (requestId, at, how) => store.completeRequest(requestId, at, how),
    moveLineage: (move) => store.moveLineage(move)
  })

