/**
 * The small vocabulary every other schema is built from: instants, products, order types,
 * auth kinds and Truv task statuses. Values are the strings Truv itself uses, so a payload
 * from Truv maps onto the model without translation.
 */
import { z } from "zod"

/**
 * An instant as an ISO-8601 string with a zone designator, e.g. `2026-11-22T10:00:00.000Z`.
 * Instants without a zone are rejected: a "local" time has no single meaning for a limit.
 *
 * @example
 * Instant.parse("2026-11-22T10:00:00Z") // ok
 */
export const Instant = z.iso.datetime({ offset: true })
export type Instant = z.infer<typeof Instant>

/** The products Truv can refresh. One refresh request carries exactly one of them. */
export const Product = z.enum(["income", "employment", "assets", "insurance", "transactions"])
export type Product = z.infer<typeof Product>

/** The product of the root order of a lineage; it decides which products may be refreshed. */
export const OrderType = Product
export type OrderType = Product

/**
 * How a connection authenticates: `oauth` connections last a fixed time (180 days by default);
 * `session` and `unknown` connections have no fixed validity.
 */
export const AuthKind = z.enum(["oauth", "session", "unknown"])
export type AuthKind = z.infer<typeof AuthKind>

/** Truv task statuses, in-progress and terminal (see truv-api-notes §2.1). */
export const TaskStatus = z.enum([
  "new", "login", "mfa", "parse", "base_parse", "full_parse", "switch_deposit",
  "done", "login_error", "mfa_error", "config_error", "account_locked", "unable_to_reset",
  "no_data", "unavailable", "error", "not_supported"
])
export type TaskStatus = z.infer<typeof TaskStatus>

/**
 * Truv's generic failure, `error`: it does not say whether the user must act (a changed password,
 * an MFA prompt) or the provider was down. Recert assumes the cheaper truth: a refresh that may
 * need the user is never sent again (each one is billed), so `error` asks the user like the
 * statuses below, and every reason that cites it says the status was imprecise (issue 14).
 */
export const IMPRECISE_STATUSES: ReadonlySet<TaskStatus> = new Set(["error"])
/**
 * Terminal statuses that mean the user must authenticate again (Bridge update mode), or may have
 * to: `error` (see `IMPRECISE_STATUSES`).
 */
export const NEEDS_USER_STATUSES: ReadonlySet<TaskStatus> = new Set(["login_error", "mfa_error", "unable_to_reset", "error"])
/** Terminal statuses that mean the provider was down: retry with backoff. */
export const UNAVAILABLE_STATUSES: ReadonlySet<TaskStatus> = new Set(["unavailable"])
/** Terminal statuses that mean no refresh can produce data: a new order or a manual path. */
export const NO_DATA_STATUSES: ReadonlySet<TaskStatus> = new Set(["no_data", "not_supported", "config_error"])
/** Statuses after which a task is over. */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
  "done", "login_error", "mfa_error", "config_error", "account_locked", "unable_to_reset",
  "no_data", "unavailable", "error", "not_supported"
])

/** A non-empty identifier (Truv ids are 32 hex characters, ours may be anything printable). */
export const Id = z.string().min(1).max(200)
