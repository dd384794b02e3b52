/**
 * The chaos suite's settings, from the environment (issue 15): which seeds, how many cases and
 * kills, which scenarios, how many runs at once, and how the Postgres and disk faults are made.
 * A bad value fails the suite with one line naming the variable and the value.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `RECERT_CHAOS_SEEDS` | | seeds to run, `1,2,3` (wins over the count) |
 * | `RECERT_CHAOS_SEED_COUNT` | 3 | seeds 1..n (`pnpm --filter @recert/proof chaos` sets 20) |
 * | `RECERT_CHAOS_CASES` | 36; 24 with `CI=true` | cases per run (one lineage each: 4 in 6 healthy, 1 login-error, 1 no-data; 1-2 connections). CI's 24 keep every behaviour (4 of each kind of 6) and both connection counts; a run's time is mostly recovery's 60 s, not the cases |
 * | `RECERT_CHAOS_KILLS` | 4 | SIGKILLs per `kills` run: half (rounded up) aimed at fault points, the rest at random instants |
 * | `RECERT_CHAOS_SCENARIOS` | `kills,postgres,disk` | which scenarios run |
 * | `RECERT_CHAOS_PG_PARALLEL` | 3 | Postgres runs (`kills`, `postgres`) at once: 3 workers a run, each pool up to 10 connections (a run peaked at 27), and the server allows 100: 3 runs (81) leave room for the other suites CI runs beside |
 * | `RECERT_CHAOS_DISK_PARALLEL` | 3 | `disk` runs at once (SQLite: 2 processes a run) |
 * | `RECERT_CHAOS_PG_OUTAGE` | `terminate` | `terminate`: the run's own database refuses connections and every backend of it is terminated, for 2-5 s; `cluster`: `pg_ctlcluster --skip-systemctl-redirect <version> main restart` (the whole server: only on a machine of its own, and runs one at a time) |
 * | `RECERT_CHAOS_DISK` | `alternate` | `full`, `read-only`, or `alternate` (odd seeds full, even seeds read-only) |
 * | `RECERT_CHAOS_POINTS` | the placed points | fault points the aimed kills pick from (apps/scheduler/src/runtime/fault-points.ts) |
 * | `RECERT_CHAOS_DEADLINE_S` | 180 | how long a run may take to finish everything before the checks report what is left |
 */

export type Scenario = "kills" | "postgres" | "disk"
export const SCENARIOS: ReadonlyArray<Scenario> = ["kills", "postgres", "disk"]

/**
 * The fault points this suite's `kills` scenario aims at by default (fault-points.ts lists every
 * one). The points of the new-order and token path (`CLIENT_PATH_POINTS`) are aimed at by the
 * client chaos run (client-chaos.test.ts), whose cases reach their clients; any of them may be
 * named in `RECERT_CHAOS_POINTS`.
 */
export const PLACED_POINTS = [
  "after-reserve", "after-send-before-record", "after-connection-update", "after-record-before-follow-up",
  "in-follow-up-after-report", "after-follow-up-before-mark", "after-link-create"
] as const

/** The points of the new-order and token path (client-run.ts aims at them). */
export const CLIENT_PATH_POINTS = ["after-link-intent", "after-link-sent-mark", "after-link-create", "in-request-completion"] as const

/**
 * Cases per run in CI (`CI=true`). CI's chaos budget is ~4-5 minutes for 3 seeds of every
 * scenario on two cores: the three `kills` runs go at once, then the three `postgres` runs, with
 * the `disk` runs beside them; a run is mostly waiting for recovery (60 s after a death), so fewer
 * cases shorten the work, not the windows, and every check is the same.
 */
export const CI_CASES = 24

export interface ChaosSettings {
  readonly seeds: ReadonlyArray<number>
  readonly cases: number
  readonly kills: number
  readonly scenarios: ReadonlyArray<Scenario>
  readonly pgParallel: number
  readonly diskParallel: number
  readonly pgOutage: "terminate" | "cluster"
  readonly disk: "alternate" | "full" | "read-only"
  readonly points: ReadonlyArray<string>
  readonly deadlineMs: number
}

export const bad = (name: string, value: string, expected: string): never => {
  throw new Error(`${name}: expected ${expected}; got "${value}"`)
}

export const whole = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number => {
  const v = env[name]
  if (v === undefined || v === "") return fallback
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) return bad(name, v, `a whole number from ${min} to ${max}`)
  return Number(v)
}

const oneOf = <A extends string>(env: NodeJS.ProcessEnv, name: string, values: ReadonlyArray<A>, fallback: A): A => {
  const v = env[name]
  if (v === undefined || v === "") return fallback
  return values.find((x) => x === v) ?? bad(name, v, values.join(" or "))
}

export const list = (v: string): Array<string> => v.split(",").map((s) => s.trim()).filter((s) => s !== "")

export const chaosSettings = (env: NodeJS.ProcessEnv = process.env): ChaosSettings => {
  const seedsText = env["RECERT_CHAOS_SEEDS"]
  const seeds = seedsText !== undefined && seedsText !== ""
    ? list(seedsText).map((s) => (/^[0-9]{1,9}$/.test(s) ? Number(s) : bad("RECERT_CHAOS_SEEDS", seedsText, "whole numbers separated by commas, such as 1,2,3")))
    : Array.from({ length: whole(env, "RECERT_CHAOS_SEED_COUNT", 3, 1, 1000) }, (_, i) => i + 1)
  if (new Set(seeds).size !== seeds.length) bad("RECERT_CHAOS_SEEDS", seedsText ?? "", "distinct seeds")
  const scenariosText = env["RECERT_CHAOS_SCENARIOS"]
  const scenarios = scenariosText === undefined || scenariosText === ""
    ? SCENARIOS
    : list(scenariosText).map((s) => SCENARIOS.find((x) => x === s) ?? bad("RECERT_CHAOS_SCENARIOS", scenariosText, SCENARIOS.join(", ")))
  const pointsText = env["RECERT_CHAOS_POINTS"]
  const known: ReadonlyArray<string> = [...new Set<string>([...PLACED_POINTS, ...CLIENT_PATH_POINTS])]
  const points = pointsText === undefined || pointsText === "" ? PLACED_POINTS
    : list(pointsText).map((p) => (known.includes(p) ? p : bad("RECERT_CHAOS_POINTS", pointsText, `points among ${known.join(", ")}`)))
  return {
    seeds, scenarios, points,
    cases: whole(env, "RECERT_CHAOS_CASES", env["CI"] === "true" ? CI_CASES : 36, 6, 2000),
    kills: whole(env, "RECERT_CHAOS_KILLS", 4, 0, 100),
    pgParallel: whole(env, "RECERT_CHAOS_PG_PARALLEL", 3, 1, 32),
    diskParallel: whole(env, "RECERT_CHAOS_DISK_PARALLEL", 3, 1, 32),
    pgOutage: oneOf(env, "RECERT_CHAOS_PG_OUTAGE", ["terminate", "cluster"] as const, "terminate"),
    disk: oneOf(env, "RECERT_CHAOS_DISK", ["alternate", "full", "read-only"] as const, "alternate"),
    deadlineMs: whole(env, "RECERT_CHAOS_DEADLINE_S", 180, 30, 3600) * 1000
  }
}

/** A small seeded PRNG (mulberry32): the plan of a run depends only on its seed. */
export const prng = (seed: number): (() => number) => {
  let s = seed | 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A semaphore: at most `n` runs at once. */
export const limiter = (n: number) => {
  let active = 0
  const waiting: Array<() => void> = []
  return async <A>(f: () => Promise<A>): Promise<A> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r))
    else active += 1
    try {
      return await f()
    } finally {
      const next = waiting.shift()
      if (next === undefined) active -= 1
      else next()
    }
  }
}
