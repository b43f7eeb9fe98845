import CareKit
import CareStore
@testable import CareServer
import CareTesting
import Foundation
import GRDB
import Logging
import Synchronization
import Testing

@Suite("Transactional outbox: what follows a save survives a crash")
struct OutboxTests {
    func count(_ home: TestHome, _ sql: String) throws -> Int {
        try home.appliance.home.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test("after a save, its events are delivered, its audit entry is chained, and nothing is left in the outbox; a rolled-back save leaves nothing")
    func normalSave() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        #expect(try home.post("/notes", as: .nurse, form: ["text": "first"]).status == 303)
        #expect(home.publishedEvents == [.medicinesChanged(residentID: 7)])
        #expect(try count(home, "SELECT COUNT(*) FROM core_outbox") == 0)
        #expect(try count(home, "SELECT COUNT(*) FROM core_audit WHERE source = 'notes' AND action = 'create' AND resident_id = 7") == 1)
        #expect(try home.post("/notes", as: .nurse, form: ["text": "fail after write"]).status == 409)
        #expect(try count(home, "SELECT COUNT(*) FROM core_outbox") == 0)
    }

    @Test("the promise of an audit entry commits in the same transaction as the save")
    func promiseCommitsWithTheSave() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let principal = try home.principal(.nurse)
        let request = Request(method: .post, path: "/notes", principal: principal, requestID: "t-1", remoteAddress: "10.0.0.1")
        let scope = ChangeScope(request: request, source: "notes")
        let inside = try ChangeScope.$current.withValue(scope) {
            try home.context(of: "notes")!.database.write { db -> Int in
                try db.execute("INSERT INTO notes_notes (text, resident_id) VALUES ('x', 7)", [])
                db.publishAfterCommit(.medicinesChanged(residentID: 7))
                return 1
            }
        }
        #expect(inside == 1)
        home.appliance.audit.flush()
        // No audit entry was recorded for it (as if the process died here): the promise is still there.
        let promise = try home.appliance.home.pool.read { db in try String.fetchOne(db, sql: "SELECT payload FROM core_outbox WHERE kind = 'audit'") }
        #expect(promise?.contains("\"path\":\"\\/notes\"") == true)
        #expect(try count(home, "SELECT COUNT(*) FROM core_outbox WHERE kind = 'event'") == 0, "the event was delivered and its row removed")
    }

    @Test("at the next start, events never delivered are delivered once and a promised audit entry is written")
    func recoveryAfterACrash() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let nurse = try home.principal(.nurse)
        // What a kill -9 between the commit and the delivery leaves: the row, its event, its promise.
        let event = String(decoding: try JSONEncoder().encode(CareEvent.fallRecorded(residentID: 7, fallID: 41, at: Date(), headStrike: false, injured: false)), as: UTF8.self)
        let promise = String(decoding: try JSONEncoder().encode(Outbox.Promise(userID: nurse.userID, username: nurse.username, address: "10.0.0.1", source: "notes",
                                                                               method: "POST", path: "/notes", at: Timestamp.format(Date()), residentID: 7)), as: UTF8.self)
        try home.appliance.home.pool.write { db in
            try db.execute(sql: "INSERT INTO notes_notes (text, resident_id) VALUES ('cut off', 7)")
            try db.execute(sql: "INSERT INTO core_outbox (kind, payload, created_at) VALUES ('event', ?, '2026-01-01T00:00:00Z'), ('audit', ?, '2026-01-01T00:00:00Z')",
                           arguments: [event, promise])
            try db.execute(sql: "INSERT INTO core_form_submissions (token, user_id, created_at) VALUES ('cut-off-token', ?, ?)", arguments: [nurse.userID, Timestamp.format(Date())])
        }
        let heard = Mutex<[CareEvent]>([])
        let listener = FakePlugin("listener") { registrar in registrar.onEvent { event in heard.withLock { $0.append(event) } } }
        var logger = Logger(label: "carehome.test")
        logger.logLevel = .critical
        let restarted = try Appliance(configuration: ApplianceConfiguration(dataDirectory: home.directory),
                                      candidates: [PluginCandidate(plugin: NotesPlugin()), PluginCandidate(plugin: listener)], logger: logger)
        defer { restarted.shutdown() }
        #expect(heard.withLock { $0 }.isEmpty, "nothing is redelivered until the server that holds the home asks")
        try restarted.recoverAfterStop()
        #expect(heard.withLock { $0 }.map(\.name) == ["fall-recorded"])
        let left = try restarted.home.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_outbox") }
        #expect(left == 0)
        let recovered = try restarted.home.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT user_id, resident_id, detail FROM core_audit WHERE action = 'change-recovered'")
        }
        #expect(recovered?["user_id"] == nurse.userID)
        #expect(recovered?["resident_id"] == Int64(7))
        #expect((recovered?["detail"] as String?)?.contains("POST /notes") == true)
        #expect(try restarted.audit.verify().firstBrokenID == nil)
        let inProgress = try restarted.home.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_form_submissions WHERE location IS NULL") }
        #expect(inProgress == 0, "a one-time token cut off by the crash is no longer 'in progress'")
    }

    @Test("a one-time form token left 'in progress' for more than two minutes does not block sending the form again")
    func staleInProgressToken() throws {
        let home = try TestHome(plugins: [NotesPlugin()])
        let nurse = try home.principal(.nurse)
        let token = String(repeating: "ef", count: 16)
        try home.appliance.home.pool.write { db in
            try db.execute(sql: "INSERT INTO core_form_submissions (token, user_id, created_at) VALUES (?, ?, ?)",
                           arguments: [token, nurse.userID, Timestamp.format(Date().addingTimeInterval(-300))])
        }
        let resent = try home.post("/notes", as: .nurse, form: ["text": "sent again", "_once": token])
        #expect(resent.status == 303)
        #expect(try home.get("/notes/count", as: .nurse).body == "1")
    }
}

@Suite("Restore and backup files")
struct RestoreSessionTests {
    @Test("a restore ends every session in the restored file, and a plain backup is readable by its owner only")
    func restoreEndsSessions() throws {
        let home = try TestHome(plugins: [])
        let account = try home.appliance.accounts.create(username: "nina", displayName: "Nina", role: .nurse, password: "first long passphrase", expiresOn: nil, createdBy: nil)
        let (token, _) = try home.appliance.sessions.start(account: account, address: "10.0.0.5")
        let backups = home.directory.appendingPathComponent("backups")
        try FileManager.default.createDirectory(at: backups, withIntermediateDirectories: true)
        let file = backups.appendingPathComponent("plain.sqlite")
        _ = try home.appliance.home.backup(to: file)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "plain backup mode \(String(mode ?? 0, radix: 8))")
        let target = home.directory.appendingPathComponent("restored")
        _ = try HomeDatabase.restore(dataDirectory: target, from: file, cipher: nil)
        let restored = try HomeDatabase.open(dataDirectory: target)
        #expect(try Sessions(home: restored).find(token: token) == nil, "the session from before the restore no longer works")
        #expect(try home.appliance.sessions.find(token: token) != nil, "(it still works on the home it was taken from)")
    }
}
