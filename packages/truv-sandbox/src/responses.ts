/**
 * Truv's response and error shapes (truv-api-notes §5.3): `{"error":{"code","message","extra"}}`,
 * with `extra.invalid-params` only on 400, and `{"detail":"Not Found."}` for 404.
 */

export interface SandboxResponse {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export interface InvalidParam {
  readonly field: string
  readonly message: string
}

export const REFRESH_LIMIT_MESSAGE = "Refresh limit for the access_token exceeded"

export const ok = (body: unknown, status = 200): SandboxResponse => ({ status, body })

export const notFound = (): SandboxResponse => ({ status: 404, body: { detail: "Not Found." } })

export const badRequest = (params: ReadonlyArray<InvalidParam>): SandboxResponse => ({
  status: 400,
  body: { error: { code: "incorrect_parameters", message: "Incorrect request parameters", extra: { "invalid-params": params } } }
})

/** The limit error: its status and code are not documented; the sandbox assumes 429 (see README). */
export const refreshLimitExceeded = (): SandboxResponse => ({
  status: 429,
  body: { error: { code: "refresh_limit_exceeded", message: REFRESH_LIMIT_MESSAGE } }
})

export const throttled = (retryAfterSeconds: number): SandboxResponse => ({
  status: 429,
  body: { error: { code: "throttled", message: "Request was throttled." } },
  headers: { "Retry-After": String(retryAfterSeconds) }
})

export const unauthorized = (message: string): SandboxResponse => ({
  status: 401,
  body: { error: { code: "authentication_failed", message } }
})

export const serverError = (): SandboxResponse => ({
  status: 500,
  body: { error: { code: "server_error", message: "A server error occurred." } }
})

/** What a proxy in front of Truv answers when Truv's answer never reaches it (`responseLossMode: "bad-gateway"`). */
export const badGateway = (): SandboxResponse => ({
  status: 502,
  body: { error: { code: "bad_gateway", message: "Bad gateway." } }
})
