/**
 * The scheduler's configuration file: an unknown key at any level is one problem at its own
 * path, with core's did-you-mean hint when a known key is close.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { resolveConfig } from "../src/runtime/config.js"

const dir = mkdtempSync(join(tmpdir(), "recert-config-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("scheduler config file: unknown keys", () => {
  it("are named by path, with a hint for a case or spelling slip", async () => {
    const file = join(dir, "c.json")
    writeFileSync(file, JSON.stringify({ Concurrency: 4, webhook: { portt: 9000 }, truv: { clientId: "c", secrett: "s", colour: 1 } }))
    const error = await Effect.runPromise(Effect.flip(resolveConfig({ file, env: {} })))
    expect(error.problems).toEqual([
      `${file}: webhook.portt: unknown key (did you mean port?)`,
      `${file}: truv.secrett: unknown key (did you mean secret?)`,
      `${file}: truv.colour: unknown key`,
      `${file}: Concurrency: unknown key (did you mean concurrency?)`
    ])
  })
})
