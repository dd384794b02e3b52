/**
 * The client behind a case (issue 16, migration `0009_client_contact`), on every dialect: the
 * import's contact columns (CSV, JSON Lines) stored encrypted and read back exactly by
 * `caseContact`; malformed fields and contacts the reach mode needs refused with the line and
 * field, never quoting the value, nothing stored; onboarding from Truv filling the file's gaps and
 * a re-import updating the contact idempotently; the contact removed with its case; a database
 * migrated to 0011 before 0009 existed still gets 0009.
 */
import { type CaseContact, EMPTY_CONTACT } from "@recert/core"
import { Effect, Redacted } from "effect"
import { Migrator } from "kysely"
import { describe, expect } from "vitest"
import { migrations } from "../src/migrations.js"
import { ImportFailed, openDatabase, Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { HOUR, lineage, NOW, run, seed, tokensFor } from "./support/fixtures.js"

const HEADER = "id,dueAt,cycle,rootOrderId,firstName,lastName,email,phone,externalUserId\n"
const ZOE: CaseContact = { firstName: "Zoë", lastName: "Ñúñez-Øster", email: "zoe.nunez@example.org", phone: "+14155550123", externalUserId: "client-77" }

const withStore = <A, E>(f: (s: Store["Service"]) => Effect.Effect<A, E>) => Effect.gen(function*() {
  return yield* f(yield* Store)
})
const contactOf = (caseId: string) => withStore((s) => Effect.map(s.caseContact(caseId), (c) => c === null ? null : Redacted.value(c)))
const issuesOf = (e: unknown) => (e instanceof ImportFailed ? e.issues : e)

for (const dialect of DIALECTS) {
  describe(`client contacts on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    /** The stored rows of the cases whose id starts with `prefix` (the suite's tests share a database). */
    const rawRows = async (prefix: string) => {
      const { db } = openDatabase(suite.t.url, suite.t.schema !== undefined ? { schema: suite.t.schema } : {})
      try {
        return await db.selectFrom("case_contacts").selectAll().where("case_id", "like", `${prefix}%`).orderBy("case_id").execute()
      } finally {
        await db.destroy()
      }
    }

    test("CSV and JSON Lines contacts: stored encrypted, read back exactly (names NFC, phones in E.164)", async () => {
      // "Zoe\u0308" is Zoë decomposed (e + combining diaeresis): stored composed (NFC).
      const csv = HEADER +
        "ct-1,2026-12-01T00:00:00Z,annual,ca,Zoe\u0308, Ñúñez-Øster ,zoe.nunez@example.org,(415) 555-0123,client-77\n" +
        "ct-2,2026-12-01T00:00:00Z,annual,ca,李,小龙,,+44 20 7946 0958,\n"
      const jsonl = JSON.stringify({ id: "ct-3", dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: "ca", firstName: "Ólafur", lastName: "O'Brien", email: "o@example.co.uk", phone: "1-212-555-0199" }) + "\n"
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ca")
        yield* store.importCases(csv, "csv", { reach: "truv-sends" })
        yield* store.importCases(jsonl, "json", { reach: "truv-sends" })
        return { c1: yield* contactOf("ct-1"), c2: yield* contactOf("ct-2"), c3: yield* contactOf("ct-3"), none: yield* contactOf("case-ca") }
      }))
      expect(r).toEqual({
        c1: ZOE,
        c2: { firstName: "李", lastName: "小龙", email: null, phone: "+442079460958", externalUserId: null },
        c3: { firstName: "Ólafur", lastName: "O'Brien", email: "o@example.co.uk", phone: "+12125550199", externalUserId: null },
        none: null
      })
      const rows = await rawRows("ct-")
      expect(rows.map((x) => [x.case_id, Number(x.updated_at)])).toEqual([["ct-1", NOW], ["ct-2", NOW], ["ct-3", NOW]])
      for (const x of rows) {
        expect(x.ciphertext).toMatch(/^v1\./)
        for (const plain of ["Zoë", "Ñúñez", "zoe.nunez", "4155550123", "client-77", "李", "Ólafur", "2125550199"]) expect(x.ciphertext).not.toContain(plain)
      }
    })

    test("malformed fields are refused with the line and field, never quoting the value; nothing is stored", async () => {
      const csv = HEADER +
        "bad-1,2026-12-01T00:00:00Z,annual,cb,Ann,Lee,ann.example.org,555-0123,\n" +
        "bad-2,2026-12-01T00:00:00Z,annual,cb,\"Ann\u001b[31m\",Lee,ann@example,+0123456789,\n" +
        "bad-3,2026-12-01T00:00:00Z,annual,cb,Ann,Lee,ann@example.org,(115) 555-0123,\"id\nwith a break\"\n"
      const jsonl = [
        JSON.stringify({ id: "bad-4", dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: "cb", firstName: "Ann", lastName: "Lee", phone: 4155550123 }),
        JSON.stringify({ id: "bad-5", dueAt: "2026-12-01T00:00:00Z", cycle: "annual", rootOrderId: "cb", firstName: "A".repeat(101), lastName: "Lee", email: "a b@example.org" })
      ].join("\n")
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("cb")
        const csvFailed = yield* Effect.flip(store.importCases(csv, "csv", { reach: "truv-sends" }))
        const jsonFailed = yield* Effect.flip(store.importCases(jsonl, "json", { reach: "agency-sends" }))
        return { csv: issuesOf(csvFailed), json: issuesOf(jsonFailed), text: JSON.stringify([csvFailed, jsonFailed]), cases: (yield* store.listCases({ limit: 100 })).map((c) => c.id).filter((id) => id.startsWith("bad-")) }
      }))
      const email = "expected an email address (name@example.org)"
      const phone = "expected a phone number in E.164 (+14155550123) or a 10-digit US number ((415) 555-0123, optionally with a leading 1)"
      expect(r.csv).toEqual([
        { line: 2, field: "email", message: email },
        { line: 2, field: "phone", message: phone },
        { line: 3, field: "firstName", message: "expected the client's first name: 1 to 100 characters, any script, no control characters" },
        { line: 3, field: "email", message: email },
        { line: 3, field: "phone", message: phone },
        { line: 4, field: "phone", message: phone },
        { line: 4, field: "externalUserId", message: "expected an id: 1 to 255 characters, no control characters" }
      ])
      expect(r.json).toEqual([
        { line: 1, field: "phone", message: phone },
        { line: 2, field: "firstName", message: "expected the client's first name: 1 to 100 characters, any script, no control characters" },
        { line: 2, field: "email", message: email }
      ])
      for (const value of ["ann.example.org", "ann@example,", "0123456789", "(115)", "4155550123\"", "a b@"]) expect(r.text).not.toContain(value)
      expect(r.cases).toEqual([])
      expect(await rawRows("bad-")).toEqual([])
    })

    test("a contact the reach mode needs: truv-sends a name and an email or phone, agency-sends a name, bridge nothing", async () => {
      const csv = HEADER +
        "need-1,2026-12-01T00:00:00Z,annual,cc,,,,,\n" +
        "need-2,2026-12-01T00:00:00Z,annual,cc,Ann,Lee,,,client-9\n" +
        "need-3,2026-12-01T00:00:00Z,annual,cc,,Lee,,+14155550123,\n"
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("cc")
        const truv = issuesOf(yield* Effect.flip(store.importCases(csv, "csv", { reach: "truv-sends" })))
        const agency = issuesOf(yield* Effect.flip(store.importCases(csv, "csv", { reach: "agency-sends" })))
        const bridge = yield* store.importCases(csv, "csv", { reach: "bridge" })
        return { truv, agency, bridge, contacts: [yield* contactOf("need-1"), yield* contactOf("need-2"), yield* contactOf("need-3")] }
      }))
      const name = (field: string, mode: string) => ({ field, message: `required (reach mode ${mode}: a new Truv order carries the client's name)` })
      const address = { field: "email", message: "an email or a phone is required (reach mode truv-sends: Truv sends the link to it)" }
      expect(r.truv).toEqual([
        { line: 2, ...name("firstName", "truv-sends") }, { line: 2, ...name("lastName", "truv-sends") }, { line: 2, ...address },
        { line: 3, ...address },
        { line: 4, ...name("firstName", "truv-sends") }
      ])
      expect(r.agency).toEqual([
        { line: 2, ...name("firstName", "agency-sends") }, { line: 2, ...name("lastName", "agency-sends") },
        { line: 4, ...name("firstName", "agency-sends") }
      ])
      expect(r.bridge).toEqual({ imported: 3 })
      expect(r.contacts).toEqual([
        null,
        { ...EMPTY_CONTACT, firstName: "Ann", lastName: "Lee", externalUserId: "client-9" },
        { ...EMPTY_CONTACT, lastName: "Lee", phone: "+14155550123" }
      ])
    })

    test("onboarding from Truv: the order's contact fills the file's gaps; a re-import updates it, the same one writes nothing", async () => {
      const l = lineage("cd")
      const onboarding = (contact: CaseContact) => ({ lineages: [{ lineage: l, accessTokens: tokensFor(l) }], rootOf: { cd: "cd" }, contacts: { cd: contact } })
      const fromTruv: CaseContact = { firstName: "Zoe", lastName: "Nunez", email: "old@example.org", phone: null, externalUserId: "truv-user-1" }
      const file = HEADER + "on-1,2026-12-01T00:00:00Z,annual,cd,Zoë,,,,\n"
      const first = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        const counts = yield* store.importCasesFromTruv(file, "csv", onboarding(fromTruv), { reach: "truv-sends" })
        return { counts, contact: yield* contactOf("on-1") }
      }))
      expect(first).toEqual({
        counts: { lineagesAdded: 1, lineagesKept: 0, casesAdded: 1, casesKept: 0 },
        contact: { firstName: "Zoë", lastName: "Nunez", email: "old@example.org", phone: null, externalUserId: "truv-user-1" }
      })
      const before = await rawRows("on-")
      // The same import an hour later: nothing rewritten.
      await run(suite.t, withStore((s) => s.importCasesFromTruv(file, "csv", onboarding(fromTruv), { reach: "truv-sends" })), NOW + HOUR)
      expect(await rawRows("on-")).toEqual(before)
      // Truv's order now has another email: the kept case's contact is updated.
      const later = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        const counts = yield* store.importCasesFromTruv(file, "csv", onboarding({ ...fromTruv, email: "new@example.org" }), { reach: "truv-sends" })
        return { counts, contact: yield* contactOf("on-1") }
      }), NOW + 2 * HOUR)
      expect(later).toEqual({
        counts: { lineagesAdded: 0, lineagesKept: 1, casesAdded: 0, casesKept: 1 },
        contact: { firstName: "Zoë", lastName: "Nunez", email: "new@example.org", phone: null, externalUserId: "truv-user-1" }
      })
      expect((await rawRows("on-")).map((x) => [x.case_id, Number(x.updated_at)])).toEqual([["on-1", NOW + 2 * HOUR]])
      // Neither the file nor the order gives a last name or an address: refused, naming the line.
      const refused = await run(suite.t, Effect.flip(withStore((s) =>
        s.importCasesFromTruv(HEADER + "on-2,2026-12-01T00:00:00Z,annual,cd,Ann,,,,\n", "csv", onboarding(EMPTY_CONTACT), { reach: "truv-sends" }))))
      expect(issuesOf(refused)).toEqual([
        { line: 2, field: "lastName", message: "required (reach mode truv-sends: a new Truv order carries the client's name)" },
        { line: 2, field: "email", message: "an email or a phone is required (reach mode truv-sends: Truv sends the link to it)" }
      ])
    })

    test("the contact goes with its case; a ciphertext moved to another case does not decrypt", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ce")
        yield* store.importCases(HEADER + "rm-1,2026-12-01T00:00:00Z,annual,ce,Ann,Lee,ann@example.org,,\nrm-2,2026-12-01T00:00:00Z,annual,ce,Bo,Li,bo@example.org,,\n", "csv")
        return yield* store.removeCase("rm-1")
      }))
      expect(r.caseId).toBe("rm-1")
      expect((await rawRows("rm-")).map((x) => x.case_id)).toEqual(["rm-2"])
      const { db } = openDatabase(suite.t.url, suite.t.schema !== undefined ? { schema: suite.t.schema } : {})
      try {
        const moved = (await db.selectFrom("case_contacts").select("ciphertext").where("case_id", "=", "rm-2").executeTakeFirstOrThrow()).ciphertext
        await db.insertInto("case_contacts").values({ case_id: "case-ce", ciphertext: moved, updated_at: NOW }).execute()
      } finally {
        await db.destroy()
      }
      const failed = await run(suite.t, Effect.flip(contactOf("case-ce")))
      expect([failed._tag, failed.message]).toEqual(["StoreError", "case case-ce: the stored client contact does not decrypt under the configured key"])
    })

    test("a database migrated to 0011 before 0009 existed gets 0009 on the next migration", async () => {
      const fresh = await dialect.create()
      try {
        const { db, adapter } = openDatabase(fresh.url, fresh.schema !== undefined ? { schema: fresh.schema } : {})
        try {
          const { "0009_client_contact": _skipped, ...before } = migrations(adapter)
          const { error } = await new Migrator({
            db, provider: { getMigrations: async () => before },
            ...(adapter.migrationTableSchema === undefined ? {} : { migrationTableSchema: adapter.migrationTableSchema })
          }).migrateToLatest()
          expect(error).toBeUndefined()
        } finally {
          await db.destroy()
        }
        const report = await run(fresh, withStore((s) => s.migrate()), NOW, { migrate: false })
        expect(report.applied).toEqual(["0009_client_contact"])
        expect(report.version.pending).toEqual([])
      } finally {
        await fresh.cleanup()
      }
    })
  })
}
