/**
 * Onboarding from Truv, end to end and as an operator does it (issue 14): a fresh database, a CSV
 * of case ids with Truv order ids from the sandbox (roots, refresh-order ids, an id Truv does not
 * know, a canceled order), `recert cases import --from-truv` as a process, then the store holds
 * the right lineages (orders, connections, statuses; the tokens decrypt to the sandbox's), a
 * second import changes nothing and reports the same, and `recert-scheduler run` renews them.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CaseContact, type CaseSnapshot } from "@recert/core"
import { SqlStore, Store } from "@recert/store"
import { TruvSandbox } from "@recert/truv-sandbox"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runApp } from "./support/apps.js"

const KEY = "6f".repeat(32)
let sandbox: TruvSandbox
let dir: string
let env: Record<string, string>
const ids = { a: "", b: "", bRefresh1: "", bRefresh2: "", c: "", canceledAt: "" }
let seeded: ReturnType<TruvSandbox["seedLineage"]>[] = []

const refresh = async (orderId: string): Promise<string> => {
  const r = await fetch(`${sandbox.url}/v1/orders/${orderId}/`, {
    method: "POST",
    headers: { "X-Access-Client-Id": sandbox.clientId, "X-Access-Secret": sandbox.secret, "Content-Type": "application/json" },
    body: JSON.stringify({ products: ["income"] })
  })
  expect(r.status).toBe(201)
  const id = ((await r.json()) as { id: string }).id
  await sandbox.idle()
  return id
}

const importCsv = (file: string, ...flags: Array<string>) =>
  runApp("admin-cli", ["cases", "import", file, "--from-truv", "--create", "--db", join(dir, "recert.sqlite"), ...flags], { cwd: dir, env, timeoutMs: 60_000 })

const snapshots = (caseIds: ReadonlyArray<string>) =>
  Effect.runPromise(Effect.gen(function*() {
    const store = yield* Store
    const out: Array<{ snapshot: CaseSnapshot; tokens: Array<string>; contact: CaseContact | null }> = []
    for (const id of caseIds) {
      const snapshot = yield* store.loadSnapshot(id)
      const tokens: Array<string> = []
      for (const c of snapshot.lineage.connections) tokens.push(Redacted.value(yield* store.accessToken(c.id)))
      const contact = yield* store.caseContact(id)
      out.push({ snapshot, tokens, contact: contact === null ? null : Redacted.value(contact) })
    }
    return out
  }).pipe(Effect.provide(SqlStore.layer({ url: join(dir, "recert.sqlite"), encryptionKey: Redacted.make(KEY), migrate: false }))))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "recert-onboarding-"))
  sandbox = await TruvSandbox.start({ seed: 14, faults: { completionDelayMs: 5, webhookDelayMs: 5 } })
  const recent = new Date(Date.now() - 24 * 3600_000).toISOString()
  seeded = [
    // The orders name their client (issue 16: the default reach mode needs a name and an email or phone; Truv's order supplies them).
    sandbox.seedLineage({ orderType: "income", createdAt: recent, firstName: "Zoë", lastName: "Ñúñez", email: "client-a@example.org", connections: [{ behaviour: "healthy", provider: "ADP" }, { behaviour: "healthy", provider: "Gusto" }] }),
    sandbox.seedLineage({ orderType: "income", createdAt: recent, email: "client-b@example.org", connections: [{ behaviour: "healthy", provider: "Paychex" }] }),
    sandbox.seedLineage({ orderType: "income", createdAt: recent, connections: [{ behaviour: "healthy" }] })
  ]
  ids.a = seeded[0]!.orderId
  ids.b = seeded[1]!.orderId
  ids.c = seeded[2]!.orderId
  ids.bRefresh1 = await refresh(ids.b)
  ids.bRefresh2 = await refresh(ids.bRefresh1)
  ids.canceledAt = sandbox.cancelOrder(ids.c).canceledAt ?? ""
  env = { RECERT_ENCRYPTION_KEY: KEY, TRUV_BASE_URL: sandbox.url, TRUV_CLIENT_ID: sandbox.clientId, TRUV_SECRET: sandbox.secret }
  const due = new Date(Date.now() - 3600_000).toISOString()
  writeFileSync(join(dir, "mixed.csv"), [
    "id,dueAt,cycle,rootOrderId",
    `case-a,${due},annual,${ids.a}`,
    `case-b,${due},annual,${ids.bRefresh2}`,
    "case-x,2027-01-01T00:00:00Z,annual,ord-unknown-at-truv",
    `case-c,${due},annual,${ids.c}`
  ].join("\n"))
  writeFileSync(join(dir, "cases.csv"), [
    "id,dueAt,cycle,rootOrderId",
    `case-a,${due},annual,${ids.a}`,
    `case-b,${due},annual,${ids.bRefresh2}`,
    `case-b2,${due},quarterly,${ids.bRefresh1}`
  ].join("\n"))
}, 60_000)

afterAll(async () => {
  await sandbox.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("recert cases import --from-truv", () => {
  it("refuses a file naming an unknown and a canceled order, writes nothing, and says per case what it found", async () => {
    const r = await importCsv("mixed.csv")
    expect(r.code).toBe(1)
    expect(r.stderr.trimEnd().split("\n").slice(-3)).toEqual([
      "recert: import of mixed.csv refused: 2 case(s) with a problem at Truv, nothing was written",
      "  line 4, rootOrderId: case case-x: order ord-unknown-at-truv was not found at Truv",
      `  line 5, rootOrderId: case case-c: order ${ids.c} was canceled at Truv (${ids.canceledAt}): it cannot be refreshed`
    ])
    const rows = r.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(/\s{2,}/))
    expect(rows.map((row) => [row[0], row[2], row[3]])).toEqual([
      ["case-a", ids.a, "1"], ["case-b", ids.b, "3"], ["case-x", "-", "0"], ["case-c", "-", "0"]
    ])
    expect(existsSync(join(dir, "recert.sqlite"))).toBe(false)
  }, 60_000)

  it("imports lineages and cases from Truv, and a second import changes nothing and reports the same", async () => {
    const first = await importCsv("cases.csv", "--json")
    expect(first.code).toBe(0)
    const report = JSON.parse(first.stdout) as { imported: number; kept: number; lineagesAdded: number; lineagesKept: number; cases: Array<{ caseId: string; rootOrderId: string; orders: Array<string>; connections: Array<{ id: string; lastTaskStatus: string | null; authKind: string; provider: string }> }> }
    expect([report.imported, report.kept, report.lineagesAdded, report.lineagesKept]).toEqual([3, 0, 2, 0])
    expect(report.cases.map((c) => [c.caseId, c.rootOrderId, c.orders])).toEqual([
      ["case-a", ids.a, [ids.a]], ["case-b", ids.b, [ids.b, ids.bRefresh1, ids.bRefresh2]], ["case-b2", ids.b, [ids.b, ids.bRefresh1, ids.bRefresh2]]
    ])
    expect(report.cases[0]!.connections.map((c) => [c.id, c.provider, c.authKind, c.lastTaskStatus])).toEqual([
      [seeded[0]!.connections[0]!.linkId, "adp", "unknown", "done"], [seeded[0]!.connections[1]!.linkId, "gusto", "unknown", "done"]
    ])

    const stored = await snapshots(["case-a", "case-b", "case-b2"])
    expect(stored.map((s) => s.snapshot.case.rootOrderId)).toEqual([ids.a, ids.b, ids.b])
    expect(stored[1]!.snapshot.lineage.orders.map((o) => [o.id, o.parentId])).toEqual([[ids.b, null], [ids.bRefresh1, ids.b], [ids.bRefresh2, ids.bRefresh1]])
    expect(stored[0]!.tokens).toEqual(seeded[0]!.connections.map((c) => c.accessToken))
    expect(stored[1]!.tokens).toEqual(seeded[1]!.connections.map((c) => c.accessToken))
    expect(stored[1]!.snapshot.lineage.connections.map((c) => [c.id, c.lastTaskStatus, c.authKind])).toEqual([[seeded[1]!.connections[0]!.linkId, "done", "unknown"]])
    // Each case's client, from its Truv order (the file has no contact columns), stored encrypted.
    expect(stored.map((s) => s.contact)).toEqual([
      { firstName: "Zoë", lastName: "Ñúñez", email: "client-a@example.org", phone: null, externalUserId: null },
      { firstName: "John", lastName: "Doe", email: "client-b@example.org", phone: null, externalUserId: null },
      { firstName: "John", lastName: "Doe", email: "client-b@example.org", phone: null, externalUserId: null }
    ])

    const again = await importCsv("cases.csv", "--json")
    expect(again.code).toBe(0)
    const second = JSON.parse(again.stdout) as typeof report
    expect([second.imported, second.kept, second.lineagesAdded, second.lineagesKept]).toEqual([0, 3, 0, 2])
    expect(second.cases).toEqual(report.cases)
    expect((await snapshots(["case-b"]))[0]!.snapshot.lineage.orders).toHaveLength(3)
  }, 120_000)

  it("then recert-scheduler run renews the imported cases against Truv", async () => {
    const before = sandbox.report().refreshes.accepted
    const r = await runApp("scheduler", ["run", "--json"], {
      cwd: dir, env: { ...env, DATABASE_URL: join(dir, "recert.sqlite"), RECERT_CONCURRENCY: "2" }, timeoutMs: 120_000
    })
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as { cases: { total: number; byOutcome: Record<string, number> }; refreshes: { sent: number } }
    expect(report.cases.total).toBe(3)
    expect(report.refreshes.sent).toBeGreaterThanOrEqual(2)
    expect(sandbox.report().refreshes.accepted - before).toBe(report.refreshes.sent)
  }, 180_000)

  it("exits 2 without Truv credentials or an encryption key, 1 when Truv is unreachable", async () => {
    const noCreds = await runApp("admin-cli", ["cases", "import", "cases.csv", "--from-truv", "--db", join(dir, "other.sqlite")], { cwd: dir, env: { RECERT_ENCRYPTION_KEY: KEY } })
    expect([noCreds.code, noCreds.stderr.trim()]).toEqual([2, "recert: --from-truv needs Truv credentials: set TRUV_CLIENT_ID and TRUV_SECRET (and TRUV_BASE_URL for a Truv other than production)"])
    const noKey = await runApp("admin-cli", ["cases", "import", "cases.csv", "--from-truv", "--db", join(dir, "other.sqlite")], { cwd: dir, env: { ...env, RECERT_ENCRYPTION_KEY: "" } })
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain("--from-truv stores Truv access tokens encrypted: set RECERT_ENCRYPTION_KEY")
    const down = await runApp("admin-cli", ["cases", "import", "cases.csv", "--from-truv", "--db", join(dir, "other.sqlite")], { cwd: dir, env: { ...env, TRUV_BASE_URL: "http://127.0.0.1:9" } })
    expect(down.code).toBe(1)
    expect(down.stderr.trimEnd().split("\n")).toEqual(["recert: resolving 3 order id(s) at Truv", "recert: Truv: GET /v1/orders/{id}/: TransportError (ECONNREFUSED); nothing was written"])
    expect(existsSync(join(dir, "other.sqlite"))).toBe(false)
  }, 60_000)
})
