#!/usr/bin/env node
/**
 * The sandbox as a command: `node packages/truv-sandbox/dist/main.js --port 8787
 * [--scenario file.json] [--secret s] [--client-id id] [--webhook-url url] [--seed n]`.
 * Prints one JSON line with the base URL and the seeded lineages, then serves until SIGINT or
 * SIGTERM. Bad arguments or a bad scenario file exit with code 2 and a message naming the problem.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { DEFAULT_SANDBOX_CLIENT_ID, TruvSandbox } from "./sandbox.js"
import { type ParsedScenario, parseScenario } from "./scenario.js"

const HELP = `truv-sandbox: a local Truv API for tests and demos (loopback only)

Usage: node packages/truv-sandbox/dist/main.js [options]

  --port <n>           port to listen on (default 8787; 0 picks a free one)
  --host <addr>        address to bind (default 127.0.0.1)
  --scenario <file>    JSON scenario: seed, clock, faults, lineages (see README)
  --secret <s>         access secret clients must send; also signs webhooks
  --client-id <id>     client id clients must send (default ${DEFAULT_SANDBOX_CLIENT_ID})
  --webhook-url <url>  where signed webhooks are POSTed
  --seed <n>           PRNG seed (default 1, or the scenario's)
  --help               this text

Admin API: GET /_sandbox/report, POST /_sandbox/lineages, PUT /_sandbox/links/<id>/behaviour,
POST /_sandbox/links/<id>/reauthenticate, GET|POST /_sandbox/clock, GET|POST /_sandbox/faults,
POST /_sandbox/idle, GET /_sandbox/webhooks.
`

const fail = (message: string): never => {
  process.stderr.write(`truv-sandbox: ${message}\n`)
  process.exit(2)
}

const main = async (): Promise<void> => {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      options: {
        port: { type: "string" }, host: { type: "string" }, scenario: { type: "string" }, secret: { type: "string" },
        "client-id": { type: "string" }, "webhook-url": { type: "string" }, seed: { type: "string" }, help: { type: "boolean" }
      },
      strict: true
    }).values
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)} (see --help)`)
  }
  if (values.help === true) {
    process.stdout.write(HELP)
    return
  }
  const int = (name: string, fallback: number): number => {
    const raw = values[name]
    if (raw === undefined) return fallback
    const n = Number(raw)
    return Number.isInteger(n) && n >= 0 ? n : fail(`--${name} must be a non-negative integer, got "${String(raw)}"`)
  }
  let scenario: ParsedScenario | undefined
  if (typeof values.scenario === "string") {
    let text = ""
    try {
      text = readFileSync(values.scenario, "utf8")
    } catch (e) {
      fail(`cannot read scenario ${values.scenario}: ${e instanceof Error ? e.message : String(e)}`)
    }
    const parsed = parseScenario(text, values.scenario)
    if (!parsed.ok) return fail(`invalid scenario\n${parsed.error}`)
    scenario = parsed.scenario
  }
  const faults = { ...scenario?.faults, ...(typeof values["webhook-url"] === "string" ? { webhookUrl: values["webhook-url"] } : {}) }
  let sandbox: TruvSandbox
  try {
    sandbox = await TruvSandbox.start({
      port: int("port", 8787),
      host: typeof values.host === "string" ? values.host : "127.0.0.1",
      seed: int("seed", scenario?.seed ?? 1),
      faults,
      ...(scenario?.clock === undefined ? {} : { clock: scenario.clock }),
      ...(scenario?.connectionValidity === undefined ? {} : { connectionValidity: scenario.connectionValidity }),
      ...(scenario?.clients === undefined ? {} : { clients: scenario.clients }),
      ...(typeof values.secret === "string" ? { secret: values.secret } : {}),
      ...(typeof values["client-id"] === "string" ? { clientId: values["client-id"] } : {})
    })
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e))
  }
  const lineages = (scenario?.lineages ?? []).map((l) => sandbox.seedLineage(l))
  process.stdout.write(`${JSON.stringify({ url: sandbox.url, clientId: sandbox.clientId, secret: typeof values.secret === "string" ? "(from --secret)" : "(default, see README)", lineages })}\n`)
  const stop = () => void sandbox.close().then(() => process.exit(0))
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

void main()
