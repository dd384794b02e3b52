/**
 * Connection validity by auth kind (validity.ts, README assumption 11): every connection expires
 * by default, whatever its scripted behaviour. OAuth at `authenticatedAt + 180 d`, session-based
 * (and unknown) at 90 d or its provider's figure; a refresh of an expired connection is accepted,
 * counted, billed, and ends `login_error` followed by `link-disconnected`.
 */
import { afterEach, describe, expect, it } from "vitest"
import { parseScenario, type TruvSandbox, type TruvSandboxOptions } from "../src/index.js"
import { startSandbox, T0 } from "./helpers.js"
import { refresh, truv } from "./truv-http.js"

const DAY = 86_400_000
const NOW = Date.parse(T0)
let sandbox: TruvSandbox | undefined

afterEach(async () => {
  await sandbox?.close()
  sandbox = undefined
})

const start = async (options: TruvSandboxOptions = {}): Promise<TruvSandbox> => {
  sandbox = await startSandbox(options)
  return sandbox
}

/** Refreshes a one-connection lineage seeded with `connection`; returns the link's terminal status. */
const outcome = async (s: TruvSandbox, connection: Record<string, unknown>): Promise<string | null> => {
  const l = s.seedLineage({ connections: [connection] })
  expect((await refresh(s, l.orderId)).status).toBe(201)
  await s.idle()
  return s.link(l.connections[0]!.linkId).lastStatus
}

describe("OAuth connections expire at the configured validity by default", () => {
  it("a healthy OAuth connection is done a millisecond before 180 days and login_error from exactly 180 days", async () => {
    const s = await start()
    expect(await outcome(s, { behaviour: "healthy", authenticatedAt: NOW - 180 * DAY + 1 })).toBe("done")
    expect(await outcome(s, { behaviour: "healthy", authenticatedAt: NOW - 180 * DAY })).toBe("login_error")
    expect(await outcome(s, { authenticatedAt: NOW - 691 * DAY })).toBe("login_error")
  })

  it("the expired refresh is accepted, counted against the token, billed, and the link is reported disconnected", async () => {
    const s = await start()
    const l = s.seedLineage({ orderId: "old", connections: [{ authenticatedAt: NOW - 200 * DAY }] })
    const r = await refresh(s, "old")
    expect(r.status).toBe(201)
    await s.idle()
    const events = s.webhooks().map((w) => JSON.parse(w.body) as Record<string, string | null>)
    expect(events.map((e) => `${e.event_type ?? ""}:${e.status ?? ""}`)).toEqual([
      "order-created:pending", "task-status-updated:login_error", "order-refresh-failed:login_error", "link-disconnected:"
    ])
    expect(s.report().verifications.byLineage.old).toEqual({ billed: 1, free: 0, notBilled: 0 })
    expect(s.report().refreshes.accepted).toBe(1)
    expect(s.link(l.connections[0]!.linkId).refreshes).toEqual([T0])
    expect((await truv(s, "GET", `/v1/orders/${String(r.body.id)}/`)).body.employers[0].status).toBe("error")
  })

  it("a link refresh task on an expired connection fails the same way", async () => {
    const s = await start()
    const l = s.seedLineage({ connections: [{ authenticatedAt: NOW - 181 * DAY }] })
    const created = await truv(s, "POST", "/v1/refresh/tasks/", { access_token: l.connections[0]!.accessToken, product_type: "income" })
    expect(created.status).toBe(201)
    await s.idle()
    expect((await truv(s, "GET", `/v1/refresh/tasks/${String(created.body.task_id)}/`)).body.status).toBe("login_error")
  })

  it("connectionValidity.oauthDays changes the validity; re-authentication starts it again", async () => {
    const s = await start({ connectionValidity: { oauthDays: 30 } })
    expect(await outcome(s, { authenticatedAt: NOW - 30 * DAY + 1 })).toBe("done")
    const l = s.seedLineage({ orderId: "o30", connections: [{ authenticatedAt: NOW - 30 * DAY }] })
    await refresh(s, "o30")
    await s.idle()
    expect(s.link(l.connections[0]!.linkId).lastStatus).toBe("login_error")
    s.reauthenticate(l.connections[0]!.linkId)
    s.clock.advance(29 * DAY)
    await refresh(s, "o30")
    await s.idle()
    expect(s.link(l.connections[0]!.linkId).lastStatus).toBe("done")
  })

  it("the old `oauth-expiring` name behaves as healthy: it expires like every connection", async () => {
    const s = await start()
    expect(await outcome(s, { behaviour: "oauth-expiring", authenticatedAt: NOW - 180 * DAY + 1 })).toBe("done")
    expect(await outcome(s, { behaviour: "oauth-expiring", authenticatedAt: NOW - 180 * DAY })).toBe("login_error")
  })
})

describe("session-based and unknown connections follow the per-provider rule", () => {
  it("default 90 days for session and unknown kinds", async () => {
    const s = await start()
    expect(await outcome(s, { authKind: "session", authenticatedAt: NOW - 90 * DAY + 1 })).toBe("done")
    expect(await outcome(s, { authKind: "session", authenticatedAt: NOW - 90 * DAY })).toBe("login_error")
    expect(await outcome(s, { authKind: "unknown", authenticatedAt: NOW - 90 * DAY })).toBe("login_error")
    expect(await outcome(s, { authKind: "oauth", authenticatedAt: NOW - 90 * DAY })).toBe("done")
  })

  it("sessionDaysByProvider by name or id; null never expires; sessionDays changes the default", async () => {
    const s = await start({ connectionValidity: { sessionDays: 60, sessionDaysByProvider: { "Weekly Payroll": 14, paylocity: null } } })
    expect(await outcome(s, { authKind: "session", provider: "Weekly Payroll", authenticatedAt: NOW - 14 * DAY + 1 })).toBe("done")
    expect(await outcome(s, { authKind: "session", provider: "Weekly Payroll", authenticatedAt: NOW - 14 * DAY })).toBe("login_error")
    expect(await outcome(s, { authKind: "session", provider: "Paylocity", authenticatedAt: NOW - 900 * DAY })).toBe("done")
    expect(await outcome(s, { authKind: "session", provider: "Other", authenticatedAt: NOW - 60 * DAY })).toBe("login_error")
    expect(await outcome(s, { authKind: "oauth", provider: "Weekly Payroll", authenticatedAt: NOW - 100 * DAY })).toBe("done")
  })
})

describe("what expiry overrides and what it does not", () => {
  it("a connection's own validityDays wins over the rule (null: never expires)", async () => {
    const s = await start()
    expect(await outcome(s, { authenticatedAt: NOW - 700 * DAY, validityDays: null })).toBe("done")
    expect(await outcome(s, { authenticatedAt: NOW - 10 * DAY, validityDays: 10 })).toBe("login_error")
  })

  it("expired: no-data and slow become login_error; scripted failures and a provider down keep their status", async () => {
    const s = await start()
    const old = NOW - 365 * DAY
    expect(await outcome(s, { behaviour: "no-data", authenticatedAt: old })).toBe("login_error")
    expect(await outcome(s, { behaviour: "slow", authenticatedAt: old })).toBe("login_error")
    expect(await outcome(s, { behaviour: "mfa-error", authenticatedAt: old })).toBe("mfa_error")
    expect(await outcome(s, { behaviour: "account-locked", authenticatedAt: old })).toBe("account_locked")
    expect(await outcome(s, { behaviour: { kind: "unavailable-until", until: NOW + 1 }, authenticatedAt: old })).toBe("unavailable")
    expect(await outcome(s, { behaviour: { kind: "unavailable-until", until: NOW }, authenticatedAt: old })).toBe("login_error")
  })

  it("a scenario file takes connectionValidity; a bad value names its path", () => {
    const ok = parseScenario(JSON.stringify({ connectionValidity: { oauthDays: 90, sessionDaysByProvider: { adp: null } } }))
    expect(ok).toMatchObject({ ok: true, scenario: { connectionValidity: { oauthDays: 90, sessionDays: 90, sessionDaysByProvider: { adp: null } } } })
    expect(parseScenario(JSON.stringify({ connectionValidity: { oauthDays: -1 } }), "s.json")).toEqual({
      ok: false, error: "s.json: connectionValidity.oauthDays: Too small: expected number to be >0"
    })
  })
})
