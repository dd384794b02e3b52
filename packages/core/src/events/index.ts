/** The outbox's events: schemas, the drafts each change produces, and when a request expires. */
export * from "./outbox-event.js"
export * from "./draft-events.js"
export * from "./request-expiry.js"
