// The proof suite runs two files at once (vitest's default on two cores is one): the chaos file
// spends most of its time waiting for recovery windows (60 s after a death) and the others start
// processes, so they overlap instead of queueing. `RECERT_PROOF_WORKERS` sets another number.
import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(shared, { test: { maxWorkers: Number(process.env["RECERT_PROOF_WORKERS"] ?? 2) } })
