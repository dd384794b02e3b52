/**
 * Scripted connection behaviours: what a link's next refresh task ends with. A behaviour is
 * evaluated at the sandbox instant the refresh was accepted, so a test that advances the clock
 * afterwards does not change an outcome already decided.
 */
import { z } from "zod"
import type { TaskStatus } from "@recert/core"
import { DAY_MS } from "./truv-time.js"

const Instant = z.union([z.iso.datetime({ offset: true }), z.number().int()])

/** Behaviours as accepted from JSON: a bare name, or an object for the ones with a parameter. */
export const LinkBehaviourInput = z.union([
  z.enum(["healthy", "oauth-expiring", "login-error", "mfa-error", "account-locked", "no-data", "slow"]),
  z.object({ kind: z.enum(["healthy", "oauth-expiring", "login-error", "mfa-error", "account-locked", "no-data", "slow"]) }),
  z.object({ kind: z.literal("unavailable-until"), until: Instant })
])
export type LinkBehaviourInput = z.input<typeof LinkBehaviourInput>

export type LinkBehaviour =
  | { readonly kind: "healthy" | "oauth-expiring" | "login-error" | "mfa-error" | "account-locked" | "no-data" | "slow" }
  | { readonly kind: "unavailable-until"; readonly until: number }

export const parseBehaviour = (input: unknown): LinkBehaviour => {
  const parsed = LinkBehaviourInput.parse(input)
  if (typeof parsed === "string") return { kind: parsed }
  if (parsed.kind === "unavailable-until") {
    return { kind: "unavailable-until", until: typeof parsed.until === "number" ? parsed.until : Date.parse(parsed.until) }
  }
  return { kind: parsed.kind }
}

/** OAuth connections last 180 days (truv-api-notes §3.4); at `authenticated_at + 180 d` they fail. */
export const OAUTH_VALIDITY_MS = 180 * DAY_MS

/** The terminal task status a refresh accepted at `at` ends with. */
export const outcomeOf = (behaviour: LinkBehaviour, authenticatedAt: number, at: number): TaskStatus => {
  switch (behaviour.kind) {
    case "healthy":
    case "slow":
      return "done"
    case "oauth-expiring":
      return at >= authenticatedAt + OAUTH_VALIDITY_MS ? "login_error" : "done"
    case "login-error":
      return "login_error"
    case "mfa-error":
      return "mfa_error"
    case "account-locked":
      return "account_locked"
    case "no-data":
      return "no_data"
    case "unavailable-until":
      return at < behaviour.until ? "unavailable" : "done"
  }
}

/** Failures after which the user must act: the link is reported disconnected. */
export const DISCONNECTING_STATUSES: ReadonlySet<TaskStatus> = new Set(["login_error", "mfa_error", "account_locked", "unable_to_reset"])
