/** Spawns a test worker (default: the reservation worker) as a separate Node process (tsx, workspace sources). */
import { type ChildProcess, spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Redacted } from "effect"
import { KEY } from "./fixtures.js"
import type { TestDatabase } from "./dialects.js"

const here = dirname(fileURLToPath(import.meta.url))
const WORKER = join(here, "..", "workers", "reserve-worker.ts")

export interface Worker {
  readonly child: ChildProcess
  /** Resolves with the first stdout line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string>
  /** Resolves with all stdout when the process exits 0; rejects otherwise. */
  done(): Promise<string>
}

/** Another worker script under test/workers/ (default: the reservation worker). */
export const workerPath = (file: string): string => join(here, "..", "workers", file)

export const spawnWorker = (t: TestDatabase, env: Record<string, string>, worker: string = WORKER): Worker => {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@recert/source", worker], {
    env: { ...process.env, URL: t.url, KEY: Redacted.value(KEY), ...(t.schema !== undefined ? { SCHEMA: t.schema } : {}), ...env },
    stdio: ["pipe", "pipe", "pipe"]
  })
  // A worker that died does not read its stdin: writing to it must not fail the test process.
  child.stdin.on("error", () => undefined)
  let out = ""
  let err = ""
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = []
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8")
    for (const w of [...waiters]) {
      const line = out.split("\n").find((l) => w.pattern.test(l))
      if (line !== undefined) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line) }
    }
  })
  child.stderr.on("data", (chunk: Buffer) => { err += chunk.toString("utf8") })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return {
    child,
    waitFor: (pattern) => new Promise((resolve, reject) => {
      const line = out.split("\n").find((l) => pattern.test(l))
      if (line !== undefined) return resolve(line)
      waiters.push({ pattern, resolve })
      void exited.then((code) => reject(new Error(`worker exited (${code}) before ${pattern}: ${err}`)))
    }),
    done: async () => {
      const code = await exited
      if (code !== 0) throw new Error(`worker exited with ${code}: ${err}`)
      return out
    }
  }
}
