/**
 * The test-only fault hook (`src/runtime/fault-points.ts`): the variable's grammar, and a process
 * armed at a point SIGKILLs itself the nth time it reaches it (saying which on stderr), while an
 * unarmed one, or one armed elsewhere, runs on. A malformed value exits 2 naming it.
 */
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parseFaultPoints } from "../src/runtime/fault-points.js"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const TSX = createRequire(`${ROOT}package.json`).resolve("tsx")
const MODULE = fileURLToPath(new URL("../src/runtime/fault-points.ts", import.meta.url))

/** Reaches `after-reserve` three times, printing "reached n" after each, in a process of its own. */
const reachThrice = (env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const script = `import { Effect } from "effect"; const { faultPoint } = await import(${JSON.stringify(MODULE)});
      for (let i = 1; i <= 3; i++) { Effect.runSync(faultPoint("after-reserve")); console.log("reached " + i) }`
    const child = spawn(process.execPath, ["--import", TSX, "--conditions=@recert/source", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)), env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => { stdout += c.toString("utf8") })
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString("utf8") })
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })

describe("parseFaultPoints", () => {
  it("reads points with an optional nth, comma-separated", () => {
    expect(parseFaultPoints(undefined)).toEqual([])
    expect(parseFaultPoints("")).toEqual([])
    expect(parseFaultPoints("after-reserve")).toEqual([{ point: "after-reserve", nth: 1 }])
    expect(parseFaultPoints("after-reserve:3, after-link-create:1")).toEqual([{ point: "after-reserve", nth: 3 }, { point: "after-link-create", nth: 1 }])
  })

  it("names what is wrong", () => {
    expect(parseFaultPoints("after-reserv")).toBe(`unknown point "after-reserv" (known: after-reserve, after-send-before-record, after-connection-update, after-record-before-follow-up, in-follow-up-after-report, after-follow-up-before-mark, after-link-create, after-link-intent, after-link-sent-mark, in-request-completion)`)
    expect(parseFaultPoints("after-reserve:0")).toBe(`expected <point>[:<nth>] with nth a whole number from 1; got "after-reserve:0"`)
    expect(parseFaultPoints("after-reserve:1:2")).toBe(`expected <point>[:<nth>] with nth a whole number from 1; got "after-reserve:1:2"`)
  })
})

describe("faultPoint in a process", () => {
  it("kills the process the nth time the point is reached, after saying so on stderr", async () => {
    const r = await reachThrice({ RECERT_FAULT_KILL_AT: "after-reserve:2" })
    expect({ code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ code: null, signal: "SIGKILL", stdout: "reached 1\n" })
    expect(r.stderr).toMatch(/^\{"event":"fault","point":"after-reserve","nth":2,"pid":[0-9]+\}\n$/)
  }, 120_000)

  it("is a no-op unarmed or armed at another point", async () => {
    for (const env of [{}, { RECERT_FAULT_KILL_AT: "after-link-create" }]) {
      const r = await reachThrice(env)
      expect({ code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, signal: null, stdout: "reached 1\nreached 2\nreached 3\n", stderr: "" })
    }
  }, 120_000)

  it("exits 2 with one line for a malformed value", async () => {
    const r = await reachThrice({ RECERT_FAULT_KILL_AT: "after-reserve:x" })
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2, stdout: "", stderr: `RECERT_FAULT_KILL_AT: expected <point>[:<nth>] with nth a whole number from 1; got "after-reserve:x"\n`
    })
  }, 120_000)
})
