/** Retention: how long personal data is kept (`retention-policy.ts`) and when it may go (`retention-clock.ts`). */
export * from "./retention-policy.js"
export * from "./retention-clock.js"
