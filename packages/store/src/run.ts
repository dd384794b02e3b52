/**
 * From kysely promises to Effect: a database failure becomes `StoreError` naming the operation;
 * a domain failure raised inside a transaction (to roll it back) travels as `Abort` and comes out
 * as itself in the error channel.
 */
import { StoreError } from "@recert/core"
import { Effect } from "effect"

/** Throw inside a transaction to roll it back and fail the effect with `error`. */
export class Abort<E> extends Error {
  constructor(readonly error: E) {
    super("aborted")
  }
}

const describe = (error: unknown): string => error instanceof Error ? error.message : String(error)

export const tryDb = <A, E = never>(operation: string, f: () => Promise<A>): Effect.Effect<A, E | StoreError> =>
  Effect.tryPromise({
    try: f,
    catch: (error): E | StoreError => error instanceof Abort ? error.error as E : new StoreError({ operation, message: describe(error) })
  })
