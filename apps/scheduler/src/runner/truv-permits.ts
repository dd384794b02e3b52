/**
 * The worker's bound on Truv: at most `concurrency` requests of its jobs in flight at once. Jobs
 * themselves may be more (see `JOBS_PER_PERMIT` in pass-context.ts): a job reserves, records and
 * completes in the store outside the permit, so store round trips overlap other jobs' network
 * waits instead of holding a Truv slot idle. The inbox's calls (the refreshed report) are not
 * counted here, as before. A refresh checks its send deadline once it holds its permit
 * (`sendDeadlineGate`, workflow/send-refresh.ts): past it, it never leaves.
 */
import { TruvGateway } from "@recert/core"
import { Effect, type Semaphore } from "effect"
import { sendDeadlineGate } from "../workflow/send-refresh.js"

export const permitGateway = (inner: TruvGateway["Service"], permits: Semaphore.Semaphore): TruvGateway["Service"] =>
  TruvGateway.of({
    refreshOrder: (r) => permits.withPermit(Effect.andThen(sendDeadlineGate, inner.refreshOrder(r))),
    getOrder: (id) => permits.withPermit(inner.getOrder(id)),
    createOrder: (r) => permits.withPermit(inner.createOrder(r)),
    createBridgeToken: (r) => permits.withPermit(inner.createBridgeToken(r)),
    findOrdersByNumber: (n) => permits.withPermit(inner.findOrdersByNumber(n)),
    cancelOrder: (id) => permits.withPermit(inner.cancelOrder(id)),
    createRefreshTask: (t, p) => permits.withPermit(inner.createRefreshTask(t, p)),
    getRefreshTask: (id) => permits.withPermit(inner.getRefreshTask(id)),
    fetchReport: (r) => permits.withPermit(inner.fetchReport(r)),
    findSuborderTask: (r) => permits.withPermit(inner.findSuborderTask(r)),
    linkState: (linkId, product) => permits.withPermit(inner.linkState(linkId, product))
  })
