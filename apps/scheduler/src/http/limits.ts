/**
 * The limits that let the webhook server face the internet: how long a client may take to send
 * its headers and its whole request, how long an idle keep-alive socket is kept, how many sockets
 * are open at once, and how large a body may be. A body over the limit is refused with 413 as
 * soon as it is known to be too large: from `Content-Length` before a byte of the body is read,
 * or, for a chunked body, at the first byte past the limit; the body is never buffered beyond it.
 */
import type { IncomingMessage, ServerOptions as HttpServerOptions, ServerResponse } from "node:http"

export interface HttpLimits {
  /** A client that has not sent its complete headers by then is answered 408 and cut (slowloris). */
  readonly headersTimeoutMs: number
  /** The whole request, body included; at least `headersTimeoutMs` (Node refuses less). */
  readonly requestTimeoutMs: number
  /** An idle keep-alive socket is closed after this. */
  readonly keepAliveTimeoutMs: number
  /** Sockets open at once; one more is closed as soon as it is accepted. */
  readonly maxConnections: number
  /** The largest body read; a larger one is answered 413. */
  readonly maxBodyBytes: number
}

/** The defaults of `webhook.*` in the configuration (README, "Running it on the internet"). */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
  maxBodyBytes: 1_048_576
}

/**
 * A refused body's socket keeps being read (and dropped) this long after the 413 is written,
 * then is destroyed. Closing at once, with the client's bytes unread, makes the kernel send a
 * reset that can destroy the 413 before the client reads it (nginx's `lingering_close`).
 */
const LINGER_MS = 2_000

/** Options for `createServer`: Node checks the two timeouts only every checking interval. */
export const httpServerOptions = (limits: HttpLimits): HttpServerOptions => ({
  headersTimeout: limits.headersTimeoutMs,
  requestTimeout: limits.requestTimeoutMs,
  keepAliveTimeout: limits.keepAliveTimeoutMs,
  // Node's default (30 s) would let a slow client live up to 30 s past its timeout.
  connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 5)))
})

/** True when the request declares (`Content-Length`) a body over the limit. */
export const declaredTooLarge = (req: IncomingMessage, limits: HttpLimits): boolean => {
  const declared = req.headers["content-length"]
  return declared !== undefined && Number(declared) > limits.maxBodyBytes
}

/**
 * Answers 413 and closes the connection without reading the body: the socket is half-closed
 * after the answer, what the client still sends is dropped, and it is destroyed after LINGER_MS.
 */
export const refuseTooLarge = (req: IncomingMessage, res: ServerResponse, limits: HttpLimits): void => {
  const body = JSON.stringify({ error: "body too large", maxBodyBytes: limits.maxBodyBytes })
  const socket = req.socket
  res.once("finish", () => {
    socket.end()
    setTimeout(() => socket.destroy(), LINGER_MS).unref()
  })
  // Whatever arrives from here on is dropped, not buffered.
  req.removeAllListeners("data")
  req.resume()
  res.writeHead(413, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) })
  res.end(body)
}

/**
 * Reads a body of at most `maxBodyBytes`, or null as soon as it is larger (a chunked body has no
 * `Content-Length` to refuse it earlier); the caller answers 413 with `refuseTooLarge`.
 */
export const readBody = (req: IncomingMessage, limits: HttpLimits): Promise<Buffer | null> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (c: Buffer) => {
      size += c.length
      if (size <= limits.maxBodyBytes) return void chunks.push(c)
      req.off("data", onData)
      resolve(null)
    }
    req.on("data", onData)
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })
