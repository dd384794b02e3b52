/* eslint-disable @typescript-eslint/no-explicit-any -- tests read the raw JSON Truv would send */
/** A raw HTTP helper for sandbox tests: they talk to the sandbox as Truv's docs describe, not through the client. */
import type { TruvSandbox } from "../src/index.js"

export interface Reply {
  readonly status: number
  readonly body: any
  readonly headers: Headers
}

export const truv = async (sandbox: TruvSandbox, method: string, path: string, body?: unknown, auth = true): Promise<Reply> => {
  const headers: Record<string, string> = { "Content-Type": "application/json" }
  if (auth) {
    headers["X-Access-Client-Id"] = sandbox.clientId
    headers["X-Access-Secret"] = sandbox.secret
  }
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await fetch(`${sandbox.url}${path}`, init)
  const text = await res.text()
  return { status: res.status, body: text === "" ? null : JSON.parse(text), headers: res.headers }
}

export const refresh = (sandbox: TruvSandbox, orderId: string, body: unknown = { products: ["income"] }) =>
  truv(sandbox, "POST", `/v1/orders/${orderId}/`, body)
