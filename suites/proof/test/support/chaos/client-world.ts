/**
 * The client chaos run's world (issue 16): the sandbox with scripted clients, the forwarder, and
 * cases whose connections cannot be refreshed, so the scheduler must reach the client (a new order
 * or a Bridge update-mode token), each with its client's identity and contact (as a case import
 * gives them). Six kinds of case, in turn:
 *
 * | # | the connection | Recert knows | the client (sandbox script) |
 * |---|---|---|---|
 * | 0 | OAuth authenticated 200 days ago (expired) | its user | acts after `h` hours |
 * | 1 | password changed (the refresh fails `login_error`) | its user | acts after `h` hours |
 * | 2 | the provider has no data (`no_data`: a new order in every mode) | its user | acts after `h` hours |
 * | 3 | OAuth expired | its user | never: reminders, expiry, 2 replacements, escalation |
 * | 4 | password changed | its user | comes an hour after the first request expired (too late), then acts after `h` hours on the replacement |
 * | 5 | OAuth expired | no Truv user (a new order even under `bridge`) | acts after `h` hours |
 *
 * `h` is drawn from the seed: 1-40 hours when the client gets a new order (72 weekday hours to
 * act), 0.5-5 hours when the reach is `bridge` (a token lives 6 hours).
 */
import type { ClientScriptInput } from "@recert/truv-sandbox"
import { generateEncryptionKey } from "@recert/store"
import { Redacted } from "effect"
import { prng } from "./settings.js"
import { appEnv, type Db, insertCases, startTruv, type Truv } from "./world.js"

const DAY = 86_400_000

export type Reach = "truv-sends" | "bridge"

export interface ClientCase {
  readonly caseId: string
  readonly orderNumber: string
  readonly kind: "oauth-expired" | "login-error" | "no-data" | "never" | "late-then-acts" | "no-user"
  readonly linkIds: ReadonlyArray<string>
  readonly script: ClientScriptInput
}

export interface ClientWorld extends Truv {
  readonly seed: number
  readonly reach: Reach
  readonly key: string
  readonly cases: ReadonlyArray<ClientCase>
  /** The env every app process gets (the reach, and the test-only clock that follows the sandbox's). */
  readonly env: Readonly<Record<string, string>>
}

const KINDS: ReadonlyArray<ClientCase["kind"]> = ["oauth-expired", "login-error", "no-data", "never", "late-then-acts", "no-user"]

/** Odd seeds: Truv sends new orders' links (the default); even seeds: Bridge tokens (new orders with notifications suppressed where Bridge cannot serve). */
export const reachOf = (seed: number): Reach => (seed % 2 === 1 ? "truv-sends" : "bridge")

export const makeClientWorld = async (seed: number, count: number, db: Db): Promise<ClientWorld> => {
  const reach = reachOf(seed)
  const draw = prng(seed + 31)
  // Webhooks are lost too (the chaos suite's 10%, besides duplicated, reordered, delayed and
  // retried): a completion whose webhook was lost is found by polling the order (every 6 hours of
  // the worker's clock), a re-authentication whose webhook was lost at the token's expiry (the
  // link's report: apps/scheduler/src/workflow/expiry-at-truv.ts).
  const truv = await startTruv(seed)
  const { sandbox } = truv
  const key = Redacted.value(generateEncryptionKey())
  const now = sandbox.clock.now()
  const cases: Array<ClientCase> = []
  const items = Array.from({ length: count }, (_, i) => {
    const kind = KINDS[i % KINDS.length]!
    const hours = reach === "bridge" ? 0.5 + Math.round(draw() * 18) / 4 : 1 + Math.floor(draw() * 40)
    const acts = { kind: "completes" as const, afterHours: hours }
    const script: ClientScriptInput = kind === "never" ? { kind: "never" }
      : kind === "late-then-acts" ? { requests: [{ kind: "after-expiry", afterHours: 1 }, acts] }
      : acts
    const expired = kind === "oauth-expired" || kind === "never" || kind === "no-user"
    const behaviour = kind === "login-error" || kind === "late-then-acts" ? "login-error" : kind === "no-data" ? "no-data" : "healthy"
    const s = sandbox.seedLineage({
      orderType: "income", gse: false, createdAt: new Date(now - 250 * DAY).toISOString(), client: script,
      connections: [{ behaviour, authKind: "oauth", authenticatedAt: new Date(now - (expired ? 200 : 20) * DAY).toISOString() }]
    })
    const caseId = `client-case-${String(i).padStart(3, "0")}`
    cases.push({ caseId, orderNumber: s.orderNumber!, kind, linkIds: s.connections.map((c) => c.linkId), script })
    return {
      lineage: {
        rootOrderId: s.orderId, orderType: "income" as const, gse: false, orderNumber: s.orderNumber, userId: kind === "no-user" ? null : s.userId,
        orders: [{ id: s.orderId, parentId: null, createdAt: s.createdAt }],
        connections: s.connections.map((c) => ({ id: c.linkId, suborderId: c.suborderId, suborderNumber: c.suborderNumber, kind: c.kind, provider: c.provider, authKind: c.authKind, authenticatedAt: c.authenticatedAt }))
      },
      accessTokens: Object.fromEntries(s.connections.map((c) => [c.linkId, Redacted.make(c.accessToken)])),
      cases: [{ id: caseId, dueAt: new Date(now + DAY).toISOString(), cycle: "annual" as const, rootOrderId: s.orderId }],
      // example.org is reserved (RFC 2606): nobody receives it; the sandbox counts the messages.
      contacts: { [caseId]: { firstName: "Zoë", lastName: "Ñúñez", email: `${caseId}@example.org`, phone: null, externalUserId: caseId } }
    }
  })
  await insertCases(db, key, items)
  return Object.assign(truv, {
    seed, reach, key, cases,
    env: { ...appEnv(sandbox, key), RECERT_CLIENT_REACH: reach, RECERT_TEST_CLOCK_URL: `${sandbox.url}/_sandbox/clock` }
  })
}
