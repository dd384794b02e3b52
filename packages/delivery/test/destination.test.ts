/** Destinations from a file or RECERT_DESTINATIONS: every bad value named with where it came from, never the secret. */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { loadDestinations } from "../src/index.js"

const SECRET = `whsec_${Buffer.alloc(32, 3).toString("base64")}`
const ok = { name: "agency", url: "https://agency.example/hooks", secretEnv: "AGENCY_WHSEC" }

describe("loadDestinations", () => {
  it("resolves a destination with its defaults and its secret from the environment or a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "dest-"))
    writeFileSync(join(dir, "secret"), `${SECRET}\n`)
    const file = join(dir, "config.json")
    writeFileSync(file, JSON.stringify({ concurrency: 3, destinations: [ok, { name: "lender", url: "http://127.0.0.1:9/x", secretFile: join(dir, "secret"), events: ["case.renewed"], timeout: "2s", pdf: "inline" }] }))
    const r = loadDestinations({ file, env: { AGENCY_WHSEC: SECRET } })
    expect(r.problems).toEqual([])
    expect(r.destinations.map((d) => [d.name, d.url, Redacted.value(d.secret) === SECRET, d.events, d.timeoutMs, d.concurrency, d.pdf])).toEqual([
      ["agency", "https://agency.example/hooks", true, null, 10_000, 4, "none"],
      ["lender", "http://127.0.0.1:9/x", true, ["case.renewed"], 2_000, 4, "inline"]
    ])
  })

  it("names a non-http(s) URL, an unknown event type, a malformed or missing secret", () => {
    const env = { RECERT_DESTINATIONS: JSON.stringify([{ ...ok, url: "ftp://agency.example/x" }, { ...ok, name: "b", events: ["case.renewd"] }]) }
    expect(loadDestinations({ env }).problems).toEqual([
      'RECERT_DESTINATIONS[0].url: expected an http:// or https:// URL; got "ftp://agency.example/x"',
      'RECERT_DESTINATIONS[1].events.0: unknown event type (known: case.renewed, case.review-needed, case.client-action-needed, case.client-action-completed, verification.expired, case.escalated, case.client-reminder-due); got "case.renewd"'
    ])
    const secretEnv = { RECERT_DESTINATIONS: JSON.stringify([ok, { ...ok, name: "b", secretEnv: "NOPE" }]), AGENCY_WHSEC: "MfKQ9r8GKYqrTwjUPD8I" }
    const problems = loadDestinations({ env: secretEnv }).problems
    expect(problems).toEqual([
      'RECERT_DESTINATIONS[0] (agency): the secret from secretEnv AGENCY_WHSEC must start with "whsec_" (secret, not shown)',
      "RECERT_DESTINATIONS[1] (b): secretEnv NOPE is not set"
    ])
    expect(problems.join("\n")).not.toContain("MfKQ9r8GKYqrTwjUPD8I")
  })
})
