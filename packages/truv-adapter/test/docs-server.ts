/**
 * A loopback HTTP server for the documented-examples tests: it answers each `METHOD path` with a
 * scripted status and raw body (Truv's documented JSON), and records what the client sent, so a
 * test checks both directions: the client parses Truv's documented answers and sends Truv's
 * documented request bodies.
 */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

export interface Received {
  readonly method: string
  readonly path: string
  /** The query string, without `?` ("" when none). */
  readonly query: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface DocsServer {
  readonly url: string
  readonly received: Array<Received>
  /** Answers `METHOD /path/` (query ignored) with `status` and the raw `body`. */
  answer(route: string, body: string, status?: number): void
  close(): Promise<void>
}

export const startDocsServer = async (): Promise<DocsServer> => {
  const routes = new Map<string, { status: number; body: string }>()
  const received: Array<Received> = []
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const [path = "/", query = ""] = (req.url ?? "/").split("?")
      received.push({ method: req.method ?? "", path, query, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
      const route = routes.get(`${req.method} ${path}`)
      res.writeHead(route?.status ?? 404, { "Content-Type": "application/json" })
      res.end(route?.body ?? JSON.stringify({ detail: "Not Found." }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (route, body, status = 200) => void routes.set(route, { status, body }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
