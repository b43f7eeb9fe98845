import CareKit
@testable import CareServer
import CareStore
import CareTesting
import Foundation
import GRDB
import Logging
import Testing

@Suite("The audit chain proves itself: keyed, anchored outside the database, checked incrementally")
struct AuditChainTests {
    /// A home with 30 entries chained with its key (kept in the data directory for the test).
    func home(entries: Int = 30) throws -> TestHome {
        let home = try TestHome(plugins: [])
        for index in 0..<entries {
            home.appliance.audit.record(AuditEntry(userID: 1, username: "nina", address: "10.0.0.1", source: "core", action: "view", detail: "entry \(index)"), durable: false)
        }
        home.appliance.audit.flush()
        return home
    }

    func verify(_ home: TestHome, full: Bool = true) throws -> AuditLog.Verification {
        try AuditLog.verify(pool: home.appliance.home.pool, anchor: home.appliance.audit.anchor, full: full)
    }

    /// What someone with the database file (and not the key) can do: drop the append-only triggers first.
    func tamper(_ home: TestHome, _ sql: String) throws {
        try home.appliance.home.pool.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS core_audit_no_update; DROP TRIGGER IF EXISTS core_audit_no_delete; \(sql)")
        }
    }

    @Test("an intact chain passes; entries are keyed (HMAC) and the head is recorded outside the database")
    func intact() throws {
        let home = try home()
        let result = try verify(home)
        #expect(result.problem == nil)
        let head = try #require(home.appliance.audit.anchor?.head())
        let last = try home.appliance.home.pool.read { db in try Row.fetchOne(db, sql: "SELECT id, hash FROM core_audit ORDER BY id DESC LIMIT 1") }
        #expect(head.id == last?["id"])
        #expect((last?["hash"] as String?)?.hasPrefix("k1:") == true)
        let anchor = try #require(home.appliance.audit.anchor)
        #expect(FileManager.default.fileExists(atPath: anchor.keyFile.path + ".head"), "the head is kept beside the key, outside the database")
    }

    @Test("deleting the last entries is reported")
    func truncatedEnd() throws {
        let home = try home()
        try tamper(home, "DELETE FROM core_audit WHERE id > (SELECT MAX(id) - 3 FROM core_audit)")
        #expect(try verify(home).problem?.contains("have been removed") == true)
    }

    @Test("deleting every entry is reported")
    func truncatedAll() throws {
        let home = try home()
        try tamper(home, "DELETE FROM core_audit")
        #expect(try verify(home).problem?.contains("every entry up to") == true)
    }

    @Test("editing an entry and recomputing every later hash, without the key, is reported (plain SHA-256 or a guessed key)")
    func rewrittenChain() throws {
        for guessedKey in [nil, "not-the-real-key-not-the-real-key-1234"] {
            let home = try home()
            try tamper(home, "UPDATE core_audit SET detail = 'nothing to see' WHERE id = 5")
            let fake = try guessedKey.map { key -> AuditAnchor in
                let file = home.directory.appendingPathComponent("guessed.key")
                try key.write(to: file, atomically: true, encoding: .utf8)
                return try AuditAnchor.load(keyFile: file)
            }
            try home.appliance.home.pool.writeWithoutTransaction { db in
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM core_audit ORDER BY id")
                var previous = AuditLog.genesis
                for row in rows {
                    let text = AuditLog.text(previous: previous, at: row["at"], userID: row["user_id"], username: row["username"], address: row["address"],
                                             source: row["source"], action: row["action"], residentID: row["resident_id"], detail: row["detail"])
                    let hash = fake?.keyedHash(text) ?? sha256Hex(text)
                    try db.execute(sql: "UPDATE core_audit SET previous_hash = ?, hash = ? WHERE id = ?", arguments: [previous, hash, row["id"] as Int64])
                    previous = hash
                }
            }
            let result = try verify(home)
            #expect(result.problem != nil, "a chain rewritten with \(guessedKey == nil ? "plain SHA-256" : "a guessed key") must fail")
            #expect(result.firstBrokenID != nil)
        }
    }

    @Test("a later check starts from the last checkpoint; a full pass on demand still finds an old edit")
    func incremental() throws {
        let home = try home()
        let first = try home.appliance.audit.verifyAndCheckpoint(full: false)
        #expect(first.problem == nil && first.entries >= 30 && first.startedAfter == 0)
        for index in 0..<5 {
            home.appliance.audit.record(AuditEntry(userID: 1, username: "nina", address: "10.0.0.1", source: "core", action: "view", detail: "later \(index)"), durable: false)
        }
        let second = try home.appliance.audit.verifyAndCheckpoint(full: false)
        #expect(second.problem == nil)
        #expect(second.entries == 5, "only what follows the checkpoint is checked")
        #expect(second.startedAfter == first.last?.id)
        // An edit before the checkpoint without touching its hash: only the full pass reads that far back.
        try tamper(home, "UPDATE core_audit SET detail = 'edited' WHERE id = 3")
        #expect(try verify(home, full: false).problem == nil)
        #expect(try verify(home, full: true).firstBrokenID == 3)
    }

    @Test("a home whose entries are keyed will not start with its key missing (a new key would hide nothing and fail everything)")
    func missingKeyRefused() throws {
        let home = try home(entries: 3)
        let elsewhere = home.directory.appendingPathComponent("moved/audit.key")
        #expect(throws: AuditAnchorError.self) { try AuditAnchor.forHome(keyFile: elsewhere, pool: home.appliance.home.pool) }
        #expect(!FileManager.default.fileExists(atPath: elsewhere.path), "no new key was made")
        let fresh = try TestHome(plugins: [])
        let newKey = fresh.directory.appendingPathComponent("second.key")
        _ = try AuditAnchor.forHome(keyFile: newKey, pool: fresh.appliance.home.pool)
        #expect(FileManager.default.fileExists(atPath: newKey.path), "a home with no keyed entry gets a key made")
    }
}
