/**
 * Bridge tokens live 6 hours of sandbox time (truv-api-notes §6.1, §5.3). The admin "user
 * re-authenticated through Bridge" action checks the token it is given.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { BRIDGE_TOKEN_LIFETIME_MS, type SeededLineage, SandboxRequestError, type TruvSandbox } from "../src/index.js"
import { startSandbox, T0 } from "./helpers.js"
import { truv } from "./truv-http.js"

const HOUR = 3_600_000
let sandbox: TruvSandbox
let lineage: SeededLineage

beforeEach(async () => {
  sandbox = await startSandbox()
  lineage = sandbox.seedLineage({ orderId: "root0001", userId: "user0001", connections: [{ linkId: "link-a", accessToken: "tok-a", behaviour: "mfa-error" }, { linkId: "link-b", accessToken: "tok-b" }] })
})
afterEach(async () => {
  await sandbox.close()
})

const issue = async (body: Record<string, unknown>): Promise<string> => {
  const r = await truv(sandbox, "POST", "/v1/users/user0001/tokens/", { product_type: "income", ...body })
  expect(r.status).toBe(200)
  return r.body.bridge_token as string
}

const refusal = (run: () => unknown): SandboxRequestError => {
  try {
    run()
  } catch (e) {
    if (e instanceof SandboxRequestError) return e
    throw e
  }
  throw new Error("expected a SandboxRequestError")
}

describe("bridge token lifetime", () => {
  it("is 6 hours", () => {
    expect(BRIDGE_TOKEN_LIFETIME_MS).toBe(6 * HOUR)
  })

  it("an update-mode token re-authenticates its link until 6 h minus 1 ms", async () => {
    const token = await issue({ access_token: "tok-a" })
    sandbox.clock.advance(6 * HOUR - 1)
    const r = sandbox.reauthenticate("link-a", { bridgeToken: token })
    expect(r.authenticatedAt).toBe("2026-11-22T15:59:59.999Z")
    expect(sandbox.link("link-a")).toMatchObject({ behaviour: { kind: "healthy" }, authenticatedAt: "2026-11-22T15:59:59.999Z" })
    expect(sandbox.webhooks().map((w) => w.eventType)).toEqual(["task-status-updated"])
  })

  it("at 6 h it is expired: 410 expired_token, the link is unchanged, nothing is sent", async () => {
    const token = await issue({ access_token: "tok-a" })
    sandbox.clock.advance(6 * HOUR)
    const e = refusal(() => sandbox.reauthenticate("link-a", { bridgeToken: token }))
    expect(e.status).toBe(410)
    expect(e.code).toBe("expired_token")
    expect(e.body).toEqual({ error: { code: "expired_token", message: "Bridge token has expired." } })
    expect(sandbox.link("link-a")).toMatchObject({ behaviour: { kind: "mfa-error" }, authenticatedAt: T0 })
    expect(sandbox.webhooks()).toEqual([])
    expect(sandbox.report().expiredBridgeTokensRefused).toBe(1)
  })

  it("admin HTTP: 410 with Truv's body for an expired token, 200 for a valid one", async () => {
    const old = await issue({ access_token: "tok-a" })
    sandbox.clock.advance(7 * HOUR)
    const fresh = await issue({ access_token: "tok-a" })
    const post = (body: unknown) => fetch(`${sandbox.url}/_sandbox/links/link-a/reauthenticate`, { method: "POST", body: JSON.stringify(body) })
    const expired = await post({ bridgeToken: old })
    expect(expired.status).toBe(410)
    expect(await expired.json()).toEqual({ error: { code: "expired_token", message: "Bridge token has expired." } })
    const ok = await post({ bridge_token: fresh })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ linkId: "link-a", authenticatedAt: "2026-11-22T17:00:00.000Z" })
  })

  it("an unknown token, or one issued for another link, is a 400 naming bridge_token", async () => {
    const forB = await issue({ access_token: "tok-b" })
    const unknown = refusal(() => sandbox.reauthenticate("link-a", { bridgeToken: "nope" }))
    expect(unknown.status).toBe(400)
    expect(unknown.body).toEqual({ error: { code: "incorrect_parameters", message: "Incorrect request parameters", extra: { "invalid-params": [{ field: "bridge_token", message: "Invalid bridge token." }] } } })
    const other = refusal(() => sandbox.reauthenticate("link-a", { bridgeToken: forB }))
    expect(other.body.error.extra).toEqual({ "invalid-params": [{ field: "bridge_token", message: "The bridge token was issued for another user or link." }] })
    expect(sandbox.link("link-a").behaviour).toEqual({ kind: "mfa-error" })
  })

  it("a plain token of the user (no access_token) works for any of the user's links", async () => {
    const plain = await issue({})
    expect(sandbox.reauthenticate("link-b", { bridgeToken: plain }).linkId).toBe("link-b")
  })

  it("an order's own bridge_token counts from the order's creation", async () => {
    const token = (await truv(sandbox, "GET", "/v1/orders/root0001/")).body.bridge_token as string
    sandbox.clock.advance(5 * HOUR)
    expect(sandbox.reauthenticate("link-a", { bridgeToken: token }).authenticatedAt).toBe("2026-11-22T15:00:00.000Z")
    sandbox.clock.advance(HOUR)
    expect(refusal(() => sandbox.reauthenticate("link-a", { bridgeToken: token })).status).toBe(410)
  })

  it("reauthenticate(linkId) without a token keeps working at any time", () => {
    sandbox.clock.advance(30 * 24 * HOUR)
    expect(sandbox.reauthenticate(lineage.connections[0]!.linkId).authenticatedAt).toBe("2026-12-22T10:00:00.000Z")
  })
})
