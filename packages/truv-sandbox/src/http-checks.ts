/**
 * The checks Truv's HTTP layer makes around a request, in Truv's order (its answers are those of
 * Django REST framework: `{"detail": ...}` bodies, see truv-api-notes §5.3): a path without its
 * trailing slash is redirected before anything else (Django's APPEND_SLASH); credentials are
 * checked before the body is read, so bad credentials get 401 even with a malformed body; the
 * body of a POST must be JSON (`Content-Type: application/json`, else 415) and parse (else 400);
 * an `Accept` that excludes JSON gets 406.
 */
import type { IncomingMessage } from "node:http"
import { badRequest, type SandboxResponse } from "./responses.js"

/** 301 to the same path with its trailing slash (and query), as Django answers for a path Truv knows. */
export const slashRedirect = (url: URL): SandboxResponse => ({
  status: 301,
  body: "",
  headers: { Location: `${url.pathname}/${url.search}` }
})

const mediaType = (header: string | undefined): string => (header ?? "").split(";")[0]!.trim().toLowerCase()

/** 406 when the client accepts no JSON (no `Accept` header accepts anything). */
export const notAcceptable = (req: IncomingMessage): SandboxResponse | null => {
  const accept = req.headers.accept
  if (accept === undefined || accept.trim() === "") return null
  const ranges = accept.split(",").map(mediaType)
  if (ranges.some((r) => r === "application/json" || r === "application/*" || r === "*/*")) return null
  return { status: 406, body: { detail: "Could not satisfy the request Accept header." } }
}

export type ParsedBody = { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly response: SandboxResponse }

/**
 * The JSON body of a request whose handler reads one (POST, PATCH). An empty body is no body (the
 * handler then names the missing fields); a body sent as anything but JSON is 415, whatever it
 * contains; JSON that does not parse is 400 naming `body`. GET bodies are never read.
 */
export const readJsonBody = (req: IncomingMessage, method: string, raw: string): ParsedBody => {
  if ((method !== "POST" && method !== "PATCH") || raw.length === 0) return { ok: true, body: undefined }
  const type = mediaType(req.headers["content-type"])
  if (type !== "application/json" && !type.endsWith("+json")) {
    return { ok: false, response: { status: 415, body: { detail: `Unsupported media type "${req.headers["content-type"] ?? ""}" in request.` } } }
  }
  try {
    return { ok: true, body: JSON.parse(raw) }
  } catch {
    return { ok: false, response: badRequest([{ field: "body", message: "JSON parse error." }]) }
  }
}
