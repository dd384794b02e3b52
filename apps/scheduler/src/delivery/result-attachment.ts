/**
 * The caseworker PDF attached to a result event, for a destination with `pdf: "inline"`: a
 * `case.renewed` or `case.review-needed` body gains `attachments: [{ name, contentType, data }]`
 * (base64; core's `EventAttachment`). Rendered from the stored verification at each try, and the
 * same bytes every time (the document's dates are the classification's), so a redelivery is
 * identical. Other event types go as stored.
 */
import type { OutboxEvent, StoreError } from "@recert/core"
import { renderResultPdf } from "@recert/delivery"
import { type ClaimedDelivery, Store } from "@recert/store"
import { Effect } from "effect"

export const withResultPdf = (d: ClaimedDelivery): Effect.Effect<string, StoreError, Store> => Effect.gen(function*() {
  const event = JSON.parse(d.body) as OutboxEvent
  if (event.type !== "case.renewed" && event.type !== "case.review-needed") return d.body
  const store = yield* Store
  const verification = (yield* store.listVerifications(event.caseId)).find((v) => v.orderId === event.payload.orderId)
  if (verification === undefined) return d.body
  const pdf = yield* Effect.promise(() => renderResultPdf(verification, { orderNumber: event.orderNumber }))
  return JSON.stringify({ ...event, attachments: [{ name: `${event.caseId}-${event.payload.orderId}.pdf`, contentType: "application/pdf", data: Buffer.from(pdf).toString("base64") }] })
})
