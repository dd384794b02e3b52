/**
 * The sandbox's clients: each one's script (its own, or the configured default), the requests
 * made of it and what it did with each, and the timeline of what is due on the sandbox clock
 * (client actions, Truv's reminders). Sandbox time only moves when told, so due items run when
 * it moves and before each Truv request (engine.ts `sweep`), in the order of their instants.
 */
import { type ClientAction, type ClientScript, ClientScript as ClientScriptSchema, type ClientsConfig, actionFor, demoAction } from "./client-script.js"

export type ClientRequestKind = "new-order" | "bridge-update"

/** What became of one request at the client. */
export type ClientOutcome = "waiting" | "completed" | "reauthenticated" | "already-connected" | "too-late" | "never" | "moot" | "unscripted" | "unreachable"

export interface ClientRequest {
  readonly kind: ClientRequestKind
  /** The order id, or the Bridge token's link id (the token itself stays out of reports). */
  readonly id: string
  /** What makes two asks one request: the full `order_number` (`<case>/<key>`), or the token's `tracking_info`. */
  readonly requestKey: string
  readonly createdAt: number
  /** Null: the client has no script and the default is `none` (outcome `unscripted`; tests act for it). */
  readonly action: ClientAction | null
  /** When the client acts; null: never. */
  readonly actsAt: number | null
  outcome: ClientOutcome
  actedAt: number | null
  /**
   * The ids of the client's earlier requests it could still act on when this one was made (an open
   * order, a token for the same link within its 6 h and unused): two live links. Empty for a first
   * request and for a replacement made after the previous one closed.
   */
  readonly liveAlongside: ReadonlyArray<string>
}

export interface ClientRecord {
  readonly key: string
  /** Its own script (set by `scriptClient`, a seeded lineage's `client`, or the config); null: the default. */
  script: ClientScript | null
  readonly requests: Array<ClientRequest>
  /** Distinct request keys in the order first seen: the index `requests: [...]` scripts go by. */
  readonly requestKeys: Array<string>
}

interface DueItem {
  readonly at: number
  readonly seq: number
  readonly run: () => void
}

export class SandboxClients {
  private readonly records = new Map<string, ClientRecord>()
  private readonly due: Array<DueItem> = []
  private seq = 0

  constructor(
    private readonly config: ClientsConfig,
    private readonly seed: number
  ) {
    for (const [key, script] of Object.entries(config.byOrderNumber)) this.record(key).script = script
  }

  record(key: string): ClientRecord {
    let r = this.records.get(key)
    if (r === undefined) {
      r = { key, script: null, requests: [], requestKeys: [] }
      this.records.set(key, r)
    }
    return r
  }

  /** The client's record if the sandbox has heard of it (reading never creates one). */
  find(key: string): ClientRecord | undefined {
    return this.records.get(key)
  }

  /** Sets (replaces) a client's script; throws a zod error naming the bad field. */
  script(key: string, input: unknown): ClientRecord {
    const r = this.record(key)
    r.script = ClientScriptSchema.parse(input)
    return r
  }

  all(): ReadonlyArray<ClientRecord> {
    return [...this.records.values()]
  }

  /**
   * The action for the request `requestKey` of client `key`: a request already seen keeps its
   * index (a second order of one request is acted on like the first), a new one takes the next.
   * Null when the client has no script and the default is `none`.
   */
  actionFor(key: string, requestKey: string, kind: ClientRequestKind): ClientAction | null {
    const r = this.record(key)
    let index = r.requestKeys.indexOf(requestKey)
    if (index === -1) index = r.requestKeys.push(requestKey) - 1
    if (r.script !== null) return actionFor(r.script, index)
    const fallback = this.config.default
    if (fallback === "none") return null
    if (fallback === "demo") return demoAction(this.seed, key, kind)
    return actionFor(fallback, index)
  }

  /** Runs `run` when sandbox time reaches `at` (at the next sweep at or after it). */
  schedule(at: number, run: () => void): void {
    this.due.push({ at, seq: this.seq++, run })
  }

  /** The earliest item due at `now`, removed; undefined when none is. */
  takeDue(now: number): DueItem | undefined {
    let best = -1
    for (let i = 0; i < this.due.length; i++) {
      const d = this.due[i]!
      if (d.at > now) continue
      if (best === -1 || d.at < this.due[best]!.at || (d.at === this.due[best]!.at && d.seq < this.due[best]!.seq)) best = i
    }
    return best === -1 ? undefined : this.due.splice(best, 1)[0]
  }
}
