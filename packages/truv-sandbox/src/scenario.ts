/**
 * Scenario files for the sandbox command: JSON with the PRNG seed, the clock, the faults and
 * the lineages to seed. Validated with zod; an error names the bad path.
 *
 * @example
 * { "seed": 7, "clock": { "mode": "manual", "start": "2026-11-22T10:00:00Z" },
 *   "faults": { "webhookUrl": "http://127.0.0.1:3000/webhooks/truv", "webhookDuplicateRate": 0.1 },
 *   "lineages": [{ "orderId": "ord-1", "gse": true, "connections": [{ "behaviour": "healthy", "authenticatedAt": "2026-06-01T00:00:00Z" }] }],
 *   "connectionValidity": { "oauthDays": 180, "sessionDays": 90 } }
 */
import { z } from "zod"
import { ClientsConfig } from "./clients/client-script.js"
import { SandboxFaults } from "./faults.js"
import { InstantInput, SeedLineageInput } from "./seed.js"
import { ConnectionValidity } from "./validity.js"

export const Scenario = z.strictObject({
  seed: z.number().int().optional(),
  clock: z.strictObject({ mode: z.enum(["real", "manual"]).optional(), start: InstantInput.optional() }).optional(),
  faults: SandboxFaults.partial().optional(),
  connectionValidity: ConnectionValidity.optional(),
  /** How the cases' clients act (clients/client-script.ts): `{ "default": "demo", "byOrderNumber": { "4138538": { "kind": "never" } } }`. */
  clients: ClientsConfig.optional(),
  lineages: z.array(SeedLineageInput).default([])
})
export type Scenario = z.input<typeof Scenario>
export type ParsedScenario = z.infer<typeof Scenario>

export type ScenarioResult = { readonly ok: true; readonly scenario: ParsedScenario } | { readonly ok: false; readonly error: string }

/** Parses a scenario file's text; the error names the file and the path of each problem. */
export const parseScenario = (text: string, source = "scenario"): ScenarioResult => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { ok: false, error: `${source}: not valid JSON (${e instanceof Error ? e.message : String(e)})` }
  }
  const parsed = Scenario.safeParse(json)
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.map((i) => `${source}: ${i.path.length === 0 ? "(root)" : i.path.join(".")}: ${i.message}`).join("\n") }
  }
  return { ok: true, scenario: parsed.data }
}
