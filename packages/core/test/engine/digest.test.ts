import { describe, expect, it } from "vitest"
import { canonicalJson, DEFAULT_POLICY_CONFIG, digestInput, parseDecisionInput, PolicyConfig, policyVersion, sha256Hex } from "@recert/core"
import { input } from "../fixtures.js"

describe("sha256Hex", () => {
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
    ["The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"],
  ])("sha256(%j)", (text, hex) => {
    expect(sha256Hex(text)).toBe(hex)
  })

  it("agrees with node:crypto on UTF-8 and on lengths around the block boundary", async () => {
    const { createHash } = await import("node:crypto")
    for (const text of ["é日本", "x".repeat(55), "x".repeat(56), "x".repeat(63), "x".repeat(64), "x".repeat(1000)]) {
      expect(sha256Hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"))
    }
  })
})

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: undefined, w: null }], c: "s" } })).toBe('{"a":{"c":"s","d":[2,{"w":null,"y":1}]},"b":1}')
  })
})

describe("policyVersion", () => {
  it("is the SHA-256 of the canonical configuration, stable for the defaults", () => {
    expect(policyVersion(DEFAULT_POLICY_CONFIG)).toBe(sha256Hex(canonicalJson(DEFAULT_POLICY_CONFIG)))
    expect(policyVersion(DEFAULT_POLICY_CONFIG)).toBe("f5b3d47cd57e0f5220d232b921070e19475b6298a21af7d571c1c82dcaab0b7f")
  })

  it("is the same for equal configurations and differs when a number changes", () => {
    expect(policyVersion(PolicyConfig.parse({}))).toBe(policyVersion(DEFAULT_POLICY_CONFIG))
    expect(policyVersion(PolicyConfig.parse({ rateWindow: { limit: 2 } }))).not.toBe(policyVersion(DEFAULT_POLICY_CONFIG))
  })
})

describe("digestInput", () => {
  it("ignores key order and identifies the input", () => {
    const a = parseDecisionInput(input())
    const reordered = parseDecisionInput(JSON.parse(JSON.stringify({ request: a.request, ledger: a.ledger, lineage: a.lineage })))
    expect(digestInput(reordered)).toBe(digestInput(a))
    expect(digestInput(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(digestInput(parseDecisionInput(input(undefined, [], { products: ["employment"] })))).not.toBe(digestInput(a))
  })
})
