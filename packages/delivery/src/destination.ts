/**
 * A destination: where the deliverer POSTs events, configured in the scheduler's config file
 * (`destinations: [...]`) or `RECERT_DESTINATIONS` (the same array as JSON). The secret never
 * appears in configuration: `secretEnv` names the variable holding it, or `secretFile` a file,
 * and it must be a Standard Webhooks `whsec_` secret. Every problem names the destination's index,
 * field and value (never the secret); the caller exits 2 and delivers nothing.
 *
 * @example
 * { "destinations": [{ "name": "agency", "url": "https://cases.agency.example/recert", "secretEnv": "AGENCY_WHSEC",
 *     "events": ["case.renewed", "case.review-needed"], "timeout": "10s", "concurrency": 4, "pdf": "inline" }] }
 */
import { readFileSync } from "node:fs"
import { DURATION_EXPECTED, OutboxEventType, parseDurationText } from "@recert/core"
import { Redacted } from "effect"
import { z } from "zod"
import { secretProblem } from "./sign.js"

const Millis = z.union([z.number().int().min(1), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v
  const parsed = parseDurationText(v)
  if (parsed.ok && parsed.ms >= 1) return parsed.ms
  ctx.addIssue({ code: "custom", message: `expected ${DURATION_EXPECTED}` })
  return 0
})

export const DestinationConfig = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "expected lowercase letters, digits, - and _"),
  url: z.string().refine((u) => {
    try {
      return ["http:", "https:"].includes(new URL(u).protocol)
    } catch {
      return false
    }
  }, "expected an http:// or https:// URL"),
  secretEnv: z.string().min(1).optional(),
  secretFile: z.string().min(1).optional(),
  /** Event types to deliver (default: all). */
  events: z.array(z.string().refine((t) => OutboxEventType.safeParse(t).success, `unknown event type (known: ${OutboxEventType.options.join(", ")})`)).min(1).optional(),
  timeout: Millis.default(10_000),
  concurrency: z.int().min(1).max(64).default(4),
  /** The caseworker PDF of a renewal result: `none`, `inline` (base64 in the event's `attachments`). */
  pdf: z.enum(["none", "inline"]).default("none")
}).refine((d) => (d.secretEnv === undefined) !== (d.secretFile === undefined), { message: "set exactly one of secretEnv and secretFile", path: ["secretEnv"] })
export type DestinationConfig = z.output<typeof DestinationConfig>

/** A destination ready to use: its secret read and checked. */
export interface Destination {
  readonly name: string
  readonly url: string
  readonly secret: Redacted.Redacted<string>
  /** null: every type. */
  readonly events: ReadonlyArray<OutboxEventType> | null
  readonly timeoutMs: number
  readonly concurrency: number
  readonly pdf: "none" | "inline"
}

/** Reads each destination's secret; problems name the destination and where the secret was looked for. */
export const resolveDestinations = (configs: ReadonlyArray<DestinationConfig>, env: Readonly<Record<string, string | undefined>>, where = "destinations"):
  { readonly destinations: ReadonlyArray<Destination>; readonly problems: ReadonlyArray<string> } => {
  const problems: Array<string> = []
  const destinations: Array<Destination> = []
  const seen = new Set<string>()
  configs.forEach((c, i) => {
    const at = `${where}[${i}] (${c.name})`
    if (seen.has(c.name)) problems.push(`${at}.name: used twice`)
    seen.add(c.name)
    let secret: string | undefined
    let source: string
    if (c.secretEnv !== undefined) {
      source = `secretEnv ${c.secretEnv}`
      secret = env[c.secretEnv]
    } else {
      source = `secretFile ${c.secretFile}`
      try {
        secret = readFileSync(c.secretFile!, "utf8").trim()
      } catch (e) {
        problems.push(`${at}.secretFile: cannot read ${c.secretFile} (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
        return
      }
    }
    if (secret === undefined || secret === "") return problems.push(`${at}: ${source} is not set`) && undefined
    const problem = secretProblem(secret)
    if (problem !== null) return problems.push(`${at}: the secret from ${source} ${problem} (secret, not shown)`) && undefined
    destinations.push({
      name: c.name, url: c.url, secret: Redacted.make(secret), events: c.events === undefined ? null : c.events as Array<OutboxEventType>,
      timeoutMs: c.timeout, concurrency: c.concurrency, pdf: c.pdf
    })
  })
  return { destinations, problems }
}

/** Zod issues of a destinations array as one line each: `destinations[0].url: expected ...; got "ftp://x"`. */
export const destinationIssues = (error: z.ZodError, raw: unknown, where = "destinations"): Array<string> =>
  error.issues.map((issue) => {
    const [index, ...rest] = issue.path
    const value = issue.path.reduce<unknown>((node, k) => (typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[k] : undefined), raw)
    return `${where}${index === undefined ? "" : `[${String(index)}]`}${rest.map((k) => `.${String(k)}`).join("")}: ${issue.message}${value === undefined || typeof value === "object" ? "" : `; got ${JSON.stringify(value)}`}`
  })

/**
 * The destinations of a config file (its `destinations` key; the rest is the scheduler's) or of
 * `RECERT_DESTINATIONS`, resolved; `problems` non-empty means refuse to start (exit 2).
 */
export const loadDestinations = (input: { readonly file?: string | undefined; readonly env: Readonly<Record<string, string | undefined>> }):
  { readonly destinations: ReadonlyArray<Destination>; readonly problems: ReadonlyArray<string> } => {
  let raw: unknown = []
  let where = "destinations"
  try {
    if (input.env["RECERT_DESTINATIONS"] !== undefined && input.env["RECERT_DESTINATIONS"] !== "") {
      where = "RECERT_DESTINATIONS"
      raw = JSON.parse(input.env["RECERT_DESTINATIONS"])
    } else if (input.file !== undefined) {
      where = `${input.file}: destinations`
      raw = (JSON.parse(readFileSync(input.file, "utf8")) as { destinations?: unknown }).destinations ?? []
    }
  } catch (e) {
    return { destinations: [], problems: [`${where}: cannot read (${e instanceof Error ? e.message : String(e)})`] }
  }
  const parsed = z.array(DestinationConfig).safeParse(raw)
  if (!parsed.success) return { destinations: [], problems: destinationIssues(parsed.error, raw, where) }
  return resolveDestinations(parsed.data, input.env, where)
}
