/**
 * The scheduler's configuration: one zod schema for every source. Values come from an optional
 * JSON file (`--config`), then the environment, then command-line flags, each overriding the one
 * before. Every error names where the bad value came from (flag, variable or file path) and the
 * value itself, except for secrets, which are never echoed. Invalid configuration is a usage
 * error: the command exits with code 2 (see `main.ts`).
 */
import { readFileSync } from "node:fs"
import { hostname } from "node:os"
import {
  DEFAULT_REACH_MODE, DURATION_EXPECTED, InvalidInput, knownKeysAt, parseDurationText, parsePolicyConfig, type PolicyConfig, REACH_MODES, unknownKeyMessage
} from "@recert/core"
import { DEFAULT_SQLITE_PATH } from "@recert/store"
import { Data, Effect } from "effect"
import { z } from "zod"
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from "../http/limits.js"
import { DeliveryConfig, DestinationsConfig, destinationProblems } from "./delivery-config.js"

/**
 * A duration: core's one grammar as text (`500ms`, `30s`, `15m`, `2h`, `1d`, `1h30m`; the admin
 * CLI reads the same), or a JSON number of milliseconds in the config file (a number is typed,
 * so it is not ambiguous; as text a bare number is refused).
 */
const Duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") {
    if (Number.isFinite(v) && v >= 0) return v
    ctx.addIssue({ code: "custom", message: "expected a number of milliseconds (0 or more)" })
    return 0
  }
  const parsed = parseDurationText(v)
  if (parsed.ok) return parsed.ms
  ctx.addIssue({ code: "custom", message: `expected ${DURATION_EXPECTED}` })
  return 0
})
const Int = (min: number, max: number) => z.coerce.number().int("expected an integer").min(min).max(max)
/** A boolean: JSON `true`/`false` in the file, the text `true`/`false` in a variable. */
const Bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], { error: "expected true or false" })

/** The webhook server's limits (`http/limits.ts`); each default is the one `DEFAULT_HTTP_LIMITS` holds. */
const WEBHOOK_LIMIT_DEFAULTS = {
  headersTimeout: DEFAULT_HTTP_LIMITS.headersTimeoutMs,
  requestTimeout: DEFAULT_HTTP_LIMITS.requestTimeoutMs,
  keepAliveTimeout: DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs,
  maxConnections: DEFAULT_HTTP_LIMITS.maxConnections,
  maxBodyBytes: DEFAULT_HTTP_LIMITS.maxBodyBytes
}
const Positive = Duration.refine((ms) => ms >= 1, "must be at least 1ms")
const WEBHOOK_LIMITS = {
  headersTimeout: Positive.default(WEBHOOK_LIMIT_DEFAULTS.headersTimeout),
  requestTimeout: Positive.default(WEBHOOK_LIMIT_DEFAULTS.requestTimeout),
  keepAliveTimeout: Positive.default(WEBHOOK_LIMIT_DEFAULTS.keepAliveTimeout),
  maxConnections: Int(1, 65_535).default(WEBHOOK_LIMIT_DEFAULTS.maxConnections),
  maxBodyBytes: Int(1_024, 64 * 1_048_576).default(WEBHOOK_LIMIT_DEFAULTS.maxBodyBytes)
}
// Node refuses a headers timeout longer than the request's (the headers are part of the request).
const headersWithinRequest = (w: { headersTimeout: number; requestTimeout: number }, ctx: z.RefinementCtx): void => {
  if (w.headersTimeout > w.requestTimeout) {
    ctx.addIssue({ code: "custom", path: ["headersTimeout"], message: `must not exceed webhook.requestTimeout (${w.requestTimeout}ms)` })
  }
}

// Nested sections are strict too, so a misspelt nested key (`truv.clientSecret`) is refused by name
// instead of silently dropped.
export const SchedulerConfig = z.object({
  // `create`: make the database when missing (`--create`); otherwise a missing one is a
  // configuration error, so a mistyped --db never becomes a new, empty ledger.
  database: z.strictObject({ url: z.string().min(1).default(DEFAULT_SQLITE_PATH), create: z.boolean().default(false) })
    .default({ url: DEFAULT_SQLITE_PATH, create: false }),
  encryptionKey: z.string().min(1).optional(),
  /** Default: `encryption.key` beside the SQLite database (not the working directory). */
  encryptionKeyFile: z.string().min(1).optional(),
  concurrency: Int(1, 256).default(16),
  workerId: z.string().min(1).default(`${hostname()}-${process.pid}`),
  interval: Duration.default(15 * 60_000).refine((ms) => ms >= 1_000, "must be at least 1s"),
  shutdownGrace: Duration.default(30_000),
  /**
   * How long a start waits for a database that is there but not accepting connections for the
   * moment (restarting, refusing connections, too many clients): unset, `serve` waits 60 s and
   * `run` not at all (a batch fails with exit 1 and the next one tries again). `0` never waits.
   */
  startupWait: Duration.refine((ms) => ms <= 3_600_000, "must be at most 1h").optional(),
  /**
   * The policy's clock guard band (core's `clockGuardSeconds`): Truv's time boundaries are applied
   * this much early (OAuth expiry, GSE window) or late (the 24 h window). Unset: the policy's
   * `clockGuardSeconds` (core's default 120 s); set, it replaces the policy's.
   */
  clockGuard: Duration.refine((ms) => ms <= 86_400_000, "must be at most 1d").optional(),
  /**
   * The policy the workers and the store's reservations decide with (core's `PolicyConfig`, every
   * field optional: freshness windows, expiry margin, learning thresholds, lender window,
   * requests...), validated by core's `parsePolicyConfig` once merged (`resolvePolicy`). The same
   * format as `recert explain|plan --policy`. Unset: core's defaults (DESIGN.md).
   */
  policy: z.unknown().optional(),
  /** The policy as a JSON file of that format (`RECERT_POLICY_FILE`, `--policy`); not with `policy`. */
  policyFile: z.string().min(1).optional(),
  webhook: z.strictObject({
    port: Int(0, 65_535).default(8080),
    host: z.string().min(1).default("0.0.0.0"),
    /** Defaults to the Truv secret (Truv signs webhooks with the access secret). */
    secret: z.string().min(1).optional(),
    ...WEBHOOK_LIMITS
  }).superRefine(headersWithinRequest).default({ port: 8080, host: "0.0.0.0", ...WEBHOOK_LIMIT_DEFAULTS }),
  /** `/health` and `/metrics`: loopback by default, `admin.port` defaults to `webhook.port + 1` (`adminBindOf`). */
  admin: z.strictObject({
    host: z.string().min(1).default("127.0.0.1"),
    port: Int(0, 65_535).optional(),
    /** Opens the admin endpoints on the webhook bind too, and is then asked on both. */
    token: z.string().min(16, "must be at least 16 characters").optional()
  }).default({ host: "127.0.0.1" }),
  truv: z.strictObject({
    baseUrl: z.url().optional(),
    clientId: z.string({ error: "required" }).min(1),
    secret: z.string({ error: "required" }).min(1),
    timeoutMs: Int(1, 600_000).optional(),
    /** Truv's limit per secret, shared by every worker on the database (the `TruvBudget` in the store). */
    maxRequestsPerMinute: Int(1, 1_000_000).default(300),
    /** Decide on Truv's clock (its `Date` header) instead of this machine's when they differ by 2 s or more. */
    correctClock: Bool.default(true),
    /** Log a warning once when Truv's clock and this machine's differ by more than this. */
    clockSkewWarning: Duration.default(60_000)
  }),
  /**
   * How a client who must act is reached (core's `ReachMode`, issue 16): `truv-sends` (a new
   * order; Truv emails/texts the link), `agency-sends` (a new order, Truv's notifications
   * suppressed, the agency delivers its `share_url`), `bridge` (a Bridge update-mode token for the
   * agency's embedded Bridge).
   */
  clientReach: z.enum(REACH_MODES, { error: `expected one of ${REACH_MODES.join(", ")}` }).default(DEFAULT_REACH_MODE),
  /** Where outbox events are delivered (`runtime/delivery-config.ts`; `RECERT_DESTINATIONS` as JSON). */
  destinations: DestinationsConfig,
  delivery: DeliveryConfig(Duration),
  /**
   * Retention (issue 19): how long personal data is kept after its verification was delivered or
   * its case closed (core's `DEFAULT_RETENTION_POLICY`: 7 days for raw reports, pay statements and
   * client contact data, 30 for delivered events' payloads), and whether `run` and `serve` redact
   * what is past it (`runner/redaction.ts`).
   */
  retention: z.strictObject({
    enabled: Bool.default(true),
    rawReports: Duration.optional(),
    payStatements: Duration.optional(),
    clientContact: Duration.optional(),
    deliveredEvents: Duration.optional()
  }).default({ enabled: true })
})
/** The validated configuration: the policy resolved (core's, validated) and the clock guard it decides with. */
export type SchedulerConfig = Omit<z.output<typeof SchedulerConfig>, "policy" | "clockGuard"> & {
  /** The policy every pass and the store's `reserve` decide with, `clockGuardSeconds` included. */
  readonly policy: PolicyConfig
  /** The clock guard band in ms (`policy.clockGuardSeconds` × 1000). */
  readonly clockGuard: number
}

/** Environment variables and the config paths they set. */
export const ENV_KEYS: ReadonlyArray<readonly [string, string]> = [
  ["DATABASE_URL", "database.url"],
  ["RECERT_ENCRYPTION_KEY", "encryptionKey"],
  ["RECERT_ENCRYPTION_KEY_FILE", "encryptionKeyFile"],
  ["RECERT_CONCURRENCY", "concurrency"],
  ["RECERT_WORKER_ID", "workerId"],
  ["RECERT_INTERVAL", "interval"],
  ["RECERT_SHUTDOWN_GRACE", "shutdownGrace"],
  ["RECERT_STARTUP_WAIT", "startupWait"],
  ["RECERT_WEBHOOK_PORT", "webhook.port"],
  ["RECERT_WEBHOOK_HOST", "webhook.host"],
  ["RECERT_WEBHOOK_SECRET", "webhook.secret"],
  ["RECERT_WEBHOOK_HEADERS_TIMEOUT", "webhook.headersTimeout"],
  ["RECERT_WEBHOOK_REQUEST_TIMEOUT", "webhook.requestTimeout"],
  ["RECERT_WEBHOOK_KEEP_ALIVE_TIMEOUT", "webhook.keepAliveTimeout"],
  ["RECERT_WEBHOOK_MAX_CONNECTIONS", "webhook.maxConnections"],
  ["RECERT_WEBHOOK_MAX_BODY_BYTES", "webhook.maxBodyBytes"],
  ["RECERT_ADMIN_HOST", "admin.host"],
  ["RECERT_ADMIN_PORT", "admin.port"],
  ["RECERT_ADMIN_TOKEN", "admin.token"],
  ["TRUV_BASE_URL", "truv.baseUrl"],
  ["TRUV_CLIENT_ID", "truv.clientId"],
  ["TRUV_SECRET", "truv.secret"],
  ["TRUV_TIMEOUT_MS", "truv.timeoutMs"],
  ["TRUV_MAX_REQUESTS_PER_MINUTE", "truv.maxRequestsPerMinute"],
  ["RECERT_DESTINATIONS", "destinations"],
  ["RECERT_DELIVERY_DRAIN_DEADLINE", "delivery.drainDeadline"],
  ["TRUV_CORRECT_CLOCK", "truv.correctClock"],
  ["TRUV_CLOCK_SKEW_WARNING", "truv.clockSkewWarning"],
  ["RECERT_CLOCK_GUARD", "clockGuard"],
  ["RECERT_POLICY_FILE", "policyFile"],
  ["RECERT_CLIENT_REACH", "clientReach"],
  ["RECERT_REDACTION", "retention.enabled"],
  ["RECERT_RETENTION_RAW_REPORTS", "retention.rawReports"],
  ["RECERT_RETENTION_PAY_STATEMENTS", "retention.payStatements"],
  ["RECERT_RETENTION_CLIENT_CONTACT", "retention.clientContact"],
  ["RECERT_RETENTION_DELIVERED_EVENTS", "retention.deliveredEvents"]
]
const SECRET_PATHS = new Set(["encryptionKey", "webhook.secret", "truv.secret", "admin.token"])

/** The webhook server's limits, as `startServer` takes them. */
export const webhookLimitsOf = (config: SchedulerConfig): HttpLimits => ({
  headersTimeoutMs: config.webhook.headersTimeout,
  requestTimeoutMs: config.webhook.requestTimeout,
  keepAliveTimeoutMs: config.webhook.keepAliveTimeout,
  maxConnections: config.webhook.maxConnections,
  maxBodyBytes: config.webhook.maxBodyBytes
})

/**
 * The admin bind: `admin.port`, else the port after the webhook's (0, "pick one", when the
 * webhook's is 0 or the last port).
 */
export const adminBindOf = (config: SchedulerConfig): { readonly host: string; readonly port: number } => ({
  host: config.admin.host,
  port: config.admin.port ?? (config.webhook.port === 0 || config.webhook.port === 65_535 ? 0 : config.webhook.port + 1)
})

/** Flag values given on the command line, by config path (absent: not given). */
export type FlagValues = Readonly<Partial<Record<string, { readonly flag: string; readonly value: unknown }>>>

export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{ readonly problems: ReadonlyArray<string> }> {
  override get message(): string {
    return `invalid configuration:\n${this.problems.map((p) => `  ${p}`).join("\n")}`
  }
}

const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const keys = path.split(".")
  let node = target
  for (const k of keys.slice(0, -1)) {
    const next = node[k]
    node = (node[k] = typeof next === "object" && next !== null && !Array.isArray(next) ? { ...next as Record<string, unknown> } : {})
  }
  node[keys[keys.length - 1]!] = value
}
const getPath = (source: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>((node, k) => (typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[k] : undefined), source)

const show = (path: string, value: unknown): string =>
  value === undefined ? "(not set)" : SECRET_PATHS.has(path) ? "(secret, not shown)" : JSON.stringify(value)

/**
 * The policy: `policy` in the config file, or the JSON file `policyFile` names (`RECERT_POLICY_FILE`,
 * `--policy`; the format of `recert explain|plan --policy`), validated by core's
 * `parsePolicyConfig`; neither: core's defaults. Each problem names where the policy came from and
 * the field (`RECERT_POLICY_FILE p.json: timing.expiryMarginHours: ...`). Both set is refused: one
 * policy, never a silent merge of two.
 */
const resolvePolicy = (
  config: z.output<typeof SchedulerConfig>, sources: ReadonlyMap<string, string>, configFile: string | undefined
): { readonly ok: true; readonly policy: PolicyConfig } | { readonly ok: false; readonly problems: ReadonlyArray<string> } => {
  const inline = configFile === undefined ? "policy" : `${configFile}: policy`
  const fileWhere = (path: string) => `${sources.get("policyFile") ?? (configFile === undefined ? "policyFile" : `${configFile}: policyFile`)} ${path}`
  if (config.policy !== undefined && config.policyFile !== undefined) {
    return { ok: false, problems: [`${inline}: set either the policy here or a policy file (${fileWhere(config.policyFile)}), not both`] }
  }
  let raw: unknown = config.policy
  let where = inline
  if (config.policyFile !== undefined) {
    where = fileWhere(config.policyFile)
    let text: string
    try {
      text = readFileSync(config.policyFile, "utf8")
    } catch (e) {
      return { ok: false, problems: [`${where}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`] }
    }
    try {
      raw = JSON.parse(text)
    } catch (e) {
      return { ok: false, problems: [`${where}: not JSON (${e instanceof Error ? e.message : String(e)})`] }
    }
  }
  try {
    return { ok: true, policy: parsePolicyConfig(raw) }
  } catch (e) {
    if (!(e instanceof InvalidInput)) throw e
    // Inline, a field is named from the config file's root (`c.json: policy.timing.x`); in its own file, from the file's (`p.json: timing.x`).
    const field = (path: string) => (config.policyFile === undefined ? `${where}${path === "" ? "" : `.${path}`}` : `${where}: ${path === "" ? "(the file)" : path}`)
    return { ok: false, problems: e.issues.map((i) => `${field(i.path === "(root)" ? "" : i.path)}: ${i.message}`) }
  }
}

/**
 * Merges file < environment < flags and validates once. Pure apart from reading the file.
 *
 * @example
 * const config = yield* resolveConfig({ env: process.env, flags: { concurrency: { flag: "--concurrency", value: 4 } } })
 */
export const resolveConfig = (input: { readonly file?: string | undefined; readonly env: Readonly<Record<string, string | undefined>>; readonly flags?: FlagValues }): Effect.Effect<SchedulerConfig, ConfigInvalid> =>
  Effect.suspend(() => {
    let merged: Record<string, unknown> = {}
    const sources = new Map<string, string>()
    if (input.file !== undefined) {
      let text: string
      try {
        text = readFileSync(input.file, "utf8")
      } catch (e) {
        return Effect.fail(new ConfigInvalid({ problems: [`--config ${input.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`] }))
      }
      try {
        const json: unknown = JSON.parse(text)
        if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("not a JSON object")
        merged = json as Record<string, unknown>
      } catch (e) {
        return Effect.fail(new ConfigInvalid({ problems: [`--config ${input.file}: not a JSON object (${e instanceof Error ? e.message : String(e)})`] }))
      }
      const unknownKeys = SchedulerConfig.strict().safeParse(merged)
      const extra = unknownKeys.success ? [] : unknownKeys.error.issues.filter((i) => i.code === "unrecognized_keys")
      if (extra.length > 0) {
        // One problem per key at its own path, with core's did-you-mean hint (`truv.secrett: unknown key (did you mean secret?)`).
        return Effect.fail(new ConfigInvalid({
          problems: extra.flatMap((i) => (i as { keys: Array<string> }).keys.map((key) =>
            `${input.file}: ${[...i.path.map(String), key].join(".")}: ${unknownKeyMessage(key, knownKeysAt(SchedulerConfig, i.path))}`))
        }))
      }
    }
    for (const [name, path] of ENV_KEYS) {
      const value = input.env[name]
      if (value === undefined || value === "") continue
      setPath(merged, path, value)
      sources.set(path, name)
    }
    for (const [path, given] of Object.entries(input.flags ?? {})) {
      if (given === undefined) continue
      setPath(merged, path, given.value)
      sources.set(path, given.flag)
    }
    // Truv has no defaults: an empty object makes each missing field its own error, with its variable.
    if (typeof merged["truv"] !== "object" || merged["truv"] === null) merged["truv"] ??= {}
    const parsed = SchedulerConfig.safeParse(merged)
    if (parsed.success) {
      const destinations = destinationProblems(parsed.data.destinations, input.env, sources.get("destinations") ?? (input.file === undefined ? "destinations" : `${input.file}: destinations`))
      if (destinations.length > 0) return Effect.fail(new ConfigInvalid({ problems: destinations }))
      const policy = resolvePolicy(parsed.data, sources, input.file)
      if (!policy.ok) return Effect.fail(new ConfigInvalid({ problems: policy.problems }))
      const clockGuardSeconds = parsed.data.clockGuard === undefined ? policy.policy.clockGuardSeconds : parsed.data.clockGuard / 1000
      return Effect.succeed({ ...parsed.data, policy: { ...policy.policy, clockGuardSeconds }, clockGuard: clockGuardSeconds * 1000 })
    }
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join(".")
      const where = sources.get(path) ?? (input.file === undefined ? path : `${input.file}: ${path}`)
      const env = ENV_KEYS.find(([, p]) => p === path)?.[0]
      const value = getPath(merged, issue.path)
      const hint = value === undefined && env !== undefined ? ` (set ${env}${input.file === undefined ? " or --config" : ` or "${path}" in ${input.file}`})` : ""
      return `${where}: ${issue.message}; got ${show(path, value)}${hint}`
    })
    return Effect.fail(new ConfigInvalid({ problems }))
  })
