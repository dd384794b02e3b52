/**
 * The caseworker PDF of one renewal result (a stored verification): the class and every change
 * reason, the summary per employer and in total, the pay statements, the source (provider, order,
 * how it came) and the instants (verified, classified, the results policy's version). For
 * lenders whose loan file needs a document and agencies that file one: `recert result <case>
 * --pdf file.pdf`, or attached to a destination's `case.renewed` / `case.review-needed` events.
 * Made with pdf-lib's standard Helvetica (no font files); text outside its Latin-1 set is shown
 * as `?` rather than failing the document. Figures are core's own formatting (`formatCents`), so
 * the PDF shows exactly what `recert result` prints.
 */
import { formatCents, type VerificationRecord } from "@recert/core"
import { PDFDocument, type PDFFont, type PDFPage, StandardFonts } from "pdf-lib"

const PAGE = { width: 612, height: 792, margin: 50 } as const
const LINE = 13

/** Latin-1 printable only (the standard fonts' encoding). */
const latin1 = (text: string): string => text.replace(/[^\x20-\x7e\xa0-\xff]/g, "?")
const money = (cents: number | null): string => cents === null ? "-" : formatCents(cents)
const orDash = (v: string | number | null): string => v === null ? "-" : String(v)

class Writer {
  private page: PDFPage
  private y: number
  constructor(private readonly doc: PDFDocument, private readonly font: PDFFont, private readonly bold: PDFFont) {
    this.page = doc.addPage([PAGE.width, PAGE.height])
    this.y = PAGE.height - PAGE.margin
  }

  /** One line, wrapped to the page's width; a new page when the bottom is reached. */
  line(text: string, o: { readonly bold?: boolean; readonly size?: number; readonly indent?: number } = {}): void {
    const font = o.bold === true ? this.bold : this.font
    const size = o.size ?? 10
    const x = PAGE.margin + (o.indent ?? 0)
    const width = PAGE.width - PAGE.margin - x
    let rest = latin1(text)
    do {
      let cut = rest.length
      while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut = rest.lastIndexOf(" ", cut - 1) > 0 ? rest.lastIndexOf(" ", cut - 1) : cut - 1
      if (this.y < PAGE.margin) {
        this.page = this.doc.addPage([PAGE.width, PAGE.height])
        this.y = PAGE.height - PAGE.margin
      }
      this.page.drawText(rest.slice(0, cut), { x, y: this.y, size, font })
      this.y -= size + (LINE - 10)
      rest = rest.slice(cut).trimStart()
    } while (rest.length > 0)
  }

  gap(): void {
    this.y -= LINE / 2
  }
}

/**
 * @example
 * writeFileSync("case-17.pdf", await renderResultPdf(verification, { orderNumber: "N-17" }))
 */
export const renderResultPdf = async (v: VerificationRecord, context: { readonly orderNumber: string | null }): Promise<Uint8Array> => {
  const doc = await PDFDocument.create()
  doc.setTitle(`Renewal result ${v.caseId}`)
  doc.setProducer("Recert")
  // Dates from the result, not the clock: the same result renders to the same bytes (a redelivery is identical).
  doc.setCreationDate(new Date(v.result.at))
  doc.setModificationDate(new Date(v.result.at))
  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold))
  const r = v.result
  w.line(`Renewal result: case ${v.caseId}`, { bold: true, size: 16 })
  w.line(`Order number ${orDash(context.orderNumber)}`)
  w.gap()
  w.line(`Classification: ${r.class === "renew" ? "renew (nothing material changed)" : `review (${r.reasons.length} reason${r.reasons.length === 1 ? "" : "s"})`}`, { bold: true, size: 12 })
  for (const reason of r.reasons) w.line(`- ${reason.code}: ${reason.message}`, { indent: 10 })
  for (const note of r.notes) w.line(`- note ${note.code}: ${note.message}`, { indent: 10 })
  w.gap()
  w.line("Source", { bold: true, size: 12 })
  w.line(`${v.snapshot.source.provider} order ${v.orderId} via ${v.via} (${v.snapshot.source.report}), fetched ${v.snapshot.source.fetchedAt}`, { indent: 10 })
  w.line(`verified ${v.verifiedAt}, classified ${r.at}, results policy ${r.policyVersion.slice(0, 12)}`, { indent: 10 })
  w.gap()
  const s = r.summary
  if (s === null) w.line("Summary: none (the report was not usable)", { bold: true, size: 12 })
  else {
    w.line(`Summary, ${s.window.label} (${s.window.from} to ${s.window.to})`, { bold: true, size: 12 })
    for (const e of s.employers) {
      w.line(`${e.name ?? e.key}: ${e.status.state}, ${e.payFrequency}`, { bold: true, indent: 10 })
      w.line(`statements ${e.statementsInWindow}, gross ${money(e.grossCents)}, net ${money(e.netCents)}, last pay ${orDash(e.lastPayDate)}, monthly income ${money(e.monthlyIncome.cents)}`, { indent: 20 })
      w.line(`annualised from statements ${money(e.annualisedFromStatements.cents)} (${e.annualisedFromStatements.method}); from the rate ${money(e.annualisedFromRate.cents)} (${e.annualisedFromRate.method})`, { indent: 20 })
    }
    w.line(`Total: statements ${s.total.statementsInWindow}, gross ${money(s.total.grossCents)}, net ${money(s.total.netCents)}, monthly income ${money(s.total.monthlyIncome.cents)}, hours a week ${orDash(s.total.weeklyHours)}`, { bold: true, indent: 10 })
  }
  w.gap()
  w.line("Pay statements", { bold: true, size: 12 })
  for (const e of v.snapshot.employers) {
    w.line(`${e.name ?? "(no name)"}${e.jobTitle === null ? "" : `, ${e.jobTitle}`}`, { bold: true, indent: 10 })
    if (e.statements === null || e.statements.length === 0) w.line("no statements", { indent: 20 })
    for (const st of e.statements ?? []) {
      w.line(`${orDash(st.payDate)}  period ${orDash(st.periodStart)} to ${orDash(st.periodEnd)}  gross ${money(st.grossCents)}  net ${money(st.netCents)}  hours ${orDash(st.hours)}`, { indent: 20 })
    }
  }
  return doc.save({ useObjectStreams: false })
}
