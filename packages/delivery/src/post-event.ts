/**
 * One try: POST an event's body to a destination, signed (Standard Webhooks headers), within the
 * destination's timeout. The outcome is a value, never a throw: `answered` with the status and
 * `Retry-After`, `timed-out`, or `unreachable` with the socket's error code (a reset, a refused
 * connection, a DNS failure). Nothing here logs: the caller records the outcome, and neither the
 * secret nor the body's figures appear in it.
 */
import { Redacted } from "effect"
import type { Destination } from "./destination.js"
import { webhookHeaders } from "./sign.js"

export type TryOutcome =
  | { readonly _tag: "answered"; readonly status: number; readonly retryAfter: string | null; readonly excerpt: string; readonly ms: number }
  | { readonly _tag: "timed-out"; readonly ms: number }
  | { readonly _tag: "unreachable"; readonly code: string; readonly ms: number }

/** Whether the outcome is a delivery (2xx). */
export const delivered = (o: TryOutcome): boolean => o._tag === "answered" && o.status >= 200 && o.status < 300

/** A one-line description for `last_error` and the CLI (no secret, no body beyond 120 characters of the answer). */
export const describeOutcome = (o: TryOutcome): string =>
  o._tag === "answered" ? `HTTP ${o.status}${o.excerpt === "" ? "" : `: ${o.excerpt}`}` : o._tag === "timed-out" ? `timed out after ${o.ms} ms` : `unreachable (${o.code})`

const codeOf = (e: unknown): string => {
  const cause = (e as { cause?: { code?: string; message?: string; errors?: ReadonlyArray<{ code?: string }> } }).cause
  return cause?.code ?? cause?.errors?.[0]?.code ?? (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e))
}

/**
 * @example
 * const outcome = await postEvent(destination, { id: event.id, body, timestampSec: Math.floor(Date.now() / 1000) })
 */
export const postEvent = async (destination: Pick<Destination, "url" | "secret" | "timeoutMs">, message: { readonly id: string; readonly body: string; readonly timestampSec: number }): Promise<TryOutcome> => {
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  const signal = AbortSignal.timeout(destination.timeoutMs)
  try {
    const response = await fetch(destination.url, {
      method: "POST", signal, redirect: "manual",
      headers: { ...webhookHeaders(Redacted.value(destination.secret), message.id, message.timestampSec, message.body), "content-type": "application/json", "user-agent": "recert-deliverer/1" },
      body: message.body
    })
    const text = await response.text()
    return { _tag: "answered", status: response.status, retryAfter: response.headers.get("retry-after"), excerpt: text.slice(0, 120).replace(/\s+/g, " ").trim(), ms: ms() }
  } catch (e) {
    if (signal.aborted) return { _tag: "timed-out", ms: ms() }
    return { _tag: "unreachable", code: codeOf(e), ms: ms() }
  }
}
