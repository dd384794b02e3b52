/**
 * The inbox outside a pass (`serve` between passes): every pending event processed, with the same
 * follow-ups a pass would run, counted in `stats`.
 */
import { RenewalStore, type StoreError, TruvGateway } from "@recert/core"
import { Store } from "@recert/store"
import { Clock, Effect } from "effect"
import { drainInboxWith, InboxConsumer } from "./inbox.js"
import { workContextOf } from "./pass-context.js"
import { countingGateway, type RunStats } from "./run-stats.js"
import { watchStore } from "./store-watch.js"
import { RunTracker } from "./tracker.js"

/** Processes every pending inbox event; returns how many were started. */
export const drainInbox = (stats: RunStats, workerId: string): Effect.Effect<number, never, Store | RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const onStoreError = (operation: string, e: StoreError) => stats.storeFailed(operation, e)
    const store = watchStore(yield* Store, onStoreError)
    const tracker = new RunTracker(yield* Clock.currentTimeMillis)
    const workContext = workContextOf(store, watchStore(yield* RenewalStore, onStoreError), countingGateway(yield* TruvGateway, stats), stats, tracker)
    return yield* drainInboxWith(new InboxConsumer(store, stats, workerId, 16, (e) => Effect.provideContext(e, workContext)))
  })
