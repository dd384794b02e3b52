/** Verification requests' lifecycle (issue 16): states and transitions, reminders, expiry, the policy section. */
export * from "./request-state.js"
export * from "./request-policy.js"
export * from "./reminder-schedule.js"
export * from "./expiry-outcome.js"
export * from "./request-record.js"
export * from "./apply-transition.js"
