/**
 * Graceful shutdown on SIGINT/SIGTERM. The first signal only sets a flag (the pass stops
 * claiming, in-flight jobs finish within the grace period, what is still held is released, the
 * receiver and the store close, the partial report is printed, exit 0). A second signal exits at
 * once with 130. Each step is one JSON line on stderr, `{"event":"shutdown",...}`, whatever the
 * terminal, so supervisors and tests can follow it.
 */
import { Effect } from "effect"

export interface Shutdown {
  /** True once a signal arrived. */
  readonly requested: () => boolean
  /** Completes when a signal arrives (never fails). */
  readonly await: Effect.Effect<void>
  /** Logs one `{"event":"shutdown", phase, ...}` line. */
  readonly log: (phase: string, fields?: Readonly<Record<string, unknown>>) => void
}

export const logShutdown = (phase: string, fields: Readonly<Record<string, unknown>> = {}): void =>
  void process.stderr.write(`${JSON.stringify({ event: "shutdown", phase, at: new Date().toISOString(), pid: process.pid, ...fields })}\n`)

let installed: Shutdown | null = null

/** Installs the process's signal handlers once and returns the shared flag. */
export const installShutdown = (): Shutdown => {
  if (installed !== null) return installed
  let signal: string | null = null
  let wake: () => void = () => {}
  const arrived = new Promise<void>((resolve) => { wake = resolve })
  const onSignal = (name: NodeJS.Signals) => {
    if (signal !== null) {
      logShutdown("forced", { signal: name, exitCode: 130 })
      process.exit(130)
    }
    signal = name
    logShutdown("requested", { signal: name })
    wake()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  installed = {
    requested: () => signal !== null,
    await: Effect.promise(() => arrived),
    log: (phase, fields = {}) => logShutdown(phase, { signal, ...fields })
  }
  return installed
}
