/**
 * Scripted connection behaviours: what a link's next refresh task ends with. A behaviour is
 * evaluated at the sandbox instant the refresh was accepted, so a test that advances the clock
 * afterwards does not change an outcome already decided. Whether the connection is still
 * authorized is not a behaviour: every link expires by its auth kind (validity.ts), and an expired
 * one fails `login_error` unless its behaviour already fails for another reason.
 */
import { z } from "zod"
import type { TaskStatus } from "@recert/core"

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

/**
 * The terminal task status a refresh accepted at `at` ends with. `expired`: the connection is past
 * its validity then, so every outcome that needed a login (`done`, `no_data`) is `login_error`;
 * scripted failures and a provider that is down keep their own status. `oauth-expiring` is
 * `healthy` (every connection expires now; the name stays for older scenario files).
 */
export const outcomeOf = (behaviour: LinkBehaviour, expired: boolean, at: number): TaskStatus => {
  const scripted = scriptedOutcome(behaviour, at)
  return expired && (scripted === "done" || scripted === "no_data") ? "login_error" : scripted
}

const scriptedOutcome = (behaviour: LinkBehaviour, at: number): TaskStatus => {
  switch (behaviour.kind) {
    case "healthy":
    case "slow":
    case "oauth-expiring":
      return "done"
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
