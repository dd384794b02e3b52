/**
 * The pass sees every store failure: each method of the store (and of core's `RenewalStore` view
 * of it) is wrapped so a `StoreError` it fails with is reported to `onError` on its way to the
 * caller, who handles it as before (retry, log, fail the job). The run's stats count them, and a
 * full, read-only or failing disk fails the pass at the first (`RunStats.storeFailed`), so a pass
 * on a dying disk stops instead of failing hundreds of jobs one by one.
 */
import type { StoreError } from "@recert/core"
import { Effect, Stream } from "effect"

const isStoreError = (e: unknown): e is StoreError => typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "StoreError"

export const watchStore = <S extends object>(service: S, onError: (operation: string, error: StoreError) => void): S => {
  const watched: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(service)) {
    if (typeof value !== "function") {
      watched[name] = value
      continue
    }
    const report = (e: unknown) => Effect.sync(() => { if (isStoreError(e)) onError(name, e) })
    watched[name] = (...args: ReadonlyArray<unknown>): unknown => {
      const result: unknown = (value as (...a: Array<unknown>) => unknown).apply(service, [...args])
      if (Effect.isEffect(result)) return Effect.tapError(result, report)
      if (Stream.isStream(result)) return Stream.tapError(result, report)
      return result
    }
  }
  return watched as S
}
