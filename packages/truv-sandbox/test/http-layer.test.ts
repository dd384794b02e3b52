/* eslint-disable @typescript-eslint/no-explicit-any -- assertions over raw JSON bodies */
/**
 * The sandbox's HTTP layer answers like Truv's (http-checks.ts): routing before authentication
 * (404, 301 to the trailing slash), authentication before the body (401 even for a malformed
 * body), then 405, 406, 415 and 400; and the requests Truv's own sample clients send
 * (truvhq/quickstart `node/src/truv.js`, truvhq/demo-apps `server/truv.js`) get Truv's answers.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { TruvSandbox } from "../src/index.js"
import { startSandbox } from "./helpers.js"
import { truv } from "./truv-http.js"

let sandbox: TruvSandbox

beforeEach(async () => {
  sandbox = await startSandbox()
  sandbox.seedLineage({ orderId: "root0001", connections: [{ linkId: "link-1", accessToken: "tok-1" }] })
})
afterEach(async () => {
  await sandbox.close()
})

/** A raw request with full control of headers and body bytes. */
const raw = async (method: string, path: string, options: { body?: string; headers?: Record<string, string>; auth?: "good" | "bad" | "none"; redirect?: "manual" | "follow" } = {}) => {
  const headers: Record<string, string> = { ...options.headers }
  if ((options.auth ?? "good") !== "none") {
    headers["X-Access-Client-Id"] = sandbox.clientId
    headers["X-Access-Secret"] = options.auth === "bad" ? "sandbox-wrong" : sandbox.secret
  }
  const res = await fetch(`${sandbox.url}${path}`, { method, headers, redirect: options.redirect ?? "manual", ...(options.body === undefined ? {} : { body: options.body }) })
  const text = await res.text()
  return { status: res.status, location: res.headers.get("location"), body: text === "" ? null : (JSON.parse(text) as Record<string, any>) }
}
const JSON_TYPE = { "Content-Type": "application/json" }

describe("authentication comes before the body", () => {
  it("bad or missing credentials are 401 even when the body is malformed or not JSON", async () => {
    expect(await raw("POST", "/v1/orders/root0001/", { auth: "bad", body: "{not json", headers: JSON_TYPE })).toMatchObject({
      status: 401, body: { error: { code: "authentication_failed", message: "Invalid client id or secret." } }
    })
    expect(await raw("POST", "/v1/refresh/tasks/", { auth: "none", body: "a=b", headers: { "Content-Type": "application/x-www-form-urlencoded" } })).toMatchObject({
      status: 401, body: { error: { code: "authentication_failed", message: "Authentication credentials were not provided." } }
    })
    expect((await raw("GET", "/v1/orders/root0001/cancel/", { auth: "none" })).status).toBe(401)
    expect(sandbox.report().refreshes.accepted).toBe(0)
  })

  it("with good credentials a malformed JSON body is 400 naming `body`, and nothing is recorded", async () => {
    expect(await raw("POST", "/v1/orders/root0001/", { body: "{not json", headers: JSON_TYPE })).toEqual({
      status: 400, location: null,
      body: { error: { code: "incorrect_parameters", message: "Incorrect request parameters", extra: { "invalid-params": [{ field: "body", message: "JSON parse error." }] } } }
    })
    expect(sandbox.report().refreshes).toMatchObject({ accepted: 0 })
  })
})

describe("Content-Type and Accept", () => {
  it("415 for a POST body that is not sent as JSON, on every endpoint that takes JSON; nothing is processed", async () => {
    const body = JSON.stringify({ products: ["income"] })
    for (const path of ["/v1/orders/root0001/", "/v1/orders/", "/v1/refresh/tasks/", `/v1/users/${sandbox.link("link-1").userId}/tokens/`]) {
      expect(await raw("POST", path, { body, headers: { "Content-Type": "text/plain" } })).toEqual({
        status: 415, location: null, body: { detail: "Unsupported media type \"text/plain\" in request." }
      })
    }
    expect((await raw("POST", "/v1/orders/root0001/", { body })).status).toBe(415)
    expect(sandbox.report().refreshes.accepted).toBe(0)
    expect(sandbox.report().ordersCreated).toBe(0)
  })

  it("JSON with a charset parameter is JSON; a GET carrying Content-Type but no body (as the sample clients send) is fine", async () => {
    expect((await raw("POST", "/v1/orders/root0001/", { body: JSON.stringify({ products: ["income"] }), headers: { "Content-Type": "application/json; charset=utf-8" } })).status).toBe(201)
    expect((await raw("GET", "/v1/orders/root0001/", { headers: { ...JSON_TYPE, Accept: "application/json" } })).status).toBe(200)
    expect((await raw("GET", "/v1/orders/root0001/")).status).toBe(200)
  })

  it("406 when Accept excludes JSON", async () => {
    expect(await raw("GET", "/v1/orders/root0001/", { headers: { Accept: "text/html" } })).toEqual({
      status: 406, location: null, body: { detail: "Could not satisfy the request Accept header." }
    })
    expect((await raw("GET", "/v1/orders/root0001/", { headers: { Accept: "text/html, */*;q=0.1" } })).status).toBe(200)
  })
})

describe("routing comes before authentication", () => {
  it("an unknown path is 404 {detail} with or without credentials; a known one without its slash is 301 to it", async () => {
    expect(await raw("GET", "/v1/nothing-here/", { auth: "none" })).toEqual({ status: 404, location: null, body: { detail: "Not Found." } })
    expect(await raw("GET", "/v1/orders/root0001", { auth: "none" })).toEqual({ status: 301, location: "/v1/orders/root0001/", body: null })
    expect(await raw("GET", "/v1/orders/root0001/events?page=2")).toMatchObject({ status: 301, location: "/v1/orders/root0001/events/?page=2" })
    expect(await raw("POST", "/v1/orders/root0001", { body: "{}", headers: JSON_TYPE })).toMatchObject({ status: 301, location: "/v1/orders/root0001/" })
    expect(sandbox.report().refreshes.accepted).toBe(0)
  })
})

describe("the requests Truv's sample clients send", () => {
  it("quickstart: POST refresh/tasks/ with only access_token is 400 naming product_type (the reference requires it)", async () => {
    expect(await truv(sandbox, "POST", "/v1/refresh/tasks/", { access_token: "tok-1" })).toMatchObject({
      status: 400, body: { error: { code: "incorrect_parameters", extra: { "invalid-params": [{ field: "product_type", message: "This field is required." }] } } }
    })
  })

  it("quickstart: GET refresh/tasks/{id} without the slash is redirected, and fetch following it gets the task", async () => {
    const created = await truv(sandbox, "POST", "/v1/refresh/tasks/", { access_token: "tok-1", product_type: "income" })
    const taskId = String(created.body.task_id)
    expect(await raw("GET", `/v1/refresh/tasks/${taskId}`, { headers: JSON_TYPE, redirect: "follow" })).toMatchObject({
      status: 200, body: { id: taskId, created_at: "2026-11-22T10:00:00.000Z", refresh_date: "2026-11-22" }
    })
  })

  it("demo-apps: POST orders/{id}/refresh/ (no body) is 404 and refreshes nothing; its createOrder body is accepted", async () => {
    expect(await raw("POST", "/v1/orders/root0001/refresh/", { headers: JSON_TYPE })).toEqual({ status: 404, location: null, body: { detail: "Not Found." } })
    expect(sandbox.report().refreshes.accepted).toBe(0)
    const created = await truv(sandbox, "POST", "/v1/orders/", {
      order_number: "qs-1", external_user_id: "qs-u1", first_name: "John", last_name: "Johnson", products: ["income"],
      email: "j.johnson@example.com", social_security_number: "991919991", template_id: "t1", employers: [{ company_name: "Acme" }]
    })
    expect(created).toMatchObject({ status: 201, body: { order_number: "qs-1", employers: [{ company_name: "Acme", status: "pending", provider: null }] } })
  })

  it("demo-apps and quickstart: a Bridge token request's client_name and tracking_info are echoed", async () => {
    const userId = sandbox.link("link-1").userId
    expect(await truv(sandbox, "POST", `/v1/users/${userId}/tokens/`, { product_type: "income", client_name: "Truv Quickstart", tracking_info: "1338-0111-A" })).toMatchObject({
      status: 200, body: { user_id: userId, product_type: "income", client_name: "Truv Quickstart", tracking_info: "1338-0111-A" }
    })
  })
})
