/**
 * Renewal results: the provider-neutral income snapshot, the useful-report check, the
 * caseworker summary over a program window, and the change classification against a baseline.
 * All pure; every instant is passed in.
 */
export * from "./calendar-date.js"
export * from "./pay-frequency.js"
export * from "./employment-status.js"
export * from "./income-snapshot.js"
export * from "./employer-key.js"
export * from "./program-window.js"
export * from "./results-policy.js"
export * from "./usable-report.js"
export * from "./income-summary.js"
export { annualiseRate, annualiseStatements } from "./annualise.js"
export { monthlyTotals, windowMonths } from "./monthly-totals.js"
export { summarise } from "./summarise.js"
export * from "./baseline.js"
export * from "./money.js"
export * from "./change-result.js"
export { exceedsTolerance } from "./change-checks.js"
export * from "./classify-change.js"
export * from "./json-schema.js"
