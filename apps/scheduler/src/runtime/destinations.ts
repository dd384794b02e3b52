/** The configured destinations with their secrets read, for `run` and `serve` (checked already by `resolveConfig`). */
import { type Destination, resolveDestinations } from "@recert/delivery"
import { Effect } from "effect"
import { ConfigInvalid, type SchedulerConfig } from "./config.js"

export const destinationsOf = (config: SchedulerConfig): Effect.Effect<ReadonlyArray<Destination>, ConfigInvalid> => {
  const r = resolveDestinations(config.destinations, process.env)
  return r.problems.length > 0 ? Effect.fail(new ConfigInvalid({ problems: [...r.problems] })) : Effect.succeed(r.destinations)
}
