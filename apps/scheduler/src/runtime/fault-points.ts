/**
 * TEST-ONLY fault hook: lets the chaos suite (`suites/proof/test/chaos.test.ts`) kill a worker at
 * an exact point of the workflow instead of a random instant. A no-op unless
 * `RECERT_FAULT_KILL_AT` is set; never set it in production.
 *
 * `RECERT_FAULT_KILL_AT=<point>[:<nth>][,<point>[:<nth>]...]`, read once when the process starts:
 * the process SIGKILLs itself (no cleanup, no flush: a crash) the `nth` time (default 1) execution
 * reaches `point`. Just before, it writes one line to stderr,
 * `{"event":"fault","point":"after-reserve","nth":2,"pid":123}`, so the suite knows which point
 * fired. A malformed value or an unknown point name is a configuration error: one line naming it
 * on stderr, exit 2 (a typo must not silently disarm a test).
 *
 * Each point is one line in `src/workflow/*`: `yield* faultPoint("after-reserve")`.
 *
 * | point | where | what a kill there leaves |
 * |---|---|---|
 * | `after-reserve` | send-refresh.ts, before the refresh is sent | an attempt `reserved`, nothing at Truv |
 * | `after-send-before-record` | send-refresh.ts, Truv answered (any answer), before it is recorded | an attempt `reserved`, the order at Truv |
 * | `after-connection-update` | apply-outcome.ts, the connection's status written, the attempt's outcome not yet | an attempt in flight with its connection's new status |
 * | `after-record-before-follow-up` | apply-outcome.ts, the attempt made final, before its follow-up | a final attempt, follow-up owed |
 * | `in-follow-up-after-report` | follow-up.ts, the verification stored, before the reschedule | a follow-up half done |
 * | `after-follow-up-before-mark` | follow-up.ts, every step done, before the attempt is marked followed up | a follow-up done but owed |
 * | `after-link-intent` | queue-verification.ts, the intent stored (claimed, our key), before it is marked sent | an intent never sent, its claimant dead: taken over after its lease |
 * | `after-link-sent-mark` | queue-verification.ts, the intent marked sent, before the Truv call | an intent marked sent that Truv never saw: looked up, then sent again after the grace |
 * | `after-link-create` | queue-verification.ts, Truv created the Bridge token or new order, not yet stored | an order or token no stored request knows |
 * | `in-request-completion` | follow-request.ts, the client's verification stored (and the lineage moved), before the request is completed | a request still open although its client acted: the next webhook or poll finishes it |
 */
import { writeSync } from "node:fs"
import { Effect } from "effect"

export const FAULT_POINTS = [
  "after-reserve",
  "after-send-before-record",
  "after-connection-update",
  "after-record-before-follow-up",
  "in-follow-up-after-report",
  "after-follow-up-before-mark",
  "after-link-create",
  "after-link-intent",
  "after-link-sent-mark",
  "in-request-completion"
] as const

export type FaultPoint = typeof FAULT_POINTS[number]

export const FAULT_ENV = "RECERT_FAULT_KILL_AT"

interface Armed {
  readonly point: FaultPoint
  readonly nth: number
}

/** Parses the variable's value: the armed points, or a sentence saying what is wrong. */
export const parseFaultPoints = (value: string | undefined): ReadonlyArray<Armed> | string => {
  if (value === undefined || value.trim() === "") return []
  const armed: Array<Armed> = []
  for (const part of value.split(",")) {
    const [name = "", nth = "1", extra] = part.trim().split(":")
    if (extra !== undefined || !/^[1-9][0-9]{0,5}$/.test(nth)) return `expected <point>[:<nth>] with nth a whole number from 1; got "${part.trim()}"`
    const point = FAULT_POINTS.find((p) => p === name)
    if (point === undefined) return `unknown point "${name}" (known: ${FAULT_POINTS.join(", ")})`
    armed.push({ point, nth: Number(nth) })
  }
  return armed
}

const parsed = parseFaultPoints(process.env[FAULT_ENV])
if (typeof parsed === "string") {
  writeSync(2, `${FAULT_ENV}: ${parsed}\n`)
  process.exit(2)
}
const armed: ReadonlyArray<Armed> = parsed
const reached = new Map<FaultPoint, number>()

const reach = (point: FaultPoint): void => {
  const n = (reached.get(point) ?? 0) + 1
  reached.set(point, n)
  if (!armed.some((a) => a.point === point && a.nth === n)) return
  writeSync(2, `${JSON.stringify({ event: "fault", point, nth: n, pid: process.pid })}\n`)
  process.kill(process.pid, "SIGKILL")
}

/** Marks a named point of the workflow; kills the process there when the test armed it (a no-op otherwise). */
export const faultPoint = (point: FaultPoint): Effect.Effect<void> =>
  armed.length === 0 ? Effect.void : Effect.sync(() => reach(point))
