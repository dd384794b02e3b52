/**
 * A failure of the moment, not of the configuration (a database server that does not answer, a
 * port another process holds): `main.ts` prints its message as one line and exits 1. The message
 * names what failed and never carries a secret.
 */
import { Data } from "effect"

export class RuntimeFailure extends Data.TaggedError("RuntimeFailure")<{ readonly message: string }> {}
