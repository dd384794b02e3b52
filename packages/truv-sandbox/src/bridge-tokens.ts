/**
 * Bridge tokens (truv-api-notes §6.1): valid for 6 hours of sandbox time. The sandbox remembers
 * every token it issued (`POST /v1/users/{user_id}/tokens/`, and each order's own token) so the
 * admin "the user re-authenticated through Bridge" action can require a valid one.
 */
import type { EngineContext } from "./engine-context.js"
import { SandboxRequestError } from "./request-error.js"
import type { IssuedBridgeToken, SandboxLink } from "./state.js"
import { HOUR_MS } from "./truv-time.js"

export const BRIDGE_TOKEN_LIFETIME_MS = 6 * HOUR_MS

/** Issues a token for `userId` (and `linkId` in update mode) at sandbox now. */
export const issueBridgeToken = (ctx: EngineContext, userId: string, linkId: string | null, trackingInfo: string | null): string => {
  const token = ctx.prng.hexId()
  ctx.state.bridgeTokens.set(token, { userId, linkId, issuedAt: ctx.clock.now(), trackingInfo })
  return token
}

const lookup = (ctx: EngineContext, token: string): IssuedBridgeToken | undefined => {
  const issued = ctx.state.bridgeTokens.get(token)
  if (issued !== undefined) return issued
  for (const o of ctx.state.orders.values()) if (o.bridgeToken === token) return { userId: o.userId, linkId: null, issuedAt: o.createdAt, trackingInfo: null }
  return undefined
}

const invalid = (message: string): SandboxRequestError =>
  new SandboxRequestError(400, { error: { code: "incorrect_parameters", message: "Incorrect request parameters", extra: { "invalid-params": [{ field: "bridge_token", message }] } } })

/**
 * Throws unless `token` may re-authenticate `link` at sandbox now: known (400 otherwise), issued
 * for the link's user and, in update mode, for this link (400), and younger than 6 h (410
 * `expired_token`; valid while `now < issuedAt + 6 h`).
 */
export const checkBridgeToken = (ctx: EngineContext, token: string, link: SandboxLink, at = ctx.clock.now()): IssuedBridgeToken => {
  const issued = lookup(ctx, token)
  if (issued === undefined) throw invalid("Invalid bridge token.")
  if (issued.userId !== link.userId || (issued.linkId !== null && issued.linkId !== link.id)) {
    throw invalid("The bridge token was issued for another user or link.")
  }
  if (at >= issued.issuedAt + BRIDGE_TOKEN_LIFETIME_MS) {
    ctx.report.mutable.expiredBridgeTokensRefused += 1
    throw new SandboxRequestError(410, { error: { code: "expired_token", message: "Bridge token has expired." } })
  }
  return issued
}
