/**
 * From kysely promises to Effect: a database failure becomes `StoreError` naming the operation,
 * with the driver's original message and, when the driver's code tells, its reason (disk-full,
 * read-only, io, busy, unavailable: driver-error.ts); a domain failure raised inside a
 * transaction (to roll it back) travels as `Abort` and comes out as itself in the error channel.
 */
import type { StoreError } from "@recert/core"
import { Effect } from "effect"
import { storeErrorFrom } from "./driver-error.js"

/** Throw inside a transaction to roll it back and fail the effect with `error`. */
export class Abort<E> extends Error {
  constructor(readonly error: E) {
    super("aborted")
  }
}

export const tryDb = <A, E = never>(operation: string, f: () => Promise<A>): Effect.Effect<A, E | StoreError> =>
  Effect.tryPromise({
    try: f,
    catch: (error): E | StoreError => error instanceof Abort ? error.error as E : storeErrorFrom(operation, error)
  })
