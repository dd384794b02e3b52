/**
 * From a connection's recorded outcomes to the estimator's observations. The ledger keeps each
 * connection's outcomes, and the lineage its known logins (the root order's creation, when the
 * user first connected, and the connection's current `authenticatedAt`). Each login opens an
 * episode that lasts until the next known login: its first outcome that needs the user
 * (`login_error`, `mfa_error`, `unable_to_reset`, Truv's generic `error`) is a failure at that
 * age; otherwise the episode is censored at its last `done`. Outcomes after a failure and before
 * the next known login belong to a login whose instant is not recorded: they are left out.
 * Other statuses (`unavailable`, `no_data`, ...) say nothing about the login and are ignored.
 */
import { DAY_MS } from "../engine/time.js"
import type { AuthKind, TaskStatus } from "../model/primitives.js"
import { NEEDS_USER_STATUSES } from "../model/primitives.js"
import type { ValidityObservation } from "./kaplan-meier.js"

export interface ConnectionHistory {
  readonly provider: string
  readonly authKind: AuthKind
  /** Known login instants (epoch ms), any order; duplicates are ignored. */
  readonly logins: ReadonlyArray<number>
  /** Final task statuses of the connection's refreshes (epoch ms), any order. */
  readonly outcomes: ReadonlyArray<{ readonly atMs: number; readonly status: TaskStatus }>
}

/**
 * @example
 * observationsOf({ provider: "adp", authKind: "session", logins: [0], outcomes: [{ atMs: 50 * DAY_MS, status: "login_error" }] })
 * // [{ provider: "adp", authKind: "session", days: 50, failed: true }]
 */
export const observationsOf = (h: ConnectionHistory): Array<ValidityObservation> => {
  const logins = [...new Set(h.logins)].sort((a, b) => a - b)
  const outcomes = [...h.outcomes].sort((a, b) => a.atMs - b.atMs)
  const out: Array<ValidityObservation> = []
  let j = 0
  for (let k = 0; k < logins.length; k++) {
    const start = logins[k]!
    const end = k + 1 < logins.length ? logins[k + 1]! : Infinity
    while (j < outcomes.length && outcomes[j]!.atMs < start) j++
    let lastDone = -1
    let failedAt = -1
    for (; j < outcomes.length && outcomes[j]!.atMs < end; j++) {
      const o = outcomes[j]!
      if (failedAt >= 0) continue
      if (o.status === "done") lastDone = o.atMs
      else if (NEEDS_USER_STATUSES.has(o.status)) failedAt = o.atMs
    }
    if (failedAt >= 0) out.push({ provider: h.provider, authKind: h.authKind, days: (failedAt - start) / DAY_MS, failed: true })
    else if (lastDone >= 0) out.push({ provider: h.provider, authKind: h.authKind, days: (lastDone - start) / DAY_MS, failed: false })
  }
  return out
}
