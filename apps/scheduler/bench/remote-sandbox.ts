/**
 * The Truv sandbox in its own process, as Truv is in production: its CPU (routing, task
 * simulation, signing and sending webhooks) is not the scheduler's. Started with the sandbox's
 * own command (`packages/truv-sandbox/src/main.ts`), configured and seeded through its
 * admin API (`/_sandbox/...`), stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { SandboxFaultsInput, SandboxReport, SeededLineage } from "@recert/truv-sandbox"
import type { LineageSeeder } from "../src/demo/seed.js"

const MAIN = fileURLToPath(new URL("../../../packages/truv-sandbox/src/main.ts", import.meta.url))

export interface RemoteSandbox extends LineageSeeder {
  readonly url: string
  readonly clientId: string
  readonly configureFaults: (faults: SandboxFaultsInput) => Promise<void>
  readonly report: () => Promise<SandboxReport>
  /** Resolves when the sandbox has nothing scheduled (tasks, webhooks). */
  readonly idle: () => Promise<void>
  readonly close: () => Promise<void>
}

const admin = async <A>(url: string, method: string, path: string, body?: unknown): Promise<A> => {
  const response = await fetch(`${url}/_sandbox/${path}`, {
    method, headers: { "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`sandbox ${method} /_sandbox/${path}: ${response.status} ${text}`)
  return JSON.parse(text) as A
}

/** Starts the sandbox command on a free loopback port; rejects if it does not print its URL in 30 s. */
export const startRemoteSandbox = async (options: { readonly secret: string; readonly seed: number }): Promise<RemoteSandbox> => {
  const child: ChildProcess = spawn(process.execPath, [
    "--import", "tsx", "--conditions=@recert/source", MAIN, "--port", "0", "--secret", options.secret, "--seed", String(options.seed)
  ], { stdio: ["ignore", "pipe", "inherit"] })
  const first = await new Promise<{ url: string; clientId: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the sandbox process did not start in 30 s")), 30_000)
    child.once("exit", (code) => reject(new Error(`the sandbox process exited with ${code}`)))
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line) as { url: string; clientId: string })
    })
  })
  const { url, clientId } = first
  return {
    url, clientId,
    seedLineage: (spec) => admin<SeededLineage>(url, "POST", "lineages", spec),
    configureFaults: async (faults) => void await admin(url, "POST", "faults", faults),
    report: () => admin<SandboxReport>(url, "GET", "report"),
    idle: async () => void await admin(url, "POST", "idle"),
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGTERM")
    })
  }
}
