/* eslint-disable @typescript-eslint/no-explicit-any -- admin JSON bodies */
/** The sandbox command (from its fresh build, else from source with tsx: scripts/app-entry.mjs), its scenario file, and the admin HTTP API. */
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { parseScenario, type TruvSandbox } from "../src/index.js"
import { startSandbox } from "./helpers.js"
import { nodeArgsFor } from "../../../scripts/app-entry.mjs"

const MAIN = join(import.meta.dirname, "../src/main.ts")
const TSX = nodeArgsFor(MAIN)
const dir = mkdtempSync(join(tmpdir(), "truv-sandbox-"))

describe("scenario files", () => {
  it("names the bad path", () => {
    expect(parseScenario('{"lineages":[{"orderType":"payroll"}]}', "s.json")).toEqual({
      ok: false,
      error: 's.json: lineages.0.orderType: Invalid option: expected one of "income"|"employment"|"assets"|"insurance"|"transactions"'
    })
    expect(parseScenario('{"faults":{"webhookLossRate":2}}', "s.json")).toEqual({ ok: false, error: "s.json: faults.webhookLossRate: Too big: expected number to be <=1" })
    expect(parseScenario("{", "s.json").ok).toBe(false)
    expect(parseScenario('{"extra":1}', "s.json")).toEqual({ ok: false, error: 's.json: (root): Unrecognized key: "extra"' })
  })

  it("the command exits 2 on a bad scenario or a bad flag", () => {
    const bad = join(dir, "bad.json")
    writeFileSync(bad, '{"lineages":[{"gse":"yes"}]}')
    const r = spawnSync(process.execPath, [...TSX, "--scenario", bad], { encoding: "utf8" })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("lineages.0.gse: Invalid input: expected boolean, received string")
    const flag = spawnSync(process.execPath, [...TSX, "--nope"], { encoding: "utf8" })
    expect(flag.status).toBe(2)
  })

  it("the command seeds the scenario, serves Truv's paths, and stops on SIGTERM", async () => {
    const file = join(dir, "ok.json")
    writeFileSync(file, JSON.stringify({ clock: { mode: "manual", start: "2026-11-22T10:00:00Z" }, lineages: [{ orderId: "ord-1" }] }))
    const child = spawn(process.execPath, [...TSX, "--port", "0", "--scenario", file, "--secret", "cli-secret"], { stdio: ["ignore", "pipe", "pipe"] })
    const line = await new Promise<string>((resolve, reject) => {
      let out = ""
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString()
        if (out.includes("\n")) resolve(out.split("\n")[0]!)
      })
      child.once("exit", (code) => reject(new Error(`exited ${code}`)))
    })
    const info = JSON.parse(line) as { url: string; lineages: Array<{ orderId: string }> }
    expect(info.lineages.map((l) => l.orderId)).toEqual(["ord-1"])
    expect(line).not.toContain("cli-secret")
    const res = await fetch(`${info.url}/v1/orders/ord-1/`, { headers: { "X-Access-Client-Id": "sandbox-client-id", "X-Access-Secret": "cli-secret" } })
    expect(res.status).toBe(200)
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", resolve)
      child.kill("SIGTERM")
    })
    expect(code).toBe(0)
  }, 30_000)
})

describe("admin HTTP API", () => {
  let sandbox: TruvSandbox
  afterEach(async () => {
    await sandbox.close()
  })

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}/_sandbox/${path}`, { method, headers: { "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }

  it("seeds, sets behaviours, moves the clock, configures faults and reports", async () => {
    sandbox = await startSandbox()
    const seeded = await admin("POST", "lineages", { orderId: "a1", connections: [{ linkId: "L1" }] })
    expect(seeded).toMatchObject({ status: 201, body: { orderId: "a1", connections: [{ linkId: "L1" }] } })
    expect(await admin("PUT", "links/L1/behaviour", { behaviour: { kind: "unavailable-until", until: "2026-11-23T00:00:00Z" } }))
      .toMatchObject({ status: 200, body: { behaviour: { kind: "unavailable-until", until: Date.parse("2026-11-23T00:00:00Z") } } })
    expect(await admin("POST", "clock", { advanceMs: 3_600_000 })).toEqual({ status: 200, body: { now: "2026-11-22T11:00:00.000Z", mode: "manual" } })
    expect(await admin("POST", "faults", { latencyMs: 0, webhookLossRate: 0.5 })).toMatchObject({ status: 200, body: { webhookLossRate: 0.5 } })
    expect(await admin("POST", "faults", { webhookLossRate: 5 })).toMatchObject({ status: 400 })
    expect(await admin("POST", "links/L1/reauthenticate")).toMatchObject({ status: 200, body: { linkId: "L1", authenticatedAt: "2026-11-22T11:00:00.000Z" } })
    expect(await admin("POST", "idle")).toEqual({ status: 200, body: { idle: true } })
    expect(await admin("GET", "links/nope")).toMatchObject({ status: 400, body: { error: "unknown link nope" } })
    const report = await admin("GET", "report")
    expect(report.body.refreshes).toEqual({ accepted: 0, rejectedForLimit: 0, rejectedOther: 0, acceptedByLink: {} })
  })
})
