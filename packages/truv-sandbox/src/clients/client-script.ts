/**
 * What a case's client does when Recert asks them to act (issue 16), scripted per client: the
 * sandbox plays the person behind the case. A client is named by the case's `order_number` (a new
 * order carries `<case order_number>/<our key>`, so the part before the first `/`); a Bridge token
 * reaches the client of the lineage its link belongs to. Each request (a new order, a Bridge
 * token) gets one action, timed from the request's creation on the sandbox clock:
 *
 * | kind | new order | Bridge token (update mode) |
 * |---|---|---|
 * | `completes` / `reauthenticates` | connects after `afterHours`: suborders `completed`, new links | re-authenticates the link with the token after `afterHours` (410 past 6 h: too late) |
 * | `never` | nothing | nothing |
 * | `after-expiry` | acts `afterHours` (default 1) after `expired_at`: too late, nothing changes | acts `afterHours` after the token's 6 h: 410, nothing changes |
 * | `already-connected` | opens the link after `afterHours`; with an active old link Bridge says "Already Connected": suborders `skipped` | re-authenticates (update mode names the link) |
 *
 * `requests: [...]` gives successive requests of the client successive actions (the last repeats).
 */
import { z } from "zod"
import { ConnectionSeed } from "../seed.js"

const Hours = z.number().min(0).max(24 * 7 * 12)

export const ClientAction = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.enum(["completes", "reauthenticates"]),
    afterHours: Hours,
    /** For a new order: the new connections (default: copies of the client's current ones). */
    connections: z.array(ConnectionSeed).optional()
  }),
  z.strictObject({ kind: z.literal("never") }),
  z.strictObject({ kind: z.literal("after-expiry"), afterHours: Hours.default(1) }),
  z.strictObject({ kind: z.literal("already-connected"), afterHours: Hours })
])
export type ClientAction = z.infer<typeof ClientAction>
export type ClientActionInput = z.input<typeof ClientAction>

export const ClientScript = z.union([ClientAction, z.strictObject({ requests: z.array(ClientAction).min(1) })])
export type ClientScript = z.infer<typeof ClientScript>
export type ClientScriptInput = z.input<typeof ClientScript>

/**
 * How clients without a script of their own act: `none` (nobody acts unless scripted: tests
 * drive completion themselves, as before issue 16), `demo` (a seeded mix, see `demoAction`), or
 * one script for everyone.
 */
export const ClientsConfig = z.strictObject({
  default: z.union([z.enum(["none", "demo"]), ClientScript]).default("none"),
  /** Scripts by the case's `order_number`. */
  byOrderNumber: z.record(z.string().min(1), ClientScript).default({})
})
export type ClientsConfig = z.infer<typeof ClientsConfig>
export type ClientsConfigInput = z.input<typeof ClientsConfig>

/** The client a Truv `order_number` belongs to: the case's own number, before our `/<key>`. */
export const clientKeyOf = (orderNumber: string): string => {
  const slash = orderNumber.indexOf("/")
  return slash === -1 ? orderNumber : orderNumber.slice(0, slash)
}

/** The action for a client's `index`-th request (0 first) under `script`. */
export const actionFor = (script: ClientScript, index: number): ClientAction =>
  "requests" in script ? script.requests[Math.min(index, script.requests.length - 1)]! : script

/** A float in [0, 1) from the sandbox seed and a text (FNV-1a then a mix): the same for the same inputs, whatever else was drawn. */
export const hashUnit = (seed: number, text: string): number => {
  let h = 0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 4294967296
}

/**
 * The demo's clients (`default: "demo"`), drawn per client from the sandbox seed and the client's
 * order number, so a run is reproducible and independent of request order. New orders: 75 %
 * complete within 4–48 h, 5 % on day 3 (48–70 h, before the 72 weekday hours run out), 15 %
 * never respond, 5 % respond an hour after expiry. Bridge tokens (6 h): 80 % re-authenticate
 * within 15 min–5 h, 20 % never.
 */
export const demoAction = (seed: number, clientKey: string, request: "new-order" | "bridge-update"): ClientAction => {
  const u = hashUnit(seed, `${clientKey}#who`)
  const v = hashUnit(seed, `${clientKey}#when:${request}`)
  const round = (h: number) => Math.round(h * 4) / 4
  if (request === "bridge-update") return u < 0.8 ? { kind: "reauthenticates", afterHours: round(0.25 + v * 4.75) } : { kind: "never" }
  if (u < 0.75) return { kind: "completes", afterHours: round(4 + v * 44) }
  if (u < 0.8) return { kind: "completes", afterHours: round(48 + v * 22) }
  if (u < 0.95) return { kind: "never" }
  return { kind: "after-expiry", afterHours: 1 }
}
