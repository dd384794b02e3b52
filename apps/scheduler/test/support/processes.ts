/**
 * The scheduler as a real process (`dist/main.js` when the build is fresh, else `src/main.ts`
 * through tsx: scripts/app-entry.mjs),
 * for the tests that send it signals or kill it: its output, its exit, and bounded waits on them.
 * Also a Postgres *database* of its own: the commands take `--db postgres://…` and work in the
 * `public` schema (there is no flag or variable for a schema), so a test's isolation is a
 * database created for it and dropped after.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"
import { openDatabase, type OpenedDatabase } from "@recert/store"
import { POSTGRES_URL, sleepMs, type TestDatabase } from "./world.js"
import { nodeArgsFor } from "../../../../scripts/app-entry.mjs"

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url))
export const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url))

export interface Proc {
  readonly child: ChildProcess
  readonly pid: number
  stdout: string
  stderr: string
  /** Exit code, or null when killed by a signal (then `signal` is set). */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly running: () => boolean
}

/** Starts `main.ts` with `args`; the environment is `env` over a minimal copy of ours (no DATABASE_URL, no TRUV_*). */
export const startScheduler = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Proc => {
  const base: Record<string, string> = {}
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "NODE_OPTIONS"]) {
    const v = process.env[k]
    if (v !== undefined) base[k] = v
  }
  const child = spawn(process.execPath, [...nodeArgsFor(MAIN), ...args], {
    cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"]
  })
  let done = false
  const proc: Proc = {
    child, pid: child.pid!, stdout: "", stderr: "",
    exited: new Promise((resolve) => child.on("exit", (code, signal) => { done = true; resolve({ code, signal }) })),
    running: () => !done
  }
  child.stdout.setEncoding("utf8").on("data", (d: string) => { proc.stdout += d })
  child.stderr.setEncoding("utf8").on("data", (d: string) => { proc.stderr += d })
  return proc
}

/** Bounded wait for an exit; kills (SIGKILL) and throws past `ms`. */
export const exitOf = async (proc: Proc, ms = 30_000): Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }> => {
  const timeout = sleepMs(ms).then(() => null)
  const r = await Promise.race([proc.exited, timeout])
  if (r === null) {
    proc.child.kill("SIGKILL")
    throw new Error(`process ${proc.pid} did not exit within ${ms} ms\nstdout: ${proc.stdout}\nstderr: ${proc.stderr}`)
  }
  return r
}

/** Bounded polling (real processes): resolves when `test()` holds, throws past `ms`. */
export const waitFor = async (what: string, test: () => boolean | Promise<boolean>, ms = 20_000, everyMs = 25): Promise<void> => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await test()) return
    await sleepMs(everyMs)
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

/** The JSON lines of a stream (others, such as log lines in another format, are skipped). */
export const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text.split("\n").flatMap((line) => {
    if (!line.trim().startsWith("{")) return []
    try {
      return [JSON.parse(line) as Record<string, unknown>]
    } catch {
      return []
    }
  })

/** One raw statement (kysely is not this package's dependency: `CompiledQuery.raw` by hand). */
const rawStatement = async (db: OpenedDatabase["db"], text: string): Promise<void> => {
  type Compiled = Parameters<OpenedDatabase["db"]["executeQuery"]>[0]
  await db.executeQuery({ sql: text, parameters: [], query: { kind: "RawNode", sqlFragments: [text], parameters: [] }, queryId: { queryId: randomBytes(4).toString("hex") } } as unknown as Compiled)
}

/** A Postgres database of the test's own on the shared server, dropped (with its connections) by `cleanup`. */
export const postgresOwnDatabase = async (): Promise<TestDatabase> => {
  const name = `recert_sched_${randomBytes(5).toString("hex")}`
  const admin = openDatabase(POSTGRES_URL, { poolSize: 1 })
  try {
    await rawStatement(admin.db, `create database ${name}`)
  } finally {
    await admin.db.destroy()
  }
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    cleanup: async () => {
      const again = openDatabase(POSTGRES_URL, { poolSize: 1 })
      try {
        await rawStatement(again.db, `drop database if exists ${name} with (force)`)
      } finally {
        await again.db.destroy()
      }
    }
  }
}
