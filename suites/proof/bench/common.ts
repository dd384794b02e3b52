/**
 * Shared by the proof benchmarks: arguments and environment sizes, the median of timed runs
 * after a warm-up, and the machine-readable `BENCH {...}` line that `pnpm bench`
 * (scripts/bench.mjs) collects into the summary table of BENCHMARKS.md.
 */
import pg from "pg"

export const POSTGRES_URL = process.env["DATABASE_URL"]?.startsWith("postgres") === true
  ? process.env["DATABASE_URL"]
  : "postgres://postgres@127.0.0.1:5432/test"

/** `--name value` on the command line, else the environment variable, else the default. */
export const size = (name: string, envName: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  const raw = i >= 0 ? process.argv[i + 1] : process.env[envName]
  const n = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} / ${envName}: expected a positive integer, got ${raw}`)
  return n
}

export const postgresUp = async (): Promise<boolean> => {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

export const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Runs `f` once to warm up, then `runs` times; the median wall time in ms and the last result. */
export const timed = async <A>(runs: number, f: () => Promise<A> | A): Promise<{ ms: number; result: A }> => {
  let result = await f()
  const times: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    result = await f()
    times.push(performance.now() - started)
  }
  return { ms: median(times), result }
}

export interface BenchFigure {
  /** What is measured, e.g. "decisions/s, SQLite, 20,000 lineages". */
  readonly name: string
  readonly value: number
  readonly unit: string
  /** The alternative measured in the same run. */
  readonly alternative: string
  readonly altValue: number
  /** true when a larger value is better (rates); false for times. */
  readonly higherIsBetter: boolean
  readonly method: string
}

/** Prints a figure for people and, on its own line, for scripts/bench.mjs. */
export const report = (f: BenchFigure): void => {
  const ratio = f.higherIsBetter ? f.value / f.altValue : f.altValue / f.value
  console.log(`${f.name}: ${Math.round(f.value).toLocaleString("en-US")} ${f.unit} vs ${f.alternative}: ${Math.round(f.altValue).toLocaleString("en-US")} ${f.unit} (${ratio.toFixed(2)}x)`)
  console.log(`BENCH ${JSON.stringify(f)}`)
}
