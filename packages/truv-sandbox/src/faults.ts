/**
 * Fault and timing configuration of the sandbox. All rates are probabilities in [0, 1] drawn
 * from the seeded PRNG; all delays are real milliseconds (kept tiny in tests).
 */
import { z } from "zod"

const Rate = z.number().min(0).max(1)
const Ms = z.number().int().min(0)

export const SandboxFaults = z.object({
  /** Extra real delay before every Truv-surface response. */
  latencyMs: Ms.default(0),
  /** Share of Truv-surface requests that wait `latencySpikeMs` more on top of `latencyMs`. */
  latencySpikeRate: Rate.default(0),
  latencySpikeMs: Ms.default(0),
  /** Share of Truv-surface requests answered `500` before they are processed (nothing recorded). */
  errorRate: Rate.default(0),
  /**
   * Share of Truv-surface requests that are fully processed (a refresh is accepted, counted and
   * will be billed) and whose answer is then lost: the client cannot know what happened.
   */
  responseLossRate: Rate.default(0),
  /**
   * The routes `responseLossRate` applies to, by the report's name (`POST /v1/orders/`,
   * `POST /v1/users/{id}/tokens/`); empty (the default): every route. With rate 1, "processed,
   * then the answer lost" for exactly these calls (an order or a Bridge token created at Truv that
   * the client never hears of), while the others (the lookup) are answered.
   */
  responseLossEndpoints: z.array(z.string()).default([]),
  /** How an answer is lost: `destroy` closes the socket without a byte; `bad-gateway` answers 502. */
  responseLossMode: z.enum(["destroy", "bad-gateway"]).default("destroy"),
  /** Truv's API budget per access secret (requests per rolling minute of sandbox time); 429 `throttled` beyond. */
  rateLimitPerMinute: z.number().int().min(1).default(300),
  /** Where webhooks are POSTed; null: events are recorded but not delivered. */
  webhookUrl: z.string().url().nullable().default(null),
  webhookDelayMs: Ms.default(20),
  webhookDuplicateRate: Rate.default(0),
  /** Share of events held back by an extra delay so later events overtake them. */
  webhookReorderRate: Rate.default(0),
  webhookLossRate: Rate.default(0),
  /** Redeliveries after a non-2xx answer or a network error (Truv: undocumented; third party says 3). */
  webhookRetries: z.number().int().min(0).default(3),
  webhookRetryDelayMs: Ms.default(50),
  /**
   * Also send `task-status-updated` for `login`, `parse` and `full_parse` (as far as the outcome
   * gets) spread over the completion delay, before the terminal status. Subject to every webhook fault.
   */
  intermediateWebhooks: z.boolean().default(false),
  /**
   * The webhook subscription includes Truv's data events: a refresh task that ends `done` is
   * followed by `employment-updated` (Truv: "fires when a refresh finds changed data"; the
   * sandbox assumes every successful refresh does). Off by default: Recert subscribes to order,
   * task and link events only.
   */
  dataWebhooks: z.boolean().default(false),
  /** Real delay between a refresh being accepted and its task reaching its terminal status. */
  completionDelayMs: Ms.default(20),
  /** The same for links with the `slow` behaviour. */
  slowCompletionDelayMs: Ms.default(250)
})
export type SandboxFaults = z.infer<typeof SandboxFaults>
export type SandboxFaultsInput = z.input<typeof SandboxFaults>

export const defaultFaults = (): SandboxFaults => SandboxFaults.parse({})
