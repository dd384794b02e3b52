/**
 * Like Truv, every answer carries `Date`, written on the sandbox's clock (not this machine's), so
 * a client reads the clock the sandbox's rules run on: errors and unknown paths included.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { TruvSandbox } from "../src/index.js"
import { startSandbox } from "./helpers.js"

let sandbox: TruvSandbox
beforeEach(async () => {
  sandbox = await startSandbox()
  sandbox.seedLineage({ orderId: "root0001", connections: [{ linkId: "link-1", accessToken: "tok-1" }] })
})
afterEach(async () => {
  await sandbox.close()
})

const dateOf = async (path: string, auth = true): Promise<[number, string | null]> => {
  const res = await fetch(`${sandbox.url}${path}`, { headers: auth ? { "X-Access-Client-Id": sandbox.clientId, "X-Access-Secret": sandbox.secret } : {} })
  await res.text()
  return [res.status, res.headers.get("date")]
}

describe("the Date header", () => {
  it("is the sandbox clock's instant on every answer, and follows the clock", async () => {
    expect(await dateOf("/v1/orders/root0001/")).toEqual([200, "Sun, 22 Nov 2026 10:00:00 GMT"])
    expect(await dateOf("/v1/orders/root0001/", false)).toEqual([401, "Sun, 22 Nov 2026 10:00:00 GMT"])
    expect(await dateOf("/v1/webhooks/")).toEqual([404, "Sun, 22 Nov 2026 10:00:00 GMT"])
    sandbox.clock.advance(3_600_000 + 1_999)
    expect(await dateOf("/v1/orders/root0001/")).toEqual([200, "Sun, 22 Nov 2026 11:00:01 GMT"])
  })
})
