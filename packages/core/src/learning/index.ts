/** Validity learned from the ledger: the estimate's schema, the Kaplan–Meier estimator, the episodes it reads. */
export * from "./validity-estimate.js"
export * from "./kaplan-meier.js"
export * from "./episodes.js"
