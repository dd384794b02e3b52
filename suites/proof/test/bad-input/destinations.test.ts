/**
 * Bad delivery configuration, fed to both apps as processes: a destination URL that is not
 * http(s), a malformed `whsec_` secret, an unknown event type in a filter. Each is exit 2 with one
 * line naming the destination, the field and the value (never the secret), and nothing is
 * delivered: the receiver gets no request and the outbox has no delivery row.
 */
import { createServer } from "node:http"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import Database from "better-sqlite3"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inPool, type ProcessResult, runApp } from "../support/apps.js"

const dir = mkdtempSync(join(tmpdir(), "recert-proof-destinations-"))
const db = join(dir, "recert.sqlite")
const key = Redacted.value(generateEncryptionKey())
const GOOD = `whsec_${Buffer.alloc(32, 8).toString("base64")}`
const BAD_SECRET = "whsec_this is not base64 at all"
let requests = 0
const server = createServer((_req, res) => {
  requests += 1
  res.writeHead(204).end()
})
let url = ""

const config = (name: string, destination: Record<string, unknown>) => {
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify({ truv: { clientId: "c", secret: "s", baseUrl: "http://127.0.0.1:9" }, destinations: [{ name: "agency", url, secretEnv: "AGENCY_WHSEC", ...destination }] }))
  return file
}

const results: Record<string, ProcessResult> = {}

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/events`
  await Effect.runPromise(Effect.scoped(Effect.flatMap(Store, (s) => s.appendEvent({ type: "case.escalated", caseId: "case-1", payload: { requestId: null, why: "w", caseworkerAction: "a" } }))
    .pipe(Effect.provide(SqlStore.layer({ url: db, encryptionKey: Redacted.make(key), create: true })))))
  const env = { RECERT_ENCRYPTION_KEY: key, AGENCY_WHSEC: GOOD }
  const cases = {
    runFtp: ["scheduler", ["run", "--db", db, "--config", config("ftp", { url: "ftp://agency.example/in" })], env],
    serveFtp: ["scheduler", ["serve", "--db", db, "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--config", config("ftp2", { url: "ftp://agency.example/in" })], env],
    runBadSecret: ["scheduler", ["run", "--db", db, "--config", config("secret", {})], { ...env, AGENCY_WHSEC: BAD_SECRET }],
    runUnknownType: ["scheduler", ["run", "--db", db, "--config", config("type", { events: ["case.renewed", "case.reneweed"] })], env],
    cliUnknownType: ["admin-cli", ["destinations", "--config", config("type2", { events: ["case.reneweed"] })], env]
  } as const
  const done = await inPool(3, Object.entries(cases).map(([name, [app, args, e]]) => async () => [name, await runApp(app, args, { env: e })] as const))
  for (const [name, r] of done) results[name] = r
}, 120_000)

afterAll(() => {
  server.close()
  rmSync(dir, { recursive: true, force: true })
})

const deliveries = (): number => {
  const conn = new Database(db, { readonly: true })
  try {
    return (conn.prepare("select count(*) as n from outbox_deliveries").get() as { n: number }).n
  } finally {
    conn.close()
  }
}

describe("bad delivery configuration", () => {
  it("a URL that is not http(s): exit 2 naming the destination and the URL (run and serve)", () => {
    for (const r of [results["runFtp"]!, results["serveFtp"]!]) {
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/ftp2?\.json: destinations\.0\.url: expected an http:\/\/ or https:\/\/ URL; got "ftp:\/\/agency\.example\/in"/)
    }
  })

  it("a malformed secret: exit 2 naming where it came from, never the secret", () => {
    const r = results["runBadSecret"]!
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('destinations[0] (agency): the secret from secretEnv AGENCY_WHSEC must be "whsec_" followed by base64 (secret, not shown)')
    expect(r.stderr + r.stdout).not.toContain("this is not base64")
  })

  it("an unknown event type in a filter: exit 2 naming it (scheduler and CLI)", () => {
    expect(results["runUnknownType"]!.code).toBe(2)
    expect(results["runUnknownType"]!.stderr).toContain('type.json: destinations.0.events.1: unknown event type (known: case.renewed, case.review-needed,')
    expect(results["runUnknownType"]!.stderr).toContain('got "case.reneweed"')
    expect([results["cliUnknownType"]!.code, results["cliUnknownType"]!.stderr]).toEqual([2, expect.stringContaining('got "case.reneweed"')])
  })

  it("nothing was delivered: no request reached the receiver, no delivery row exists", () => {
    expect([requests, deliveries()]).toEqual([0, 0])
  })
})
