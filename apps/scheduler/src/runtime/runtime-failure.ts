/**
 * A failure of the moment, not of the configuration (a database server that does not answer, a
 * port another process holds, a pass that failed): `main.ts` prints its message as one line and
 * exits 1. The message names what failed and never carries a secret.
 */
import { Data } from "effect"

export class RuntimeFailure extends Data.TaggedError("RuntimeFailure")<{ readonly message: string }> {}

/**
 * A pass that completed degraded (some cases could not be loaded or failed, some Truv calls or
 * store operations failed, Truv throttled us): the report is printed, then `main.ts` prints the
 * message as one line and exits 3 (report/pass-status.ts).
 */
export class PassDegraded extends Data.TaggedError("PassDegraded")<{ readonly message: string }> {}
