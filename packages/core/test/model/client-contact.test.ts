/**
 * The client's contact field rules (`model/client-contact.ts`): the accepted forms of each field
 * and what each reach mode needs, with named fixtures at the boundaries.
 */
import { describe, expect, it } from "vitest"
import { type CaseContact, EMPTY_CONTACT, missingAtImport, missingForNewOrder, normalizeEmail, normalizeName, normalizePhone } from "../../src/index.js"

describe("normalizePhone: E.164, or a 10-digit US number read as +1", () => {
  it.each([
    ["+14155550123", "+14155550123"],
    ["(415) 555-0123", "+14155550123"],
    ["415.555.0123", "+14155550123"],
    ["1-415-555-0123", "+14155550123"],
    [" 14155550123 ", "+14155550123"],
    ["+44 20 7946 0958", "+442079460958"],
    ["+12345678", "+12345678"],               // 8 digits: the shortest E.164 accepted
    ["+123456789012345", "+123456789012345"]  // 15 digits: the longest
  ])("%s -> %s", (text, e164) => expect(normalizePhone(text)).toBe(e164))

  it.each([
    "555-0123",          // 7 digits
    "(115) 555-0123",    // area code starting 1
    "(415) 155-0123",    // exchange starting 1
    "+0123456789",       // E.164 never starts with 0
    "+1234567",          // 7 digits after +
    "+1234567890123456", // 16 digits
    "24155550123",       // 11 digits not starting 1
    "415 555 0123 x12",  // an extension
    "tel:+14155550123",
    ""
  ])("%s is refused", (text) => expect(normalizePhone(text)).toBeNull())
})

describe("normalizeEmail and normalizeName", () => {
  it("emails: trimmed, otherwise as written; a domain needs a dot, no spaces or brackets", () => {
    expect([" Zoe.Nunez+renewal@Example.ORG ", "o@example.co.uk"].map(normalizeEmail)).toEqual(["Zoe.Nunez+renewal@Example.ORG", "o@example.co.uk"])
    expect(["ann.example.org", "ann@example", "a b@example.org", "<a@example.org>", "a@-example.org", "a@@example.org", `${"a".repeat(65)}@example.org`].map(normalizeEmail))
      .toEqual([null, null, null, null, null, null, null])
  })

  it("names: any script, NFC, trimmed; 1 to 100 characters; no control characters", () => {
    expect(normalizeName("Zoe\u0308")).toBe("Zo\u00eb")
    expect(["  李 ", "Nguyễn", "O'Brien-Ñúñez", "Ólafur", "A".repeat(100), "👩🏽‍🔬"].map(normalizeName)).toEqual(["李", "Nguyễn", "O'Brien-Ñúñez", "Ólafur", "A".repeat(100), "👩🏽‍🔬"])
    expect(["", "   ", "A".repeat(101), "Ann\u001b[31m", "Ann\nLee", "Ann\u0085"].map(normalizeName)).toEqual([null, null, null, null, null, null])
  })
})

describe("what each reach mode needs", () => {
  const named: CaseContact = { ...EMPTY_CONTACT, firstName: "Ann", lastName: "Lee" }
  const fields = (p: ReadonlyArray<{ readonly field: string }>) => p.map((x) => x.field)

  it("truv-sends: both names and an email or a phone", () => {
    expect(fields(missingForNewOrder("truv-sends", null))).toEqual(["firstName", "lastName", "email"])
    expect(fields(missingForNewOrder("truv-sends", named))).toEqual(["email"])
    expect(fields(missingForNewOrder("truv-sends", { ...named, phone: "+14155550123" }))).toEqual([])
    expect(fields(missingForNewOrder("truv-sends", { ...named, email: "ann@example.org" }))).toEqual([])
  })

  it("agency-sends and bridge: a new order needs the names only; a bridge import needs nothing", () => {
    expect(fields(missingForNewOrder("agency-sends", null))).toEqual(["firstName", "lastName"])
    expect(fields(missingForNewOrder("bridge", { ...EMPTY_CONTACT, firstName: "Ann" }))).toEqual(["lastName"])
    expect(fields(missingForNewOrder("agency-sends", named))).toEqual([])
    expect(missingAtImport("bridge", null)).toEqual([])
    expect(missingAtImport("truv-sends", named)).toEqual([
      { field: "email", message: "an email or a phone is required (reach mode truv-sends: Truv sends the link to it)" }
    ])
  })
})
