/**
 * Runs Recert's apps the way an operator does: as processes (nothing imports an app). From their
 * build when it is up to date with every source, else from source through tsx with the
 * `@recert/source` condition (scripts/app-entry.mjs): either way the suites test the tree as it is.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { nodeArgsFor } from "../../../../scripts/app-entry.mjs"

export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url))

export type App = "scheduler" | "admin-cli"
const MAIN: Record<App, string> = {
  "scheduler": `${ROOT}apps/scheduler/src/main.ts`,
  "admin-cli": `${ROOT}apps/admin-cli/src/main.ts`
}

export interface ProcessResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface AppOptions {
  readonly cwd?: string
  /** Added to a minimal environment (PATH and HOME only: no ambient DATABASE_URL or keys). */
  readonly env?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
}

const baseEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", NO_COLOR: "1", ...extra
})

/** Starts an app; stdout and stderr are collected on the returned object. */
export const spawnApp = (app: App, args: ReadonlyArray<string>, options: AppOptions = {}): ChildProcess & { out: () => string; err: () => string } => {
  const child = spawn(process.execPath, [...nodeArgsFor(MAIN[app]), ...args], {
    cwd: options.cwd ?? ROOT, env: baseEnv(options.env), stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (c: Buffer) => { stdout += c.toString("utf8") })
  child.stderr.on("data", (c: Buffer) => { stderr += c.toString("utf8") })
  return Object.assign(child, { out: () => stdout, err: () => stderr })
}

/** Runs an app to completion (killed after `timeoutMs`, default 60 s). */
export const runApp = (app: App, args: ReadonlyArray<string>, options: AppOptions = {}): Promise<ProcessResult> =>
  new Promise((resolve, reject) => {
    const child = spawnApp(app, args, options)
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: child.out(), stderr: child.err() })
    })
  })

/** Runs `tasks` with at most `limit` at once (each app process is a whole Node + tsx start-up). */
export const inPool = async <A>(limit: number, tasks: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const out: Array<A> = new Array<A>(tasks.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++
      out[i] = await tasks[i]!()
    }
  }))
  return out
}

/** A free loopback port (bound and released; the app binds it next). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })

/**
 * Polls `url` until it answers 200, the process exits, or `timeoutMs` passes (real I/O: the
 * process needs its start-up time; the wait is bounded and ends as soon as it answers).
 */
export const waitForHttp = async (url: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${url} answered`)
    const ok = await fetch(url).then((r) => r.status === 200, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`)
}
