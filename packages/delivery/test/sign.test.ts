/**
 * The signature against the Standard Webhooks spec's published example and the `standardwebhooks`
 * package's verifier (implementations we did not write), and the secret's format check.
 */
import { Webhook } from "standardwebhooks"
import { describe, expect, it } from "vitest"
import { secretProblem, signature, webhookHeaders } from "../src/index.js"

// The example of the spec's README (github.com/standard-webhooks/standard-webhooks, "Signature scheme").
const SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330,
  body: '{"test": 2432232314}', signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
}

describe("Standard Webhooks signature", () => {
  it("matches the spec's published example", () => {
    expect(signature(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature)
  })

  it("is accepted by the standardwebhooks package, and a changed body is refused", () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`
    const now = Math.floor(Date.now() / 1000)
    const body = JSON.stringify({ id: "01a202b2-c500-7000-8000-000000000000", type: "case.renewed" })
    const headers = webhookHeaders(secret, "01a202b2-c500-7000-8000-000000000000", now, body)
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body))
    expect(() => new Webhook(secret).verify(body.replace("renewed", "escalated"), { ...headers })).toThrow()
    // And the package's own signer gives the same header.
    expect(new Webhook(secret).sign(headers["webhook-id"], new Date(now * 1000), body)).toBe(headers["webhook-signature"])
  })

  it("refuses secrets that are not whsec_ + base64 of 24 to 64 bytes", () => {
    expect([
      secretProblem(SPEC.secret), secretProblem("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), secretProblem("whsec_not base64!"),
      secretProblem(`whsec_${Buffer.alloc(8).toString("base64")}`)
    ]).toEqual([null, 'must start with "whsec_"', 'must be "whsec_" followed by base64', "must hold 24 to 64 key bytes (has 8)"])
  })
})
