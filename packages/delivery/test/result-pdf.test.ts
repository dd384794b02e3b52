/**
 * The caseworker PDF rendered by poppler (Debian's poppler-utils: `pdftoppm` to a PNG image, and
 * `pdftotext`), checked to contain the case's figures exactly as core formats them.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { formatCents } from "@recert/core"
import { incomeSnapshot, verificationRecord } from "@recert/core/testing"
import { describe, expect, it } from "vitest"
import { renderResultPdf } from "../src/index.js"

describe("renderResultPdf", () => {
  it("renders to an image and its text holds the case's class, reasons, figures, source and instants", async () => {
    const v = verificationRecord({ caseId: "case-pdf-1", orderId: "ord-77", fetchedAt: "2026-11-20T10:00:00.000Z", previous: incomeSnapshot({ orderId: "prev", fetchedAt: "2026-11-20T10:00:00.000Z" }) })
    const dir = mkdtempSync(join(tmpdir(), "pdf-"))
    const file = join(dir, "result.pdf")
    writeFileSync(file, await renderResultPdf(v, { orderNumber: "N-77" }))
    execFileSync("pdftoppm", ["-png", "-r", "50", "-f", "1", "-l", "1", file, join(dir, "page")])
    expect(statSync(join(dir, "page-1.png")).size).toBeGreaterThan(1000)
    expect(readFileSync(join(dir, "page-1.png")).subarray(1, 4).toString()).toBe("PNG")
    const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString()
    const s = v.result.summary!
    const statement = v.snapshot.employers[0]!.statements![0]!
    for (const expected of [
      "Renewal result: case case-pdf-1", "Order number N-77", `Classification: ${v.result.class}`, "order ord-77 via refresh",
      `verified ${v.verifiedAt}`, `classified ${v.result.at}`, `gross ${formatCents(s.total.grossCents)}`,
      `monthly income ${formatCents(s.total.monthlyIncome.cents!)}`, `gross ${formatCents(statement.grossCents!)}`, statement.payDate!
    ]) expect(text, expected).toContain(expected)
  })

  it("lists every change reason of a review", async () => {
    const v = verificationRecord({ caseId: "case-pdf-2", orderId: "ord-78", fetchedAt: "2026-11-20T10:00:00.000Z" })
    const dir = mkdtempSync(join(tmpdir(), "pdf-"))
    writeFileSync(join(dir, "r.pdf"), await renderResultPdf(v, { orderNumber: null }))
    const text = execFileSync("pdftotext", [join(dir, "r.pdf"), "-"]).toString()
    expect(v.result.class).toBe("review")
    for (const reason of v.result.reasons) expect(text).toContain(reason.code)
  })
})
