/**
 * @recert/delivery: what the scheduler's deliverer and the admin CLI share to send outbox events
 * to the agency's system: destinations (configuration and secrets), the Standard Webhooks
 * signature, one signed POST as a value, the retry schedule, and the reference receiver.
 */
export * from "./destination.js"
export * from "./post-event.js"
export * from "./retry-schedule.js"
export * from "./sign.js"
export { handle, type Received, type ReferenceReceiver, startReferenceReceiver } from "./receiver.js"
export { renderResultPdf } from "./result-pdf.js"
