/**
 * The scheduler's configuration file: an unknown key at any level is one problem at its own
 * path, with core's did-you-mean hint when a known key is close. The webhook server's limits and
 * the admin bind: their defaults, and every bad value named by its key.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { DEFAULT_POLICY_CONFIG, DURATION_EXPECTED, parsePolicyConfig } from "@recert/core"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { DEFAULT_HTTP_LIMITS } from "../src/http/limits.js"
import { adminBindOf, resolveConfig, webhookLimitsOf } from "../src/runtime/config.js"
import { policyOf } from "../src/runtime/live-layers.js"

const dir = mkdtempSync(join(tmpdir(), "recert-config-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("scheduler config file: unknown keys", () => {
  it("are named by path, with a hint for a case or spelling slip", async () => {
    const file = join(dir, "c.json")
    writeFileSync(file, JSON.stringify({ Concurrency: 4, webhook: { portt: 9000 }, truv: { clientId: "c", secrett: "s", colour: 1 } }))
    const error = await Effect.runPromise(Effect.flip(resolveConfig({ file, env: {} })))
    expect(error.problems).toEqual([
      `${file}: webhook.portt: unknown key (did you mean port?)`,
      `${file}: truv.secrett: unknown key (did you mean secret?)`,
      `${file}: truv.colour: unknown key`,
      `${file}: Concurrency: unknown key (did you mean concurrency?)`
    ])
  })
})

const TRUV = { TRUV_CLIENT_ID: "cid", TRUV_SECRET: "truv-secret" }
const problemsOf = (input: Parameters<typeof resolveConfig>[0]) => Effect.runPromise(Effect.flip(resolveConfig(input))).then((e) => e.problems)

describe("scheduler config: the webhook server's limits and the admin bind", () => {
  it("default to 10s headers, 30s request, 5s keep-alive, 256 connections, 1 MiB, admin on 127.0.0.1 at the next port", async () => {
    const config = await Effect.runPromise(resolveConfig({ env: TRUV }))
    expect(webhookLimitsOf(config)).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 256, maxBodyBytes: 1_048_576 })
    expect(webhookLimitsOf(config)).toEqual(DEFAULT_HTTP_LIMITS)
    expect([adminBindOf(config), config.admin.token]).toEqual([{ host: "127.0.0.1", port: 8081 }, undefined])
  })

  it("are read from the environment and the file, durations in core's grammar", async () => {
    const file = join(dir, "limits.json")
    writeFileSync(file, JSON.stringify({ webhook: { port: 0, requestTimeout: 2_000, maxBodyBytes: 4_096 }, admin: { host: "10.0.0.5" } }))
    const config = await Effect.runPromise(resolveConfig({ file, env: {
      ...TRUV, RECERT_WEBHOOK_HEADERS_TIMEOUT: "500ms", RECERT_WEBHOOK_KEEP_ALIVE_TIMEOUT: "1m5s", RECERT_WEBHOOK_MAX_CONNECTIONS: "32",
      RECERT_ADMIN_TOKEN: "0123456789abcdef"
    } }))
    expect(webhookLimitsOf(config)).toEqual({ headersTimeoutMs: 500, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 65_000, maxConnections: 32, maxBodyBytes: 4_096 })
    // webhook.port 0 picks a port, so the admin's is picked too.
    expect([adminBindOf(config), config.admin.token]).toEqual([{ host: "10.0.0.5", port: 0 }, "0123456789abcdef"])
    const explicit = await Effect.runPromise(resolveConfig({ env: { ...TRUV, RECERT_WEBHOOK_PORT: "9000", RECERT_ADMIN_PORT: "9100" } }))
    expect(adminBindOf(explicit)).toEqual({ host: "127.0.0.1", port: 9100 })
  })

  it("refuse bad values naming the variable or key, and never echo the token", async () => {
    expect(await problemsOf({ env: {
      ...TRUV, RECERT_WEBHOOK_HEADERS_TIMEOUT: "10", RECERT_WEBHOOK_REQUEST_TIMEOUT: "0s", RECERT_WEBHOOK_MAX_CONNECTIONS: "0",
      RECERT_WEBHOOK_MAX_BODY_BYTES: "1MiB", RECERT_ADMIN_PORT: "70000", RECERT_ADMIN_TOKEN: "short-secret"
    } })).toEqual([
      `RECERT_WEBHOOK_HEADERS_TIMEOUT: expected ${DURATION_EXPECTED}; got "10"`,
      `RECERT_WEBHOOK_REQUEST_TIMEOUT: must be at least 1ms; got "0s"`,
      `RECERT_WEBHOOK_MAX_CONNECTIONS: Too small: expected number to be >=1; got "0"`,
      `RECERT_WEBHOOK_MAX_BODY_BYTES: Invalid input: expected number, received NaN; got "1MiB"`,
      `RECERT_ADMIN_PORT: Too big: expected number to be <=65535; got "70000"`,
      "RECERT_ADMIN_TOKEN: must be at least 16 characters; got (secret, not shown)"
    ])
  })

  it("refuse a headers timeout longer than the request timeout, and unknown keys in the new sections", async () => {
    expect(await problemsOf({ env: { ...TRUV, RECERT_WEBHOOK_HEADERS_TIMEOUT: "40s" } }))
      .toEqual([`RECERT_WEBHOOK_HEADERS_TIMEOUT: must not exceed webhook.requestTimeout (30000ms); got "40s"`])
    const file = join(dir, "admin-typo.json")
    writeFileSync(file, JSON.stringify({ admin: { tokn: "x" }, webhook: { maxConnection: 3 } }))
    expect(await problemsOf({ file, env: TRUV })).toEqual([
      `${file}: webhook.maxConnection: unknown key (did you mean maxConnections?)`,
      `${file}: admin.tokn: unknown key (did you mean token?)`
    ])
  })
})

describe("scheduler config: how clients are reached (issue 16)", () => {
  it("defaults to truv-sends; the file, RECERT_CLIENT_REACH and --client-reach set it, each overriding the one before", async () => {
    const file = join(dir, "reach.json")
    writeFileSync(file, JSON.stringify({ clientReach: "bridge" }))
    const reach = (input: Parameters<typeof resolveConfig>[0]) => Effect.runPromise(resolveConfig(input)).then((c) => c.clientReach)
    expect(await reach({ env: TRUV })).toBe("truv-sends")
    expect(await reach({ file, env: TRUV })).toBe("bridge")
    expect(await reach({ file, env: { ...TRUV, RECERT_CLIENT_REACH: "agency-sends" } })).toBe("agency-sends")
    expect(await reach({ file, env: { ...TRUV, RECERT_CLIENT_REACH: "agency-sends" }, flags: { clientReach: { flag: "--client-reach", value: "truv-sends" } } })).toBe("truv-sends")
  })

  it("refuses another value naming where it came from", async () => {
    const file = join(dir, "bad-reach.json")
    writeFileSync(file, JSON.stringify({ clientReach: "sms" }))
    const expected = "expected one of truv-sends, agency-sends, bridge"
    expect(await problemsOf({ env: { ...TRUV, RECERT_CLIENT_REACH: "email" } })).toEqual([`RECERT_CLIENT_REACH: ${expected}; got "email"`])
    expect(await problemsOf({ file, env: TRUV })).toEqual([`${file}: clientReach: ${expected}; got "sms"`])
    expect(await problemsOf({ env: TRUV, flags: { clientReach: { flag: "--client-reach", value: "Bridge" } } })).toEqual([`--client-reach: ${expected}; got "Bridge"`])
  })
})

describe("scheduler config: the policy (issue 18), the format of recert explain/plan --policy", () => {
  const timing = { timing: { freshnessDays: { annual: 20, semiannual: 20, quarterly: 10 }, expiryMarginHours: 48 }, learning: { minSample: 5, minSuccess: 0.5 } }
  const policyFile = (name: string, body: unknown) => {
    const file = join(dir, name)
    writeFileSync(file, typeof body === "string" ? body : JSON.stringify(body))
    return file
  }
  const jsonError = (text: string): string => {
    try {
      JSON.parse(text)
      return ""
    } catch (e) {
      return (e as Error).message
    }
  }
  const policyOfInput = (input: Parameters<typeof resolveConfig>[0]) => Effect.runPromise(resolveConfig(input)).then(policyOf)

  it("defaults to core's policy with the 120 s clock guard", async () => {
    const config = await Effect.runPromise(resolveConfig({ env: TRUV }))
    expect([policyOf(config), config.clockGuard]).toEqual([DEFAULT_POLICY_CONFIG, 120_000])
  })

  it("is read from policy in the config file, RECERT_POLICY_FILE or --policy, validated by core; the clock guard from the policy unless clockGuard is set", async () => {
    const expected = parsePolicyConfig(timing)
    expect(await policyOfInput({ file: policyFile("inline.json", { policy: timing }), env: TRUV })).toEqual(expected)
    const file = policyFile("policy.json", { ...timing, clockGuardSeconds: 30 })
    expect(await policyOfInput({ env: { ...TRUV, RECERT_POLICY_FILE: file } })).toEqual({ ...expected, clockGuardSeconds: 30 })
    expect(await policyOfInput({ env: TRUV, flags: { policyFile: { flag: "--policy", value: file } } })).toEqual({ ...expected, clockGuardSeconds: 30 })
    // --policy overrides RECERT_POLICY_FILE (flags over the environment), whole: the two files are not merged.
    expect(await policyOfInput({ env: { ...TRUV, RECERT_POLICY_FILE: file }, flags: { policyFile: { flag: "--policy", value: policyFile("lead.json", { leadTimeDays: 10 }) } } }))
      .toEqual(parsePolicyConfig({ leadTimeDays: 10 }))
    const guarded = await Effect.runPromise(resolveConfig({ env: { ...TRUV, RECERT_POLICY_FILE: file, RECERT_CLOCK_GUARD: "5m" } }))
    expect([policyOf(guarded), guarded.clockGuard]).toEqual([{ ...expected, clockGuardSeconds: 300 }, 300_000])
    // The store's reservations decide with this same policy (liveLayer gives policyOf(config) to SqlStore.layer and to the passes).
    expect(policyOf(guarded).timing?.expiryMarginHours).toBe(48)
  })

  it("refuses a bad value naming where it came from and the field, and both a policy and a policy file", async () => {
    const file = policyFile("bad-policy.json", { learning: { minSample: 0, minSucess: 0.5 }, timing: { expiryMarginHours: -1 } })
    expect(await problemsOf({ env: { ...TRUV, RECERT_POLICY_FILE: file } })).toEqual([
      `RECERT_POLICY_FILE ${file}: learning.minSample: Too small: expected number to be >0`,
      `RECERT_POLICY_FILE ${file}: learning.minSucess: unknown key (did you mean minSuccess?)`,
      `RECERT_POLICY_FILE ${file}: timing.expiryMarginHours: Too small: expected number to be >=0`
    ])
    const inline = policyFile("bad-inline.json", { policy: { leadTimeDays: "30" } })
    expect(await problemsOf({ file: inline, env: TRUV })).toEqual([`${inline}: policy.leadTimeDays: Invalid input: expected number, received string`])
    expect(await problemsOf({ env: TRUV, flags: { policyFile: { flag: "--policy", value: policyFile("not-json.json", "{") } } })).toEqual([
      `--policy ${join(dir, "not-json.json")}: not JSON (${jsonError("{")})`
    ])
    expect(await problemsOf({ env: TRUV, flags: { policyFile: { flag: "--policy", value: join(dir, "missing.json") } } })).toEqual([
      `--policy ${join(dir, "missing.json")}: cannot read (ENOENT)`
    ])
    const both = policyFile("both.json", { policy: timing })
    expect(await problemsOf({ file: both, env: { ...TRUV, RECERT_POLICY_FILE: file } })).toEqual([
      `${both}: policy: set either the policy here or a policy file (RECERT_POLICY_FILE ${file}), not both`
    ])
  })

  it("a bad policy exits 2 with the field named and no stack trace (the CLI)", () => {
    const file = policyFile("bad-cli.json", { timing: { expiryMarginHours: -1 } })
    const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))
    const r = spawnSync(process.execPath, [main, "run", "--policy", file], { env: { PATH: process.env["PATH"], ...TRUV }, encoding: "utf8", timeout: 30_000 })
    expect([r.status, r.stderr]).toEqual([2, `invalid configuration:\n  --policy ${file}: timing.expiryMarginHours: Too small: expected number to be >=0\n`])
  })
})
