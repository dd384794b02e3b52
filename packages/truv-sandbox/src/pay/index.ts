/**
 * The public surface of the sandbox's pay histories: the pure generator and its model, the spec
 * and knob inputs, the defaults and the helpers end-to-end tests need to assert exact figures.
 */
export { payHistoryAt, termsOn } from "./pay-history.js"
export type { AnnualSummary, EmploymentHistory, PayHistory, PayStatement, W2 } from "./pay-model.js"
export type { DeductionLine, EarningLine } from "./pay-lines.js"
export type { StatementYtd, YtdLine } from "./statement-ytd.js"
export { IncomeUnit, PayChangeInput, PayFrequency, PayHistoryInput } from "./pay-spec.js"
export type { Employer, EmploymentSpec, PayHistorySpec, PayTerms, TermsChange } from "./pay-spec.js"
export { applyPayChange, DEFAULT_JOB_TITLE, DEFAULT_TERMS } from "./pay-knobs.js"
export { DEFAULT_DATE_OF_BIRTH, DEFAULT_SSN, DEFAULT_START_BEFORE_ORDER_DAYS, type PayContext, resolvePaySpec } from "./resolve-pay-spec.js"
export { connectionSeed, type ConnectionPayHistory } from "./pay-records.js"
export { employmentsJson, statementJson } from "./employment-json.js"
export { decimal, parseDecimal } from "./money.js"
