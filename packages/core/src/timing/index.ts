/** Timing (issue 18): freshness windows, the lender pre-closing window, business days, the chosen instant. */
export * from "./timing-policy.js"
export * from "./business-days.js"
export * from "./renewal-window.js"
