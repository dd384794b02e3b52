/**
 * `recert simulate --cases N --months M --seed S [--json]`: a synthetic caseload over simulated
 * months, day by day, through the core's real planner and rules, against a behavioural model with
 * hidden truth (core's `simulate/`). Strategies side by side on the same caseload: the loop of
 * Truv's renewal guide, Recert without learning or timing, Recert as configured (`--policy`, with
 * learning and timing on), and an oracle. Every model parameter is a flag whose help gives its default and
 * its source. Seeded: the same flags print the same figures.
 */
import {
  checkBar, DEFAULT_POLICY_CONFIG, DEFAULT_SIMULATION, PARAMETER_SOURCES, PolicyConfig, simulate, type SimulationParams, simulationText
} from "@recert/core"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { UsageError } from "../errors.js"
import * as Opt from "../options.js"
import { paint, printJson, printLines } from "../output.js"
import { loadPolicy, policyFlag } from "../policy.js"

type NumericKey = Exclude<keyof SimulationParams, "providers" | "start">
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** How each numeric parameter is checked: integer or not, and its bounds. */
const BOUNDS: Readonly<Record<NumericKey, { readonly int: boolean; readonly min: number; readonly max: number; readonly open?: boolean }>> = {
  cases: { int: true, min: 1, max: 2_000_000 }, months: { int: true, min: 1, max: 60 }, seed: { int: true, min: 0, max: 4_294_967_295 },
  annual: { int: false, min: 0, max: 1 }, semiannual: { int: false, min: 0, max: 1 }, quarterly: { int: false, min: 0, max: 1 }, lender: { int: false, min: 0, max: 1 },
  oauth: { int: false, min: 0, max: 1 }, session: { int: false, min: 0, max: 1 }, unknown: { int: false, min: 0, max: 1 },
  sessionShape: { int: false, min: 0.1, max: 20 }, oauthValidityDays: { int: false, min: 1, max: 3_650 },
  passwordChangesPerYear: { int: false, min: 0, max: 365 }, mfaPromptsPerYear: { int: false, min: 0, max: 365 }, mfaEveryLogin: { int: false, min: 0, max: 1 },
  outageDaysPerYear: { int: false, min: 0, max: 365 }, answerRate: { int: false, min: 0, max: 1 }, answerDelayDays: { int: false, min: 0.01, max: 365 },
  rateBudget: { int: true, min: 1, max: 1_000_000 }, learnEveryDays: { int: true, min: 1, max: 365 }
}
const KEYS = Object.keys(BOUNDS) as Array<NumericKey>

const flags = Object.fromEntries(KEYS.map((k) => [k, Flag.String(kebab(k)).pipe(
  Flag.withDescription(`${PARAMETER_SOURCES[k]} (default ${String(DEFAULT_SIMULATION[k])})`),
  Flag.withMetavar(BOUNDS[k].int ? "integer" : "number"),
  Flag.optional
)])) as Record<NumericKey, Flag.Flag<Option.Option<string>>>

/** The parameters from the flags, each checked; the first bad one is a usage error naming it. */
export const parametersFrom = (given: Readonly<Record<NumericKey, Option.Option<string>>>): Effect.Effect<SimulationParams, UsageError> =>
  Effect.gen(function*() {
    const out: Record<string, unknown> = { ...DEFAULT_SIMULATION }
    for (const k of KEYS) {
      const v = given[k]
      if (Option.isNone(v)) continue
      const b = BOUNDS[k]
      const n = Number(v.value)
      if (v.value.trim() === "" || !Number.isFinite(n) || (b.int && !Number.isInteger(n)) || n < b.min || n > b.max) {
        return yield* new UsageError({ code: "invalid-option", message: `invalid --${kebab(k)}: expected ${b.int ? "an integer" : "a number"} from ${b.min} to ${b.max}, got "${v.value}"` })
      }
      out[k] = n
    }
    const p = out as unknown as SimulationParams
    if (p.annual + p.semiannual + p.quarterly + p.lender <= 0) return yield* new UsageError({ code: "invalid-option", message: "invalid caseload mix: --annual, --semiannual, --quarterly and --lender are all 0" })
    if (p.oauth + p.session + p.unknown <= 0) return yield* new UsageError({ code: "invalid-option", message: "invalid auth mix: --oauth, --session and --unknown are all 0" })
    return p
  })

export const simulateCommand = Command.make("simulate", { ...flags, policy: policyFlag, json: Opt.json }, Effect.fn("simulate")(function*(args) {
  const params = yield* parametersFrom(args)
  const configured = yield* loadPolicy(args.policy)
  // Recert as configured learns and times its refreshes: the policy's learning and timing settings, or their defaults.
  const withLearning = PolicyConfig.parse({ ...configured, learning: configured.learning ?? {}, timing: configured.timing ?? {} })
  const result = simulate(params, { configured: withLearning, basic: DEFAULT_POLICY_CONFIG })
  const bar = checkBar(result)
  if (args.json) return yield* printJson({ ...result, bar })
  const p = yield* paint
  yield* printLines([
    `${p.bold("simulate")} ${result.cases} cases over ${params.months} months (${result.days} days), seed ${params.seed}`,
    ...simulationText(result),
    "",
    ...(bar === null ? [] : bar.lines)
  ])
})).pipe(
  Command.withDescription(
    "Simulate a caseload over months through the real planner: the guide's loop, Recert, an oracle, side by side; Truv's limits enforced minute by minute (peak req/min in any one minute, minutes over the --rate-budget, limit violations: 429s and 4th refreshes in 24 h)"
  ),
  Command.withExamples([
    { command: "recert simulate", description: "1,000 cases over 12 months, seed 1" },
    { command: "recert simulate --cases 100000 --months 12 --seed 7 --json", description: "The benchmark's caseload, as JSON" },
    { command: "recert simulate --answer-rate 0.8 --policy policy.json", description: "More responsive clients, under a policy file" }
  ])
)
