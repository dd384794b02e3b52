/**
 * `connection.deleted`: Truv deleted the link (we did, `recert cases close --delete-link`, or the
 * client or the agency did: the `link-deleted` webhook). Its access token is gone: no refresh can
 * ever be sent to it and Bridge cannot re-authenticate it (the rules that would ask for that skip a
 * deleted link), so the client must connect again through a new order.
 */
import { toDay } from "../engine/time.js"
import { defineRule, type Finding, NONE } from "./rule.js"

export const connectionDeleted = defineRule("connection.deleted", (ctx) => {
  let findings: Array<Finding> | null = null
  for (const c of ctx.scope) {
    const deletedAt = c.connection.deletedAt
    if (deletedAt === null || deletedAt === undefined) continue
    findings ??= []
    findings.push({
      code: "connection.deleted",
      effect: "new-order",
      connectionId: c.connection.id,
      message: `The ${c.connection.provider} link was deleted at Truv on ${toDay(Date.parse(deletedAt))}; it can never be refreshed or re-authenticated, the client must connect again (a new order)`,
      data: { deletedAt }
    })
  }
  return findings ?? NONE
})

/** Whether the connection's link was deleted at Truv (the rules that would re-authenticate it skip it). */
export const isDeleted = (c: { readonly connection: { readonly deletedAt?: string | null | undefined } }): boolean =>
  c.connection.deletedAt !== null && c.connection.deletedAt !== undefined
