/** The simulator: a seeded caseload over simulated months, through the real planner, per strategy. */
export * from "./params.js"
export * from "./engine.js"
export { exponential, generator, hash32, pick, uniform, weibull } from "./random.js"
export * from "./report.js"
export * from "./truv-limits.js"
export * from "./truv-requests.js"
