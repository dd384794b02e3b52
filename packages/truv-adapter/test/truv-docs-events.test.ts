/**
 * Truv's documented webhook and error examples (test/fixtures/truv-docs) through the client's
 * parsers, one test per fixture; the fixture index against the folder; and the structural check
 * (`conformsTo`) the sandbox is held to with the same fixtures.
 */
import { readdirSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { mapErrorResponse, parseWebhookEvent } from "../src/index.js"
import { DOC_FIXTURES, fixturesOf, fixtureText, loadFixture } from "./fixtures/truv-docs/index.js"
import { conformsTo, describeShape, shapeToRecord } from "./fixtures/truv-docs/shape.js"

const EXPECTED_EVENTS: Record<string, ReadonlyArray<unknown>> = {
  "webhook-order-created": ["order-created", "ddd192646b3c48be96651a0ff25cef85", "pending", null],
  "webhook-order-status-updated": ["order-status-updated", "ddd192646b3c48be96651a0ff25cef85", "completed", "d8a8945ee2b049b193110cfba643f5df"],
  "webhook-order-status-updated-expired": ["order-status-updated", "abef776738194af389870fa20219ddf1", "expired", null],
  "webhook-order-status-updated-sent": ["order-status-updated", "ddd192646b3c48be96651a0ff25cef85", "sent", null],
  "webhook-order-status-updated-skipped": ["order-status-updated", "ddd192646b3c48be96651a0ff25cef85", "skipped", null],
  "webhook-order-status-updated-refresh-guide": ["order-status-updated", "5f3c1d7e9a2b4c6d8e0f1a2b3c4d5e6f", "completed", undefined],
  "webhook-order-refresh-failed": ["order-refresh-failed", "5f3c1d7e9a2b4c6d8e0f1a2b3c4d5e6f", "login_error", "e4100fccdae94691b4414c7306220c06"],
  "webhook-task-status-updated": ["task-status-updated", "521442a087604e599c637db310d07402", "done", "d39d86dcc20c46e0ae75ba9ab1311a21"],
  "webhook-task-status-updated-null-tracking": ["task-status-updated", "521442a087604e599c637db310d07402", "done", "d39d86dcc20c46e0ae75ba9ab1311a21"],
  "webhook-link-disconnected": ["link-disconnected", null, null, "d39d86dcc20c46e0ae75ba9ab1311a21"],
  "webhook-link-deleted": ["link-deleted", null, null, "d39d86dcc20c46e0ae75ba9ab1311a21"],
  "webhook-employment-updated": ["unknown", "employment-updated", "2e3f4a5b6c7d4e8f9a0b1c2d3e4f5a6b"],
  "webhook-order-finalized": ["unknown", "order-finalized", "7d6c5b4a39284f1e8d7c6b5a49382716"]
}

describe("documented webhooks parse", () => {
  it.each(fixturesOf("webhook").map((f) => f.name))("%s", (name) => {
    const parsed = parseWebhookEvent(fixtureText(name))
    if (!parsed.ok) throw new Error(parsed.error)
    const e = parsed.event
    const summary = e.event_type === "unknown"
      ? [e.event_type, e.originalEventType, e.webhook_id]
      : [e.event_type, "order_id" in e ? e.order_id : "task_id" in e ? e.task_id : null, "status" in e ? e.status : null, e.link_id]
    expect(summary).toEqual(EXPECTED_EVENTS[name])
  })

  it("task-status-updated keeps tracking_info (the order's employer_id) and a status Truv adds later", () => {
    const base = loadFixture("webhook-task-status-updated") as Record<string, unknown>
    const parsed = parseWebhookEvent(JSON.stringify({ ...base, status: "waiting_for_user" }))
    expect(parsed.ok && parsed.event.event_type === "task-status-updated" ? [parsed.event.tracking_info, parsed.event.status] : parsed).toEqual(["d7166cffbfef4bd6a9e830cf5508e615", "waiting_for_user"])
  })

  it("order_number as a number is read as text", () => {
    const base = loadFixture("webhook-order-created") as Record<string, unknown>
    const parsed = parseWebhookEvent(JSON.stringify({ ...base, order_number: 4138538 }))
    expect(parsed.ok && parsed.event.event_type === "order-created" ? parsed.event.order_number : parsed).toBe("4138538")
  })
})

const EXPECTED_ERRORS: Record<string, unknown> = {
  "error-400": { _tag: "InvalidRequest", code: "incorrect_parameters", fields: [{ field: "first_name", message: "First name is required" }] },
  "error-400-legacy": { _tag: "InvalidRequest", code: "validation_error", fields: [{ field: "products", message: "This field is required." }] },
  "error-401": { _tag: "Unauthorized", status: 401, message: "Incorrect authentication credentials." },
  "error-404": { _tag: "NotFound", resource: "order x", message: "order x: Not Found." },
  "error-410": { _tag: "InvalidRequest", code: "expired_token", fields: [] },
  "error-429": { _tag: "Throttled", retryAfterMs: 30_000, message: "Request was throttled." },
  "error-refresh-limit": { _tag: "RefreshLimitExceeded", message: "Refresh limit for the access_token exceeded" }
}

describe("documented error bodies map to typed errors", () => {
  it.each(fixturesOf("error").map((f) => [f.name, f.status!] as const))("%s (HTTP %d)", (name, status) => {
    const error = mapErrorResponse({ status, body: fixtureText(name), retryAfter: "30", resource: "order x", nowMs: 0 })
    expect(error).toMatchObject(EXPECTED_ERRORS[name] as object)
  })
})

describe("the fixture index", () => {
  it("lists every JSON file of the folder once, each with a source and a parser", () => {
    const files = readdirSync(new URL("./fixtures/truv-docs/", import.meta.url)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort()
    expect(DOC_FIXTURES.map((f) => f.name).sort()).toEqual(files)
    expect(DOC_FIXTURES.filter((f) => f.source === "" || f.endpoint === "")).toEqual([])
  })
})

describe("conformsTo", () => {
  const documented = loadFixture("order-refresh-created")

  it("a fixture conforms to itself and to a copy with extra fields", () => {
    expect(conformsTo(documented, documented)).toEqual({ ok: true, problems: [] })
    expect(conformsTo(documented, { ...(documented as object), extra: { any: 1 } }).ok).toBe(true)
  })

  it("names each path that diverges: provider as a string, a missing field, null where the docs show a string", () => {
    const order = structuredClone(documented) as { employers: Array<Record<string, unknown>>; user_id: unknown; share_url?: unknown }
    order.employers[0]!.provider = "adp"
    delete order.share_url
    order.user_id = null
    expect(conformsTo(documented, order).problems).toEqual([
      "user_id: documented string, got null",
      "share_url: missing",
      "employers[].provider: documented object, got string"
    ])
  })

  it("null is fine where the docs show null; a path documented only as null accepts any type; empty arrays are reported unless allowed", () => {
    const withNulls = describeShape(documented, { ...(documented as object), user_id: null })
    expect(conformsTo(withNulls, { ...(documented as object), user_id: null }).ok).toBe(true)
    expect(conformsTo(documented, { ...(documented as object), refresh_order: "5f3c" }).ok).toBe(true)
    const noEmployers = { ...(documented as object), employers: [] }
    expect(conformsTo(documented, noEmployers).problems).toEqual(["employers: documented with elements, got an empty array"])
    expect(conformsTo(documented, noEmployers, { emptyArrays: "allow" }).ok).toBe(true)
  })

  it("describes array elements and merges documented alternatives", () => {
    const shape = shapeToRecord(describeShape({ a: [{ p: "x" }, { p: { id: "y" } }] }))
    expect(shape).toEqual({ "": ["object"], a: ["array"], "a[]": ["object"], "a[].p": ["object", "string"], "a[].p.id": ["string"] })
  })
})
