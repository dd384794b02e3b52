/**
 * Test helpers for the HTTP server's limits: a server on loopback with a recording store (every
 * event the receiver stores is kept, so a test can assert nothing was), and a raw `node:net`
 * client that sends exactly the bytes a test gives, when it gives them, and records what comes
 * back and when the server closed the socket.
 */
import { connect, type Socket } from "node:net"
import type { Store } from "@recert/store"
import { Effect, Exit, Redacted, Scope } from "effect"
import { RunStats } from "../../src/runner/run-stats.js"
import type { HttpLimits } from "../../src/http/limits.js"
import { type RunningServer, startServer, type ServerOptions } from "../../src/http/server.js"

export const SECRET = "http-limits-test-secret"

export interface TestServer extends RunningServer {
  readonly stored: Array<string>
  readonly close: () => Promise<void>
}

/** A server on 127.0.0.1 (port 0) with the given limits and options; `close` ends its scope. */
export const testServer = async (limits: HttpLimits, options: Partial<ServerOptions> = {}): Promise<TestServer> => {
  const stored: Array<string> = []
  const store = {
    insertWebhookEvent: (e: { readonly webhookId: string }) => Effect.sync(() => {
      stored.push(e.webhookId)
      return "inserted" as const
    })
  } as unknown as Store["Service"]
  const scope = Scope.makeUnsafe()
  const stats = new RunStats()
  const running = await Effect.runPromise(Scope.provide(scope)(startServer({ port: 0, secret: Redacted.make(SECRET), store, stats: () => stats, limits, ...options })))
  return { ...running, stored, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

export interface RawClient {
  readonly socket: Socket
  /** Everything received so far, as text. */
  readonly received: () => string
  /** Resolves when the server has closed (or reset) the socket, with the ms since connect. */
  readonly closed: Promise<number>
  readonly send: (text: string | Buffer) => void
}

/** Connects a raw socket; resolves once connected. */
export const rawClient = (port: number): Promise<RawClient> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const chunks: Array<Buffer> = []
    const socket = connect(port, "127.0.0.1")
    socket.on("data", (c: Buffer) => void chunks.push(c))
    // A reset after the answer is still a close; the test reads what arrived before it.
    socket.on("error", () => {})
    const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now() - started)))
    socket.once("connect", () => resolve({
      socket, closed,
      received: () => Buffer.concat(chunks).toString("latin1"),
      send: (text) => void socket.write(text)
    }))
    socket.once("error", reject)
  })

/** Resolves when `predicate` holds for what the client received (checked on each chunk). */
export const receivedUntil = (client: RawClient, predicate: (text: string) => boolean): Promise<string> =>
  new Promise((resolve) => {
    const check = () => {
      if (!predicate(client.received())) return
      client.socket.off("data", check)
      resolve(client.received())
    }
    client.socket.on("data", check)
    check()
  })

export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
