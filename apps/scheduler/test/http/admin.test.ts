/**
 * Who may read `/health` and `/metrics`: by default only the admin bind (loopback) serves them
 * and the public webhook bind answers 404; with an admin token both binds serve them to a request
 * that carries it (`Authorization: Bearer`) and answer 401 to one that does not.
 */
import { request } from "node:http"
import { Redacted } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { hasAdminToken } from "../../src/http/admin.js"
import { DEFAULT_HTTP_LIMITS } from "../../src/http/limits.js"
import { type TestServer, testServer } from "./raw-http.js"

const TOKEN = "admin-token-0123456789abcdef"
const servers: Array<TestServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
const start = async (token?: string) => {
  const s = await testServer(DEFAULT_HTTP_LIMITS, {
    admin: { host: "127.0.0.1", port: 0 }, ...(token === undefined ? {} : { adminToken: Redacted.make(token) })
  })
  servers.push(s)
  return s
}

interface Got { readonly status: number; readonly type: string | undefined; readonly body: string; readonly challenge: string | undefined }
const get = (port: number, path: string, authorization?: string, method = "GET"): Promise<Got> =>
  new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers: authorization === undefined ? {} : { authorization } }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => void chunks.push(c))
      res.on("end", () => resolve({
        status: res.statusCode ?? 0, type: res.headers["content-type"], body: Buffer.concat(chunks).toString("utf8"),
        challenge: res.headers["www-authenticate"]
      }))
    })
    req.on("error", reject)
    req.end()
  })

describe("the admin endpoints without a token", () => {
  it("are not served on the public bind (404) and are served on the admin bind", async () => {
    const s = await start()
    expect(s.adminPort).not.toBe(s.port)
    expect((await get(s.port, "/metrics")).status).toBe(404)
    expect((await get(s.port, "/health")).status).toBe(404)
    expect((await get(s.port, "/health", undefined, "POST")).status).toBe(404)
    const metrics = await get(s.adminPort!, "/metrics")
    expect([metrics.status, metrics.type]).toEqual([200, "text/plain; version=0.0.4"])
    expect(metrics.body).toMatch(/^# TYPE recert_webhooks_received_total counter$/m)
    const health = await get(s.adminPort!, "/health")
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: "ok" }])
  })

  it("the admin bind serves nothing else: no webhooks there", async () => {
    const s = await start()
    expect((await get(s.adminPort!, "/webhooks/truv", undefined, "POST")).status).toBe(404)
    expect((await get(s.adminPort!, "/metrics", undefined, "POST")).status).toBe(405)
  })
})

describe("the admin endpoints with a token", () => {
  it("answer 401 without the token or with a wrong one, 200 with it, on both binds", async () => {
    const s = await start(TOKEN)
    const results: Array<[string, number, string]> = []
    for (const [bind, port] of [["public", s.port], ["admin", s.adminPort!]] as const) {
      for (const [label, auth] of [["none", undefined], ["wrong", "Bearer not-the-admin-token"], ["basic", `Basic ${TOKEN}`], ["right", `Bearer ${TOKEN}`]] as const) {
        results.push([`${bind}/${label}`, (await get(port, "/metrics", auth)).status, (await get(port, "/health", auth)).status.toString()])
      }
    }
    expect(results).toEqual([
      ["public/none", 401, "401"], ["public/wrong", 401, "401"], ["public/basic", 401, "401"], ["public/right", 200, "200"],
      ["admin/none", 401, "401"], ["admin/wrong", 401, "401"], ["admin/basic", 401, "401"], ["admin/right", 200, "200"]
    ])
    const refused = await get(s.port, "/metrics")
    expect([refused.challenge, JSON.parse(refused.body)]).toEqual(["Bearer", { error: "admin token required" }])
  })

  it("compares tokens of any length without throwing (digests of equal length)", () => {
    const token = Redacted.make(TOKEN)
    const asked = (authorization?: string) => hasAdminToken({ headers: authorization === undefined ? {} : { authorization } } as never, token)
    expect([asked(), asked("Bearer "), asked("Bearer x"), asked(`Bearer ${TOKEN}x`), asked(`bearer ${TOKEN}`), asked(`Bearer ${TOKEN}`)])
      .toEqual([false, false, false, false, true, true])
  })
})
