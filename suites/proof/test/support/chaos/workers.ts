/**
 * The app processes of a chaos run: `recert-scheduler serve` workers (and `run` passes), each
 * with its webhook and admin ports, started, killed and restarted; every process that ever ran is
 * kept with how it ended, so the checks can tell a kill the run planned from a process that died
 * by itself.
 */
import { freePort, spawnApp } from "../apps.js"

export type Child = ReturnType<typeof spawnApp>

/** How a process ended: stopped by the run (SIGTERM at the end), killed by it, killed at a fault point, or by itself. */
/** `stop-timeout`: still running 30 s after SIGTERM (with a 2 s shutdown grace), so SIGKILLed. */
/** `port-taken`: exited at start-up because another process of the machine took its free port between `freePort` and the bind (restarted like any other). */
export type EndedBy = "stopped" | "stop-timeout" | "harness-kill" | "fault-point" | "port-taken" | "itself"

export interface Proc {
  readonly name: string
  readonly slot: number
  readonly port: number
  readonly adminPort: number
  /** `RECERT_FAULT_KILL_AT` given to this process, if any. */
  readonly armed: string | null
  readonly startedAt: number
  readonly child: Child
  ended: { readonly by: EndedBy; readonly code: number | null; readonly signal: string | null; readonly at: number; readonly fault: string | null } | null
  killedByHarness: boolean
  stopping: boolean
  forcedStop: boolean
}

/** The scheduler's start-up error for a port bound meanwhile by someone else (`freePort` releases it before the worker binds it). */
const PORT_TAKEN = /port [0-9]+ on [^ ]+ is in use by another process/
const FAULT_LINE = /\{"event":"fault","point":"([a-z-]+)","nth":([0-9]+)/

/** The last lines of a process's stderr (evidence for a process that died by itself). */
export const tail = (text: string, lines = 6): string => text.trimEnd().split("\n").slice(-lines).join("\n")

export interface WorkerPoolOptions {
  readonly count: number
  readonly db: string
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /** Restart a worker that ended while the run goes on, after this many ms (null: never). */
  readonly restartAfter: () => number | null
  /** The fault-point value for the next start of a worker, if any (aimed kills). */
  readonly nextArm: () => string | null
}

export class WorkerPool {
  readonly procs: Array<Proc> = []
  private readonly slots: Array<Proc | null>
  private finished = false
  private readonly timers = new Set<NodeJS.Timeout>()

  private constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.count }, () => null)
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options)
    for (let i = 0; i < options.count; i++) await pool.spawn(i)
    return pool
  }

  /**
   * Each start gets ports of its own: a restarted worker that reused its slot's ports found them
   * taken by another process of the machine (exit 1, "webhook port ... is in use") and counted as a
   * worker that died by itself.
   */
  private async spawn(slot: number): Promise<void> {
    const port = await freePort()
    const adminPort = await freePort()
    if (this.finished) return
    const armed = this.options.nextArm()
    const starts = this.procs.filter((p) => p.slot === slot).length
    const name = `chaos-${slot}-${starts + 1}`
    const child = spawnApp("scheduler", [
      "serve", "--db", this.options.db, "--port", String(port), "--admin-port", String(adminPort), "--host", "127.0.0.1",
      "--interval", "2s", "--concurrency", "4", "--worker-id", name, "--json"
    ], { cwd: this.options.cwd, env: { ...this.options.env, ...(armed === null ? {} : { RECERT_FAULT_KILL_AT: armed }) } })
    const proc: Proc = { name, slot, port, adminPort, armed, startedAt: Date.now(), child, ended: null, killedByHarness: false, stopping: false, forcedStop: false }
    this.procs.push(proc)
    this.slots[slot] = proc
    // `close`, not `exit`: the fault point's last stderr line can arrive after `exit` (seen in CI:
    // a worker killed at its fault point was taken for one that died by itself).
    child.on("close", (code, signal) => {
      const fault = FAULT_LINE.exec(child.err())
      // A process still starting when stopped has no handler yet: SIGTERM ends it, as it should.
      const by: EndedBy = proc.killedByHarness ? "harness-kill"
        : proc.forcedStop ? "stop-timeout"
        : signal === "SIGKILL" && fault !== null ? "fault-point"
        : proc.stopping && (code === 0 || signal === "SIGTERM") ? "stopped"
        : code === 1 && PORT_TAKEN.test(child.err()) ? "port-taken" : "itself"
      proc.ended = { by, code, signal, at: Date.now(), fault: fault === null ? null : `${fault[1]}:${fault[2]}` }
      if (this.finished) return
      const delay = this.options.restartAfter()
      if (delay === null) return
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        if (!this.finished && this.slots[slot] === proc) void this.spawn(slot)
      }, delay)
      this.timers.add(timer)
    })
  }

  /** Processes alive now. */
  live(): Array<Proc> {
    return this.slots.filter((p): p is Proc => p !== null && p.ended === null && p.child.exitCode === null && p.child.signalCode === null)
  }

  /**
   * Resolves once every worker alive now answers its admin `/health` (any status: the process is
   * up and serving), or after `timeoutMs`; returns how long it took. A run's plan (its kills, its
   * deadline) counts from here: on a loaded machine a worker takes many seconds to start (tsx
   * compiles at each start), and a kill planned at 5 s would otherwise hit a process that has not
   * begun, which tests nothing.
   */
  async ready(timeoutMs = 180_000): Promise<number> {
    const since = Date.now()
    const up = async (p: Proc): Promise<boolean> =>
      fetch(`http://127.0.0.1:${p.adminPort}/health`, { signal: AbortSignal.timeout(2_000) }).then(() => true, () => false)
    while (Date.now() - since < timeoutMs) {
      const alive = this.live()
      if (alive.length === this.options.count && (await Promise.all(alive.map(up))).every((ok) => ok)) break
      await new Promise((r) => setTimeout(r, 250))
    }
    return Date.now() - since
  }

  /** Webhook ports of the live workers (the forwarder's targets). */
  receivers(): Array<number> {
    return this.live().map((p) => p.port)
  }

  /** SIGKILLs the worker in `slot` if it is alive; returns its name, or null. */
  kill(slot: number): string | null {
    const p = this.slots[slot]
    if (p === null || p === undefined || p.ended !== null || p.child.exitCode !== null) return null
    p.killedByHarness = true
    p.child.kill("SIGKILL")
    return p.name
  }

  /** Prometheus text of every live worker's `/metrics`, by process name. */
  async scrapeMetrics(): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const p of this.live()) {
      const text = await fetch(`http://127.0.0.1:${p.adminPort}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text(), () => null)
      if (text !== null) out.set(p.name, text)
    }
    return out
  }

  /** No more restarts; SIGTERM every live worker, SIGKILL what has not exited 30 s later. */
  async stopAll(): Promise<void> {
    this.finished = true
    for (const t of this.timers) clearTimeout(t)
    await Promise.all(this.live().map(async (p) => {
      const exited = new Promise((r) => p.child.once("exit", r))
      p.stopping = true
      p.child.kill("SIGTERM")
      const timer = new Promise((r) => setTimeout(r, 30_000))
      await Promise.race([exited, timer])
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.forcedStop = true
        p.child.kill("SIGKILL")
        await exited
      }
    }))
  }
}

/** Sum of a metric over every series of it in a Prometheus text (optionally one label value). */
export const metric = (text: string, name: string, label?: string): number =>
  text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => label === undefined || l.includes(label))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0)

/** The report `serve --json` / `run --json` printed on stdout (the last JSON object), or null. */
export const finalReport = (stdout: string): Record<string, unknown> | null => {
  const at = stdout.lastIndexOf("\n{\n")
  const text = at >= 0 ? stdout.slice(at + 1) : stdout.trimStart().startsWith("{") ? stdout.trimStart() : null
  if (text === null) return null
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return null
  }
}

/**
 * What the processes warned about, most frequent first: each stderr JSON log line's message and
 * the error it names (`{"message":["job failed",{"error":"Transport",…}]}` -> `job failed: Transport`).
 */
export const warnings = (children: ReadonlyArray<Child>, most = 8): Array<string> => {
  const counts = new Map<string, number>()
  for (const child of children) {
    for (const line of child.err().split("\n")) {
      if (!line.startsWith("{")) continue
      try {
        const entry = JSON.parse(line) as { message?: unknown; level?: unknown }
        if (entry.level !== "WARN" && entry.level !== "ERROR") continue
        const [text, detail] = Array.isArray(entry.message) ? entry.message as [unknown, unknown] : [entry.message, undefined]
        const d = (typeof detail === "object" && detail !== null ? detail : {}) as Record<string, unknown>
        const why = [d["job"], d["error"], d["message"]].filter((v) => typeof v === "string").join(": ").slice(0, 160)
        const key = `${String(text)}${why === "" ? "" : ` (${why})`}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      } catch {
        continue
      }
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, most).map(([k, n]) => `${n}x ${k}`)
}
