/**
 * `recert result <case> --pdf file.pdf`: the caseworker PDF of the case's latest verification
 * (`@recert/delivery` `renderResultPdf`), written whole or not at all (a temporary file beside the
 * target, renamed into place), with the lineage's order number read from the store.
 */
import { renderResultPdf } from "@recert/delivery"
import type { VerificationRecord } from "@recert/core"
import { Effect, type Option } from "effect"
import { rename, rm, writeFile } from "node:fs/promises"
import { withStore } from "../database.js"
import { CommandFailed } from "../errors.js"
import { resolvePath } from "../files.js"

export const writeResultPdf = (db: Option.Option<string>, v: VerificationRecord, path: string) => Effect.gen(function*() {
  const snapshot = yield* withStore(db, "read", (store) => store.loadSnapshot(v.caseId))
  const bytes = yield* Effect.promise(() => renderResultPdf(v, { orderNumber: snapshot.lineage.orderNumber }))
  const full = yield* resolvePath(path)
  const partial = `${full}.${process.pid}.partial`
  yield* Effect.tryPromise({
    try: async () => {
      try {
        await writeFile(partial, bytes)
        await rename(partial, full)
      } finally {
        await rm(partial, { force: true })
      }
    },
    catch: (e) => new CommandFailed({ code: "file-unwritable", message: `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
  })
})
