/**
 * The executable itself (src/main.ts through tsx, as a child process): the exit code reaches the
 * shell, stdout and stderr are separate. Everything else is tested in-process.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const FIXTURE = fileURLToPath(new URL("./fixtures/lineage.json", import.meta.url))

const spawn = (args: ReadonlyArray<string>) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile(`${ROOT}node_modules/.bin/tsx`, ["--conditions=@recert/source", MAIN, ...args], { env: { ...process.env, NO_COLOR: "1" } },
    (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
})

describe("the recert process", () => {
  it("exits 0, 1 and 2", async () => {
    const [ok, failed, usage] = await Promise.all([
      spawn(["decide", "--input", FIXTURE, "--at", "2026-11-22T10:00:00Z", "--json"]),
      spawn(["decide", "--input", "/no/such/file.json"]),
      spawn(["decide", "--input", FIXTURE, "--at", "soon"])
    ])
    expect(ok.code).toBe(0)
    expect((JSON.parse(ok.stdout) as { verdict: string }).verdict).toBe("refresh")
    expect(failed).toEqual({ code: 1, stdout: "", stderr: "recert: cannot read /no/such/file.json: no such file\n" })
    expect(usage.code).toBe(2)
    expect(usage.stdout).toBe("")
    expect(usage.stderr).toContain("Invalid value for flag --at: \"soon\"")
  }, 120_000)
})
