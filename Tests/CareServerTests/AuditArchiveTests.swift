import CareKit
@testable import CareServer
import CareStore
import CareTesting
import Foundation
import GRDB
import Logging
import Testing

@Suite("The audit archive: old entries in compressed segments, one chain with the live trail")
struct AuditArchiveTests {
    static let users = ["nina", "omar", "priya"]

    /// `entries` entries chained with the home's key, one every 10 days up to today (so most are years old),
    /// by three people about seven residents.
    static func home(entries: Int = 120, countingStatements: Bool = false) throws -> TestHome {
        let home = try TestHome(plugins: [], countingStatements: countingStatements)
        let now = Date()
        for index in 0..<entries {
            let at = now.addingTimeInterval(-Double(entries - index) * 10 * 86_400)
            home.appliance.audit.record(AuditEntry(at: at, userID: Int64(index % 3 + 1), username: users[index % 3], address: "10.0.0.\(index % 5)",
                                                   source: "residents", action: "view", residentID: Int64(index % 7 + 1), detail: "entry \(index + 1)"),
                                        durable: false)
        }
        home.appliance.audit.flush()
        return home
    }

    static func archive(_ home: TestHome, segmentSize: Int = 10, keepMonths: Int = 12) throws -> [AuditArchive.Moved] {
        try AuditArchive(pool: home.appliance.home.pool, anchor: home.appliance.audit.anchor, segmentSize: segmentSize)
            .archive(before: AuditArchive.cutoff(keepLiveMonths: keepMonths))
    }

    func verify(_ home: TestHome, full: Bool = true) throws -> AuditLog.Verification {
        try AuditLog.verify(pool: home.appliance.home.pool, anchor: home.appliance.audit.anchor, full: full)
    }

    /// Live entries plus archived ones.
    func total(_ home: TestHome) throws -> Int {
        try home.appliance.home.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM core_audit) + (SELECT COALESCE(SUM(entries), 0) FROM core_audit_segments)") ?? 0
        }
    }

    /// What someone with the database file can do to the archive: drop its triggers first.
    func tamper(_ home: TestHome, _ sql: String, arguments: StatementArguments = []) throws {
        try home.appliance.home.pool.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS core_audit_segments_no_update; DROP TRIGGER IF EXISTS core_audit_segments_no_delete")
            try db.execute(sql: sql, arguments: arguments)
        }
    }

    @Test("entries older than the retention move into full segments; a full verify reads archive and live trail as one chain")
    func archiveThenVerify() throws {
        let home = try Self.home()
        // A check before archiving leaves a checkpoint on entry 120, the newest.
        #expect(try home.appliance.audit.verifyAndCheckpoint(full: false).problem == nil)
        let moved = try Self.archive(home)
        // One entry every 10 days: about 84 are over 12 months old, so 8 full segments of 10 move and the rest wait.
        #expect(moved.count == 8)
        #expect(moved.first?.firstID == 1 && moved.last?.lastID == 80)
        let cutoff = HomeTime.startOf(AuditArchive.cutoff(keepLiveMonths: 12))
        #expect(moved.allSatisfy { $0.newestAt < cutoff }, "only entries older than the retention move")
        #expect(moved.allSatisfy { $0.compressedBytes < $0.plainBytes })
        let summary = try AuditArchive.summary(pool: home.appliance.home.pool)
        #expect(summary.segments == 8 && summary.archivedEntries == 80)
        #expect(summary.liveEntries == 40 && summary.oldestLiveID == 81)
        #expect(try total(home) == 120, "no entry lost, none in both places")

        let full = try verify(home)
        #expect(full.problem == nil, "\(full.problem ?? "")")
        #expect(full.entries == 120, "the full pass covers the archive and the live trail")
        let incremental = try verify(home, full: false)
        #expect(incremental.problem == nil)
        #expect(incremental.entries == 0, "nothing after the checkpoint")

        // The trail goes on after archiving, and a second run has nothing to move.
        home.appliance.audit.record(AuditEntry(userID: 1, username: "nina", address: "10.0.0.1", source: "core", action: "view", detail: "after"), durable: true)
        home.appliance.audit.flush()
        #expect(try verify(home).problem == nil)
        #expect(try Self.archive(home).isEmpty)
    }

    @Test("an archived entry's hash is recomputed from its segment as it was written (the restore drill matches a backup's last entry with it)")
    func archivedHash() throws {
        let home = try Self.home()
        let hashes = try home.appliance.home.pool.read { db in try String.fetchAll(db, sql: "SELECT hash FROM core_audit WHERE id IN (1, 37, 80) ORDER BY id") }
        _ = try Self.archive(home)
        let archive = AuditArchive(pool: home.appliance.home.pool, anchor: home.appliance.audit.anchor)
        #expect(try [1, 37, 80].map { try archive.archivedHash(of: $0) } == hashes)
        #expect(try archive.archivedHash(of: 81) == nil, "entry 81 is live")
        #expect(try AuditArchive(pool: home.appliance.home.pool, anchor: nil).archivedHash(of: 37) == nil, "keyed: not without the key")
    }

    @Test("a checkpoint whose entry has since been archived: the incremental check continues from the archive's end")
    func checkpointArchived() throws {
        let home = try Self.home()
        // Checkpoint on entry 120; archive 80; more entries; then a check from the checkpoint.
        #expect(try home.appliance.audit.verifyAndCheckpoint(full: false).problem == nil)
        // A checkpoint from an older check, on entry 30 (it will be archived).
        let anchor = try #require(home.appliance.audit.anchor)
        let thirty = try home.appliance.home.pool.read { db in try String.fetchOne(db, sql: "SELECT hash FROM core_audit WHERE id = 30") }
        try anchor.saveCheckpoint(AuditAnchor.Mark(id: 30, hash: try #require(thirty), keyedFrom: 1))
        _ = try Self.archive(home)
        let result = try verify(home, full: false)
        #expect(result.problem == nil, "\(result.problem ?? "")")
        #expect(result.startedAfter == 80 && result.entries == 40)
    }

    @Test("a changed entry, a damaged blob, a changed index or a removed segment fails verification, naming the segment")
    func tamperedArchive() throws {
        // An entry inside segment 3 changed and the segment written back without the key.
        do {
            let home = try Self.home()
            _ = try Self.archive(home)
            let data = try #require(try home.appliance.home.pool.read { db in try Data.fetchOne(db, sql: "SELECT data FROM core_audit_segments WHERE id = 3") })
            var entries = try #require(AuditSegment.decode(data))
            entries[4].detail = "nothing to see"
            try tamper(home, "UPDATE core_audit_segments SET data = ? WHERE id = 3", arguments: [try AuditSegment.encode(entries).data])
            let result = try verify(home)
            #expect(result.problem?.contains("archive segment 3 (entries 21 to 30") == true, "\(result.problem ?? "")")
            #expect(result.problem?.contains("was changed after it was archived") == true)
            #expect(result.firstBrokenID == 21)
        }
        // Bytes of a segment overwritten.
        do {
            let home = try Self.home()
            _ = try Self.archive(home)
            try tamper(home, "UPDATE core_audit_segments SET data = X'0011223344' WHERE id = 5")
            #expect(try verify(home).problem?.contains("archive segment 5 (entries 41 to 50") == true)
            #expect(try verify(home).problem?.contains("cannot be read: it is damaged") == true)
        }
        // The list of usernames a search relies on, changed to hide someone.
        do {
            let home = try Self.home()
            _ = try Self.archive(home)
            try tamper(home, "UPDATE core_audit_segments SET usernames = '[\"nina\"]' WHERE id = 2")
            #expect(try verify(home).problem?.contains("archive segment 2") == true)
            #expect(try verify(home).problem?.contains("changed index") == true)
        }
        // A segment in the middle removed; then the first.
        do {
            let home = try Self.home()
            _ = try Self.archive(home)
            try tamper(home, "DELETE FROM core_audit_segments WHERE id = 4")
            let result = try verify(home)
            #expect(result.problem?.contains("entries 31 to 40 are missing") == true, "\(result.problem ?? "")")
            #expect(try verify(home, full: false).problem != nil, "a removed segment shows without reading the archive back")
            try tamper(home, "DELETE FROM core_audit_segments WHERE id = 1")
            #expect(try verify(home).problem?.contains("the entries before 11 are missing") == true)
        }
        // Every segment removed: the live trail no longer starts the chain.
        do {
            let home = try Self.home()
            _ = try Self.archive(home)
            try tamper(home, "DELETE FROM core_audit_segments")
            #expect(try verify(home).problem?.contains("entries 1 to 80 have been removed") == true)
        }
    }

    @Test("the trail stays append-only: a live entry no segment covers cannot be deleted, and segments cannot be changed or removed")
    func triggers() throws {
        let home = try Self.home()
        _ = try Self.archive(home)
        let pool = home.appliance.home.pool
        for sql in ["DELETE FROM core_audit WHERE id = 81", "DELETE FROM core_audit", "UPDATE core_audit SET detail = 'x' WHERE id = 90",
                    "UPDATE core_audit_segments SET last_hash = 'x' WHERE id = 1", "DELETE FROM core_audit_segments WHERE id = 8"] {
            #expect(throws: DatabaseError.self, "\(sql)") { try pool.write { db in try db.execute(sql: sql) } }
        }
        #expect(try total(home) == 120)
        // Only a recorded segment lets live rows go: someone who writes a segment row that does not hold
        // them can then delete them, but the chain shows it.
        try pool.write { db in
            let previous = try String.fetchOne(db, sql: "SELECT last_hash FROM core_audit_segments WHERE id = 8") ?? ""
            try db.execute(sql: """
                INSERT INTO core_audit_segments (first_id, last_id, entries, oldest_at, newest_at, previous_hash, last_hash, usernames,
                                                 resident_ids, format, plain_bytes, data, archived_at)
                VALUES (81, 90, 10, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', ?, 'k1:made-up', '[]', '[]', 1, 0, ?, '2020-01-01T00:00:00Z')
                """, arguments: [previous, try AuditSegment.encode([]).data])
            try db.execute(sql: "DELETE FROM core_audit WHERE id BETWEEN 81 AND 90")
        }
        #expect(try verify(home).problem?.contains("archive segment 9 (entries 81 to 90") == true)
    }

    @Test("search finds archived entries by person, resident and date range, a page at a time, each exactly once, and says what it covered")
    func search() throws {
        let home = try Self.home()
        let all = try home.appliance.home.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, at, username, resident_id FROM core_audit ORDER BY id").map {
                (id: $0["id"] as Int64, day: HomeTime.day(of: Timestamp.parse($0["at"])!), user: $0["username"] as String, resident: $0["resident_id"] as Int64?)
            }
        }
        _ = try Self.archive(home)
        let archived = all.filter { $0.id <= 80 }
        let archive = AuditArchive(pool: home.appliance.home.pool, anchor: home.appliance.audit.anchor)
        let from = archived[20].day, to = archived[45].day
        let cases: [(AuditLog.Filter, [Int64])] = [
            (AuditLog.Filter(username: "Omar"), archived.filter { $0.user == "omar" }.map(\.id)),
            (AuditLog.Filter(residentID: 3), archived.filter { $0.resident == 3 }.map(\.id)),
            (AuditLog.Filter(from: from, to: to), archived.filter { $0.day >= from && $0.day <= to }.map(\.id)),
            (AuditLog.Filter(residentID: 2, username: "priya", from: from), archived.filter { $0.resident == 2 && $0.user == "priya" && $0.day >= from }.map(\.id)),
        ]
        for (filter, expected) in cases {
            #expect(!expected.isEmpty)
            var found: [Int64] = []
            var before: Int64?
            var pages = 0
            repeat {
                let page = try archive.search(filter, before: before, limit: 4, segmentsPerPage: 2)
                found += page.entries.map(\.id)
                #expect(page.entries.count <= 4 && page.segmentsRead <= 2)
                if pages == 0 { #expect(page.searchedTo != nil, "the first page says how recent the archive it searched is") }
                if page.continueBefore == nil { #expect(page.searchedFrom == nil, "the last page reached the archive's start") }
                else { #expect(page.searchedFrom != nil, "a page that stops early says from when it looked") }
                before = page.continueBefore
                pages += 1
            } while before != nil && pages < 100
            #expect(found == expected.sorted(by: >), "\(filter): newest first, each once")
        }
        // A live entry is not in the archive.
        #expect(try archive.search(AuditLog.Filter(residentID: 99)).entries.isEmpty)
    }

    @Test("a run cut off before its commit leaves the trail as it was and verifiable; two runs at once never archive twice")
    func interrupted() throws {
        let home = try Self.home()
        let archive = AuditArchive(pool: home.appliance.home.pool, anchor: home.appliance.audit.anchor, segmentSize: 10)
        let cutoff = Timestamp.format(HomeTime.startOf(AuditArchive.cutoff(keepLiveMonths: 12)))
        // Read, checked and compressed, then the process dies: nothing was written.
        _ = try #require(try archive.prepareNextSegment(cutoff: cutoff))
        #expect(try AuditArchive.summary(pool: home.appliance.home.pool).segments == 0)
        #expect(try verify(home).problem == nil)
        // Two runs prepare the same segment: the first commits, the second finds the archive moved on.
        let first = try #require(try archive.prepareNextSegment(cutoff: cutoff))
        let second = try #require(try archive.prepareNextSegment(cutoff: cutoff))
        _ = try archive.commit(first)
        #expect(throws: AuditArchive.ArchiveError.self) { try archive.commit(second) }
        #expect(try total(home) == 120)
        #expect(try verify(home).problem == nil)
        // A changed live entry is never archived: the run stops before it.
        try home.appliance.home.pool.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER core_audit_no_update; UPDATE core_audit SET detail = 'edited' WHERE id = 35")
        }
        #expect(throws: AuditArchive.ArchiveError.self) { try Self.archive(home) }
        #expect(try AuditArchive.summary(pool: home.appliance.home.pool).archivedEntries == 30, "segments before the edit moved; the one holding it did not")
    }

    @Test("the server's schedule archives in the background and records that it did")
    func schedule() throws {
        let home = try Self.home()
        try AuditArchive.setKeepLiveMonths(12, pool: home.appliance.home.pool)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let schedule = AuditArchiveSchedule(home: home.appliance.home, audit: home.appliance.audit, logger: logger, firstAfter: 0.05, segmentSize: 10)
        let deadline = Date().addingTimeInterval(20)
        while try AuditArchive.summary(pool: home.appliance.home.pool).segments < 8, Date() < deadline { usleep(50_000) }
        schedule.stop()
        #expect(try AuditArchive.summary(pool: home.appliance.home.pool).segments == 8)
        home.appliance.audit.flush()
        let recorded = try home.appliance.home.pool.read { db in
            try String.fetchOne(db, sql: "SELECT detail FROM core_audit WHERE action = 'audit-archived' ORDER BY id DESC LIMIT 1")
        }
        #expect(recorded?.hasPrefix("entries 1 to 80 moved into 8 archive segments") == true, "\(recorded ?? "")")
    }

    @Test("audit_archive in carehome.conf turns the daily run off, and a value other than on or off is refused")
    func configurationKey() throws {
        var configuration = ApplianceConfiguration(dataDirectory: URL(fileURLWithPath: "/tmp/unused"))
        #expect(configuration.auditArchiveAutomatically)
        try configuration.set("audit_archive", "off", at: "carehome.conf:1")
        #expect(!configuration.auditArchiveAutomatically)
        #expect(throws: ConfigurationError.self) { try configuration.set("audit_archive", "never", at: "carehome.conf:2") }
    }

    @Test("the manager's page shows the retention and the archive, searches it, and changes the retention (checked, audited, input kept)")
    func page() throws {
        let home = try Self.home()
        _ = try Self.archive(home)
        let audit = try home.get("/audit", as: .manager)
        #expect(audit.status == 200)
        #expect(audit.body.contains("Entries older than <strong>24 months</strong>"))
        #expect(audit.body.contains("80 entries recorded from"))
        #expect(audit.body.contains("in 8 compressed segments"))
        #expect(audit.body.contains("In the list above: 40 entries"))
        #expect(audit.body.contains("older entries are in the <a href=\"#archive\">archive</a>"), "the top of the page says where older entries went")

        let search = try home.get("/audit/archive?user=omar", as: .manager)
        #expect(search.status == 200)
        #expect(search.body.contains("This search looked through the whole archive, up to"))
        #expect(search.body.contains("entry 80"), "entry 80 is omar's, archived")
        #expect(!search.body.contains("entry 83<"), "omar's live entries stay on the audit page")
        #expect(try home.get("/audit/archive", as: .nurse).status == 403)

        let refused = try home.post("/audit/retention", as: .manager, form: ["keep_months": "two years"])
        #expect(refused.status == 422)
        #expect(refused.body.contains("Enter a whole number of months from 3 to 240"))
        #expect(refused.body.contains("value=\"two years\""), "what was typed is kept")
        #expect(try home.post("/audit/retention", as: .manager, form: ["keep_months": "1"]).status == 422)
        #expect(try AuditArchive.keepLiveMonths(pool: home.appliance.home.pool) == 24)
        #expect(try home.post("/audit/retention", as: .nurse, form: ["keep_months": "36"]).status == 403)
        #expect(try home.post("/audit/retention", as: .manager, form: ["keep_months": "36"], withCSRF: false).status == 403)
        #expect(try AuditArchive.keepLiveMonths(pool: home.appliance.home.pool) == 24)

        let saved = try home.post("/audit/retention", as: .manager, form: ["keep_months": "36"])
        #expect(saved.status == 303)
        #expect(try AuditArchive.keepLiveMonths(pool: home.appliance.home.pool) == 36)
        home.appliance.audit.flush()
        let entry = try home.appliance.home.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT username, detail FROM core_audit WHERE action = 'audit-retention-changed'")
        }
        #expect(entry?["detail"] == "entries archived after 36 months (was 24)")
        #expect(try home.get("/audit", as: .manager).body.contains("Entries older than <strong>36 months</strong>"))
    }

    @Test("the audit page and a page of the archive run as many statements with 11 segments as with 56")
    func statementsDoNotGrowWithTheArchive() throws {
        let small = try Self.home(entries: 150, countingStatements: true)
        let large = try Self.home(entries: 600, countingStatements: true)
        #expect(try Self.archive(small).count == 11)
        #expect(try Self.archive(large).count == 56)
        for path in ["/audit", "/audit/archive", "/audit/archive?user=omar", "/audit/archive?resident=3&from=2020-01-01"] {
            _ = try small.statements(get: path, as: .manager)
            _ = try large.statements(get: path, as: .manager)
            let (few, fewResponse) = try small.statements(get: path, as: .manager)
            let (many, manyResponse) = try large.statements(get: path, as: .manager)
            #expect(fewResponse.status == 200 && manyResponse.status == 200)
            #expect(few > 0 && many == few, "\(path): \(few) statements with 11 segments, \(many) with 56")
        }
    }
}
