/**
 * @recert/proof: the evidence suites. Nothing here is imported by the product; the apps are
 * exercised as processes, the way an operator runs them.
 */
export {}
