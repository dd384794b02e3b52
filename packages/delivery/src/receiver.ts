/**
 * The reference receiver: how an agency's system verifies and consumes Recert's events, with the
 * `standardwebhooks` package (the spec's own library, not ours). The handler below is the
 * twenty lines to copy: verify the signature over the raw body (refuse with 401), drop a
 * `webhook-id` already seen (a redelivery), then act on the event by its `type`, and answer 2xx
 * only once it is stored. The server around it records what it got, for the tests and the demo.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { OutboxEvent } from "@recert/core"
import { Webhook } from "standardwebhooks"

export interface Received {
  readonly webhookId: string
  readonly event: OutboxEvent
  /** True when this `webhook-id` was seen before (a redelivery). */
  readonly duplicate: boolean
}

/** The handler to copy: verify, de-duplicate by webhook-id, consume. */
export const handle = (wh: Webhook, seen: Set<string>, consume: (r: Received) => void) =>
  (req: IncomingMessage, res: ServerResponse, body: string): void => {
    let event: OutboxEvent
    try {
      event = wh.verify(body, {
        "webhook-id": String(req.headers["webhook-id"]), "webhook-timestamp": String(req.headers["webhook-timestamp"]),
        "webhook-signature": String(req.headers["webhook-signature"])
      }) as OutboxEvent
    } catch {
      res.writeHead(401).end("bad signature")
      return
    }
    const webhookId = String(req.headers["webhook-id"])
    const duplicate = seen.has(webhookId)
    seen.add(webhookId)
    consume({ webhookId, event, duplicate }) // e.g. case.renewed: close the renewal task of event.caseId
    res.writeHead(204).end()
  }

export interface ReferenceReceiver {
  readonly url: string
  readonly received: Array<Received>
  readonly close: () => Promise<void>
}

/** Starts the reference receiver on 127.0.0.1 (port 0: any free one). */
export const startReferenceReceiver = async (secret: string, port = 0, onReceive: (r: Received) => void = () => undefined): Promise<ReferenceReceiver> => {
  const received: Array<Received> = []
  const handler = handle(new Webhook(secret), new Set(), (r) => {
    received.push(r)
    onReceive(r)
  })
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => handler(req, res, Buffer.concat(chunks).toString("utf8")))
  })
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  const address = server.address()
  const bound = typeof address === "object" && address !== null ? address.port : port
  return {
    url: `http://127.0.0.1:${bound}/recert-events`, received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
