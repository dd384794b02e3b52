/**
 * A learned validity estimate: for one (provider, auth kind), the Kaplan–Meier table of
 * "authenticated → first refresh that needs the user", built from the ledger's outcomes. It is an
 * optional input of a decision (`DecisionInput.validity`): the store computes it, core stays pure.
 */
import { z } from "zod"
import { AuthKind } from "../model/primitives.js"

/**
 * One row of the table: of the `atRisk` authentication episodes observed `day` or more days after
 * their login, `failures` ended at `day` with a refresh that needed the user; the others at `day`
 * were last seen succeeding (censored).
 */
export const ValidityStep = z.strictObject({
  day: z.int().nonnegative().max(3_650),
  atRisk: z.int().positive(),
  failures: z.int().nonnegative()
}).refine((s) => s.failures <= s.atRisk, { message: "failures must not exceed atRisk" })
export type ValidityStep = z.infer<typeof ValidityStep>

/**
 * @example
 * ValidityEstimate.parse({ provider: "adp", authKind: "session", episodes: 3, failures: 1,
 *   steps: [{ day: 10, atRisk: 3, failures: 0 }, { day: 50, atRisk: 2, failures: 1 }] })
 */
export const ValidityEstimate = z.strictObject({
  provider: z.string().min(1),
  authKind: AuthKind,
  /** Authentication episodes observed (one observation each). */
  episodes: z.int().nonnegative(),
  /** Episodes that ended with a refresh that needed the user. */
  failures: z.int().nonnegative(),
  /** One row per distinct day an observation ended, ascending. */
  steps: z.array(ValidityStep)
}).superRefine((e, ctx) => {
  for (let i = 1; i < e.steps.length; i++) {
    const prev = e.steps[i - 1]!
    const step = e.steps[i]!
    if (step.day <= prev.day) ctx.addIssue({ code: "custom", path: ["steps", i, "day"], message: "steps must have strictly ascending days" })
    if (step.atRisk > prev.atRisk - prev.failures) ctx.addIssue({ code: "custom", path: ["steps", i, "atRisk"], message: "atRisk cannot grow from one step to the next" })
  }
  if (e.steps.length > 0 && e.steps[0]!.atRisk !== e.episodes) ctx.addIssue({ code: "custom", path: ["steps", 0, "atRisk"], message: "the first step's atRisk must equal episodes" })
  let failures = 0
  for (const s of e.steps) failures += s.failures
  if (failures !== e.failures) ctx.addIssue({ code: "custom", path: ["failures"], message: "failures must equal the sum of the steps' failures" })
})
export type ValidityEstimate = z.infer<typeof ValidityEstimate>

/** The learning rule's settings (`PolicyConfig.learning`); absent keys take these defaults. */
export const LearningPolicy = z.strictObject({
  /**
   * The rule speaks only when at least this many episodes were observed at or beyond the
   * connection's current age (the evidence behind the estimate at that age).
   */
  minSample: z.int().positive().max(1_000_000).default(20),
  /** Go straight to the client when the predicted chance that a refresh succeeds is below this. */
  minSuccess: z.number().gt(0).max(1).default(0.1)
})
export type LearningPolicy = z.infer<typeof LearningPolicy>

export const DEFAULT_LEARNING_POLICY: LearningPolicy = LearningPolicy.parse({})

/** The learning settings of a configuration, defaults applied. */
export const learningPolicyOf = (config: { readonly learning?: LearningPolicy | undefined }): LearningPolicy =>
  config.learning ?? DEFAULT_LEARNING_POLICY
