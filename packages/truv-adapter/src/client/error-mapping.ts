/**
 * Turns a non-2xx Truv response into core's tagged errors, so the scheduler can act on each:
 * the refresh limit is recognised by its message text whatever the status (Truv does not
 * document the status, truv-api-notes §1.6); 429 otherwise is `throttled` with `Retry-After`.
 */
import { InvalidRequest, NotFound, ProviderUnavailable, RefreshLimitExceeded, Throttled, type TruvError, Unauthorized } from "@recert/core"
import { parseRetryAfter } from "./backoff.js"
import { ErrorJson } from "./schemas.js"

export const REFRESH_LIMIT_TEXT = "refresh limit for the access_token exceeded"

export interface ErrorResponse {
  readonly status: number
  readonly body: string
  readonly retryAfter: string | undefined
  /** What was asked for, e.g. `order 1a2b…` (used in NotFound). */
  readonly resource: string
  readonly nowMs: number
}

const parseBody = (text: string) => {
  try {
    const parsed = ErrorJson.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

export const mapErrorResponse = (r: ErrorResponse): TruvError => {
  const body = parseBody(r.body)
  const error = body !== undefined && "error" in body ? body.error : undefined
  const message = error?.message ?? (body !== undefined && "detail" in body ? body.detail : `HTTP ${r.status} from Truv`)
  if (message.toLowerCase().includes(REFRESH_LIMIT_TEXT)) return new RefreshLimitExceeded({ message })
  if (r.status === 429) return new Throttled({ retryAfterMs: parseRetryAfter(r.retryAfter, r.nowMs), message })
  if (r.status === 404) return new NotFound({ resource: r.resource, message: `${r.resource}: ${message}` })
  if (r.status === 401 || r.status === 403) return new Unauthorized({ status: r.status, message })
  if (r.status >= 500) return new ProviderUnavailable({ status: r.status, message })
  return new InvalidRequest({
    code: error?.code ?? `http_${r.status}`,
    message,
    fields: error?.extra?.["invalid-params"] ?? []
  })
}
