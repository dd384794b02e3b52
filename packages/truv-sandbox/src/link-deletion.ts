/**
 * `DELETE /v1/links/{link_id}/`: Truv "removes a link and all associated data" and answers 204
 * with an empty body (docs.truv.com/api-reference/links/delete_link_by_link_id). The sandbox
 * forgets the link, its access token and its pay history, and sends `link-deleted` (Truv lists the
 * event among the link events without an example: its fields here are `link-disconnected`'s
 * without the product, composed). The orders keep their suborders, which still name the link: a
 * later report read of it is a 404, as at Truv. An unknown link is a 404.
 */
import type { EngineContext } from "./engine-context.js"
import { notFound, type SandboxResponse } from "./responses.js"
import { isoMicrosOffset, isoMicrosZ } from "./truv-time.js"

export function deleteLinkEndpoint(ctx: EngineContext, linkId: string): SandboxResponse {
  const link = ctx.state.links.get(linkId)
  if (link === undefined) return notFound()
  ctx.state.links.delete(linkId)
  ctx.state.linksByToken.delete(link.accessToken)
  ctx.state.payRecords.delete(linkId)
  const at = ctx.clock.now()
  ctx.webhooks.emit({
    webhook_id: ctx.prng.hexId(), event_type: "link-deleted", event_created_at: isoMicrosZ(at), updated_at: isoMicrosOffset(at),
    user_id: link.userId, template_id: null, link_id: link.id, data_source: link.dataSource, tracking_info: link.trackingInfo
  })
  return { status: 204, body: null }
}
