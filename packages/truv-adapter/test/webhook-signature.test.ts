/** X-WEBHOOK-SIGN: `v1=` + hex HMAC-SHA256(raw body, access secret), checked in constant time. */
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { parseWebhookEvent, signWebhookBody, verifyWebhookSignature } from "../src/index.js"

// RFC 4231 test case 2 (HMAC-SHA-256): key "Jefe", data "what do ya want for nothing?"
const RFC_BODY = "what do ya want for nothing?"
const RFC_SIG = "v1=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"

describe("signature", () => {
  it("matches the RFC 4231 vector, with a plain or a Redacted secret", () => {
    expect(signWebhookBody(RFC_BODY, "Jefe")).toBe(RFC_SIG)
    expect(signWebhookBody(Buffer.from(RFC_BODY), Redacted.make("Jefe"))).toBe(RFC_SIG)
    expect(verifyWebhookSignature(RFC_BODY, RFC_SIG, Redacted.make("Jefe"))).toEqual({ ok: true })
  })

  it("accepts uppercase hex and surrounding spaces", () => {
    expect(verifyWebhookSignature(RFC_BODY, ` v1=${RFC_SIG.slice(3).toUpperCase()} `, "Jefe")).toEqual({ ok: true })
  })

  it("rejects a tampered body, a wrong secret, and a re-serialised body", () => {
    const body = '{"event_type": "order-created",  "webhook_id":"w1"}'
    const sig = signWebhookBody(body, "s")
    expect(verifyWebhookSignature(body.replace("w1", "w2"), sig, "s")).toEqual({ ok: false, reason: "mismatch" })
    expect(verifyWebhookSignature(body, sig, "t")).toEqual({ ok: false, reason: "mismatch" })
    expect(verifyWebhookSignature(JSON.stringify(JSON.parse(body)), sig, "s")).toEqual({ ok: false, reason: "mismatch" })
  })

  it("rejects wrong prefixes and malformed values", () => {
    const hex = RFC_SIG.slice(3)
    for (const header of [hex, `v2=${hex}`, `sha256=${hex}`, `v1:${hex}`, `v1=${hex.slice(1)}`, `v1=${hex}00`, `v1=${"z".repeat(64)}`]) {
      expect(verifyWebhookSignature(RFC_BODY, header, "Jefe")).toEqual({ ok: false, reason: "malformed" })
    }
    expect(verifyWebhookSignature(RFC_BODY, [RFC_SIG, RFC_SIG], "Jefe")).toEqual({ ok: false, reason: "malformed" })
  })

  it("rejects a missing or empty header", () => {
    expect(verifyWebhookSignature(RFC_BODY, undefined, "Jefe")).toEqual({ ok: false, reason: "missing" })
    expect(verifyWebhookSignature(RFC_BODY, null, "Jefe")).toEqual({ ok: false, reason: "missing" })
    expect(verifyWebhookSignature(RFC_BODY, "", "Jefe")).toEqual({ ok: false, reason: "missing" })
    expect(verifyWebhookSignature(RFC_BODY, [], "Jefe")).toEqual({ ok: false, reason: "missing" })
  })
})

describe("event parsing", () => {
  it("parses the documented task-status-updated example", () => {
    const raw = '{ "webhook_id": "488f424096d3461aa0e4cf11a985f6df", "event_type": "task-status-updated", "task_id": "521442a087604e599c637db310d07402", "link_id": "d39d86dcc20c46e0ae75ba9ab1311a21", "product": "income", "data_source": "payroll", "tracking_info": null, "status": "done", "user_id": "88fef4cea64c40b5ad6727cc9b0b9fdc", "template_id": null, "event_created_at": "2022-08-24T13:55:12.845645Z", "updated_at": "2022-08-24T13:55:12.845666+00:00" }'
    const r = parseWebhookEvent(raw)
    expect(r).toMatchObject({ ok: true, event: { event_type: "task-status-updated", status: "done", link_id: "d39d86dcc20c46e0ae75ba9ab1311a21" } })
  })

  it("parses the documented order-created example", () => {
    const raw = '{ "webhook_id": "0aac461e7b774a38a72fd9c7c0eef8ee", "event_type": "order-created", "event_created_at": "2024-07-11T21:40:48.424610Z", "updated_at": "2024-07-11T21:40:48.424655+00:00", "order_id": "ddd192646b3c48be96651a0ff25cef85", "order_number": "4138538", "employer_id": null, "link_id": null, "data_source": null, "product": "income", "status": "pending", "user_id": "adbe707dddee4334bffaeb5866272740", "template_id": null }'
    expect(parseWebhookEvent(raw)).toMatchObject({ ok: true, event: { event_type: "order-created", order_id: "ddd192646b3c48be96651a0ff25cef85", status: "pending" } })
  })

  it("keeps unknown event types as raw data", () => {
    const r = parseWebhookEvent('{"webhook_id":"w9","event_type":"statements-updated","object_id":"x"}')
    expect(r).toEqual({ ok: true, event: { event_type: "unknown", originalEventType: "statements-updated", webhook_id: "w9", raw: { webhook_id: "w9", event_type: "statements-updated", object_id: "x" } } })
  })

  it("names the missing field of a known event, and rejects non-JSON", () => {
    expect(parseWebhookEvent('{"webhook_id":"w","event_type":"order-refresh-failed","event_created_at":"x","status":"login_error"}'))
      .toEqual({ ok: false, error: "order-refresh-failed event: order_id: Invalid input: expected string, received undefined" })
    expect(parseWebhookEvent("not json")).toEqual({ ok: false, error: "webhook body is not JSON" })
  })
})
