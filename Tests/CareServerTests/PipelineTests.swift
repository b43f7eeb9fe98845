import CareKit
import CareServer
import CareTesting
import Foundation
import GRDB
import Testing

@Suite("Request pipeline")
struct PipelineTests {
    @Test("events reach other plugins after the commit, and never when the write rolls back")
    func eventsAfterCommit() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let saved = try home.post("/notes", as: .nurse, form: ["text": "first"])
        #expect(saved.status == 303)
        #expect(home.publishedEvents == [.medicinesChanged(residentID: 7)])
        let failed = try home.post("/notes", as: .nurse, form: ["text": "fail after write"])
        #expect(failed.status == 409)
        #expect(home.publishedEvents.count == 1, "a rolled-back write must not publish")
        #expect(try home.get("/notes/count", as: .nurse).body == "1")
    }

    @Test("a double-submitted form saves once and the repeat goes where the first went")
    func doubleSubmit() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let token = String(repeating: "ab", count: 16)
        let first = try home.post("/notes", as: .nurse, form: ["text": "once", "_once": token])
        let second = try home.post("/notes", as: .nurse, form: ["text": "once", "_once": token])
        #expect(first.status == 303)
        #expect(second.status == 303)
        #expect(second.location == first.location)
        #expect(second.flash == "That form had already been saved; it was not saved twice.")
        #expect(try home.get("/notes/count", as: .nurse).body == "1")
    }

    @Test("a form returned with errors can be corrected and sent again with the same token")
    func correctedFormIsNotADuplicate() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let token = String(repeating: "cd", count: 16)
        let bad = try home.post("/notes", as: .nurse, form: ["text": "", "_once": token])
        #expect(bad.status == 422)
        #expect(bad.body.contains("Enter a note."))
        #expect(bad.body.contains("value=\"\(token)\""), "the re-rendered form keeps its one-time token")
        let good = try home.post("/notes", as: .nurse, form: ["text": "fixed", "_once": token])
        #expect(good.status == 303)
        #expect(try home.get("/notes/count", as: .nurse).body == "1")
    }

    @Test("user text is escaped on the page")
    func escaping() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let saved = try home.post("/notes", as: .nurse, form: ["text": "<script>alert(1)</script>"])
        let page = try home.get(try #require(saved.location), as: .nurse)
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.body.contains("<script>alert"))
    }

    @Test("a POST without the session's CSRF token is refused and changes nothing")
    func csrf() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let reply = try home.post("/notes", as: .nurse, form: ["text": "forged"], withCSRF: false)
        #expect(reply.status == 403)
        #expect(try home.get("/notes/count", as: .nurse).body == "0")
    }

    @Test("without a session every page redirects to sign-in, and a POST is not run")
    func signInRequired() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        for path in ["/", "/notes/count", "/admin", "/audit", "/account"] {
            let reply = home.anonymous("GET", path)
            #expect(reply.status == 303, "\(path)")
            #expect(reply.location?.hasPrefix("/login") == true, "\(path)")
        }
        #expect(home.anonymous("POST", "/notes").location == "/login")
        #expect(try home.get("/notes/count", as: .nurse).body == "0")
    }

    @Test("navigation and dashboard cards are shown only to the roles they name; the admin sees no resident pages")
    func roleFiltering() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let nurse = try home.get("/", as: .nurse)
        #expect(nurse.body.contains("notes for nurses"))
        #expect(nurse.body.contains(">Notes</a>"))
        let carer = try home.get("/", as: .carer)
        #expect(!carer.body.contains("notes for nurses"))
        #expect(!carer.body.contains(">Notes</a>"))
        #expect(try home.get("/notes/count", as: .admin).status == 403)
        #expect(try home.get("/audit", as: .nurse).status == 403)
        #expect(try home.get("/audit", as: .manager).status == 200)
        #expect(try home.get("/admin", as: .carer).status == 403)
        #expect(try home.get("/admin", as: .admin).status == 200)
    }

    @Test("a record that does not exist is a 404 page, a bad id too")
    func notFound() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        #expect(try home.get("/notes/99", as: .nurse).status == 404)
        #expect(try home.get("/notes/abc", as: .nurse).status == 404)
    }
}

@Suite("Audit trail")
struct AuditTests {
    @Test("views and changes are recorded with who, what and which resident, and the chain verifies")
    func recorded() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let saved = try home.post("/notes", as: .nurse, form: ["text": "n"])
        _ = try home.get(try #require(saved.location), as: .nurse)
        home.appliance.audit.flush()
        let entries = try home.appliance.audit.entries(AuditLog.Filter(residentID: 7), limit: 10)
        #expect(entries.map(\.action) == ["view", "create"])
        #expect(entries.allSatisfy { $0.username == "test-nurse" && $0.source == "notes" })
        let verification = try home.appliance.audit.verify()
        #expect(verification.problem == nil)
        #expect(verification.entries == 2)
    }

    @Test("the application cannot change or delete an entry")
    func appendOnly() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        _ = try home.post("/notes", as: .nurse, form: ["text": "n"])
        home.appliance.audit.flush()
        #expect(throws: (any Error).self) { try home.appliance.home.pool.write { db in try db.execute(sql: "UPDATE core_audit SET detail = 'x'") } }
        #expect(throws: (any Error).self) { try home.appliance.home.pool.write { db in try db.execute(sql: "DELETE FROM core_audit") } }
    }

    @Test("an edited row and a removed row are found by verify, which names the first broken entry")
    func tamperDetected() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        for text in ["a", "b", "c"] { _ = try home.post("/notes", as: .nurse, form: ["text": text]) }
        home.appliance.audit.flush()
        let pool = home.appliance.home.pool
        try pool.write { db in
            try db.execute(sql: "DROP TRIGGER core_audit_no_update")
            try db.execute(sql: "UPDATE core_audit SET detail = 'note 99' WHERE id = 2")
        }
        let edited = try home.appliance.audit.verify()
        #expect(edited.firstBrokenID == 2)
        #expect(edited.problem == "entry 2 was changed after it was written")
        try pool.write { db in
            try db.execute(sql: "UPDATE core_audit SET detail = 'note 2' WHERE id = 2")
            try db.execute(sql: "DROP TRIGGER core_audit_no_delete")
            try db.execute(sql: "DELETE FROM core_audit WHERE id = 1")
        }
        let removed = try home.appliance.audit.verify()
        #expect(removed.firstBrokenID == 2)
        #expect(removed.problem?.contains("does not follow the entry before it") == true)
    }

    @Test("the manager's audit page filters by resident and exports CSV")
    func auditPage() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        _ = try home.post("/notes", as: .nurse, form: ["text": "n"])
        let page = try home.get("/audit?resident=7", as: .manager)
        #expect(page.body.contains("The audit trail has not been checked yet"))
        #expect(page.body.contains("test-nurse"))
        let csv = try home.get("/audit.csv?resident=7", as: .manager)
        #expect(csv.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(csv.body.hasPrefix("id,at,username,action,source,resident_id,detail,address\r\n"))
        #expect(csv.body.contains(",test-nurse,create,notes,7,"))
    }

    @Test("the audit page shows the last check of the chain (run by carehome check), not a check on every view")
    func auditPageShowsLastVerification() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        _ = try home.post("/notes", as: .nurse, form: ["text": "n"])
        let pool = home.appliance.home.pool
        try AuditLog.record(try home.appliance.audit.verify(full: true), pool: pool)
        #expect(try home.get("/audit", as: .manager).body.contains("The audit trail was intact when last checked"))
        try pool.write { db in
            try db.execute(sql: "DROP TRIGGER core_audit_no_update")
            try db.execute(sql: "UPDATE core_audit SET detail = 'changed' WHERE id = 1")
        }
        // Viewing the page does not notice (it no longer reads the whole chain)…
        #expect(try home.get("/audit", as: .manager).body.contains("The audit trail was intact when last checked"))
        // …the next check does, and the page says so.
        try AuditLog.record(try home.appliance.audit.verify(full: true), pool: pool)
        let page = try home.get("/audit", as: .manager).body
        #expect(page.contains("The audit trail has been altered"))
        #expect(page.contains("entry 1 was changed after it was written"))
    }

    @Test("the audit page shows 200 entries a page, and 'Older entries' leads to the next 200 with none repeated or missed")
    func auditPaging() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for n in 0..<450 {
            home.appliance.audit.record(AuditEntry(at: start.addingTimeInterval(Double(n / 3)), userID: nil, username: "someone", address: "10.0.0.1",
                                                   source: "core", action: "view", residentID: 9, detail: "entry \(n)"), durable: false)
        }
        home.appliance.audit.flush()
        func details(_ body: String) -> [String] {
            body.components(separatedBy: "<td>entry ").dropFirst().compactMap { $0.split(separator: "<").first.map { "entry " + $0 } }
        }
        func older(_ body: String) -> String? {
            guard let end = body.range(of: "\">Older entries"),
                  let start = body.range(of: "href=\"", options: .backwards, range: body.startIndex..<end.lowerBound) else { return nil }
            return body[start.upperBound..<end.lowerBound].replacingOccurrences(of: "&amp;", with: "&")
        }
        var seen: [String] = []
        var path: String? = "/audit?resident=9"
        var pages = 0
        while let next = path {
            let body = try home.get(next, as: .manager).body
            seen += details(body)
            path = older(body)
            pages += 1
        }
        #expect(pages == 3)
        #expect(seen.count == 450)
        #expect(Set(seen).count == 450)
        #expect(seen.first == "entry 449")
    }
}
