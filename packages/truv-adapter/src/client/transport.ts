/**
 * Classifies failures below HTTP. Only a failure that provably happened before any byte left
 * (connection refused, name not resolved, a request that could not be built) gets
 * `reachedTruv: false`; everything else, timeouts included, may have reached Truv.
 */
import { Transport } from "@recert/core"
import type { HttpClientError } from "effect/http"

const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ERR_INVALID_URL", "UND_ERR_CONNECT_TIMEOUT"])

/** Walks `cause` chains (fetch wraps the socket error: TypeError("fetch failed", { cause })). */
const errorCodes = (e: unknown): Array<string> => {
  const codes: Array<string> = []
  let current: unknown = e
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") codes.push(code)
    const errors = (current as { errors?: unknown }).errors
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner))
    current = (current as { cause?: unknown }).cause
  }
  return codes
}

export const fromHttpClientError = (error: HttpClientError.HttpClientError, what: string): Transport => {
  const reason = error.reason
  if (reason._tag === "InvalidUrlError" || reason._tag === "EncodeError") {
    return new Transport({ reachedTruv: false, message: `${what}: request could not be built (${reason._tag})` })
  }
  const codes = errorCodes(reason.cause)
  const notSent = codes.length > 0 && codes.every((c) => NOT_SENT_CODES.has(c))
  return new Transport({
    reachedTruv: !notSent,
    message: `${what}: ${reason._tag}${codes.length > 0 ? ` (${[...new Set(codes)].join(", ")})` : ""}`
  })
}

export const timedOut = (what: string, timeoutMs: number): Transport =>
  new Transport({ reachedTruv: true, message: `${what}: no complete answer within ${timeoutMs} ms` })
