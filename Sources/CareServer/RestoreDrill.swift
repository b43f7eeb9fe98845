package import CareKit
package import CareStore
package import Foundation
package import GRDB

/// One restore drill's outcome (`core_restore_drills`): the evidence the Data Security and Protection
/// Toolkit asks for that the backups can be restored.
package struct RestoreDrillRecord: Sendable, Equatable {
    package struct TableCount: Codable, Sendable, Equatable {
        package var table: String
        package var backup: Int
        /// nil: the live home has no such table (a plugin removed since).
        package var live: Int?
    }

    package var startedAt: Date
    package var finishedAt: Date
    package var backupFile: String
    package var backupMadeAt: Date?
    package var ok: Bool
    /// What was checked, or why it failed, in sentences.
    package var detail: String
    package var counts: [TableCount]
    package var runBy: String

    package var seconds: Int { Int(finishedAt.timeIntervalSince(startedAt).rounded()) }
}

/// The restore drill: restore the newest backup into a scratch directory on the box with the same code
/// as `carehome restore`, check it (integrity, the audit chain against the live one), count its
/// records beside the live home's, record the outcome, and delete the scratch copy.
package enum RestoreDrill {
    /// The scratch directory's name inside the data directory (the one place the service may write
    /// besides the backup medium, and the same disk as the records it protects), followed by the
    /// process id and a random part: a drill from the command line beside one from the page never
    /// shares (or deletes) the other's copy.
    package static let scratchName = "restore-drill"
    /// A drill older than this is due again (DSPT: test restores at least once a year).
    package static let dueAfter: TimeInterval = 365 * 86_400
    /// Drills kept in the table.
    static let keep = 100

    /// Everything a drill needs; the server passes its own, the command line builds it.
    package struct Setup: Sendable {
        package var home: HomeDatabase
        package var configuration: ApplianceConfiguration
        package var cipher: BackupCipher?
        package var auditAnchor: AuditAnchor?
        package var runBy: String

        package init(home: HomeDatabase, configuration: ApplianceConfiguration, cipher: BackupCipher?, auditAnchor: AuditAnchor?, runBy: String) {
            self.home = home
            self.configuration = configuration
            self.cipher = cipher
            self.auditAnchor = auditAnchor
            self.runBy = runBy
        }
    }

    /// A new scratch directory's place for `dataDirectory`.
    static func newScratchDirectory(dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("\(scratchName)-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    /// Deletes scratch copies left by drills cut off by a stop (they hold every record, unencrypted).
    /// Only the server calls it, at start, holding the data directory.
    package static func removeLeftovers(dataDirectory: URL) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path)) ?? [] where name.hasPrefix(scratchName) {
            try? FileManager.default.removeItem(at: dataDirectory.appendingPathComponent(name))
        }
    }

    /// Runs a drill on `backup` (nil: the newest in backup_dir) and records it, passed or failed.
    /// Throws only `BackupJobs.Stopping` (nothing recorded) or when the outcome cannot be recorded.
    package static func run(_ setup: Setup, backup chosen: URL? = nil,
                            progress: (String, Int) throws -> Void = { _, _ in }) throws -> RestoreDrillRecord {
        let now = { Date() }
        let started = now()
        let scratch = newScratchDirectory(dataDirectory: setup.configuration.dataDirectory)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var counts: [RestoreDrillRecord.TableCount] = []
        var backupFile = chosen?.lastPathComponent ?? "none"
        var madeAt: Date?
        let outcome: Result<String, DrillFailure>
        do {
            let backup = try chosen ?? newestBackup(setup.configuration)
            backupFile = backup.lastPathComponent
            madeAt = BackupRetention.date(fromFileName: backupFile)
            let (checked, restoredCounts, made) = try restoreAndCheck(setup, backup: backup, scratch: scratch, progress: progress)
            counts = restoredCounts
            madeAt = made ?? madeAt
            outcome = .success(checked)
        } catch let stop as BackupJobs.Stopping {
            throw stop
        } catch let failure as DrillFailure {
            outcome = .failure(failure)
        } catch {
            outcome = .failure(DrillFailure("\(error)"))
        }
        try? FileManager.default.removeItem(at: scratch)
        let record: RestoreDrillRecord
        switch outcome {
        case .success(let detail):
            record = RestoreDrillRecord(startedAt: started, finishedAt: now(), backupFile: backupFile, backupMadeAt: madeAt, ok: true,
                                        detail: detail, counts: counts, runBy: setup.runBy)
        case .failure(let failure):
            record = RestoreDrillRecord(startedAt: started, finishedAt: now(), backupFile: backupFile, backupMadeAt: madeAt, ok: false,
                                        detail: failure.message, counts: counts, runBy: setup.runBy)
        }
        try save(record, pool: setup.home.pool)
        if let backupDirectory = setup.configuration.backupDirectory, backupFile != "none" {
            let file = chosen ?? backupDirectory.appendingPathComponent(backupFile)
            try? BackupCatalog.record(file, ok: record.ok, how: "by a restore drill", detail: record.detail, at: record.finishedAt, pool: setup.home.pool)
        }
        return record
    }

    private static func newestBackup(_ configuration: ApplianceConfiguration) throws -> URL {
        guard let directory = configuration.backupDirectory else {
            throw DrillFailure("No backup directory is set (backup_dir in carehome.conf), so there is no backup to restore.")
        }
        guard let newest = BackupCatalog.latest(directory: directory) else {
            throw DrillFailure("There is no backup in \(directory.path) to restore. Take one first (Back up now), then run the drill.")
        }
        return newest.url
    }

    /// Restores into the scratch directory and checks; returns what was checked, the counts and when the
    /// backup was made. Throws `DrillFailure` saying what failed.
    private static func restoreAndCheck(_ setup: Setup, backup: URL, scratch: URL, progress: (String, Int) throws -> Void)
        throws -> (String, [RestoreDrillRecord.TableCount], Date?) {
        let dataDirectory = setup.configuration.dataDirectory
        try progress("Checking there is room", 2)
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: backup.path))?[.size] as? NSNumber)?.int64Value ?? 0
        if let free = HomeDatabase.freeBytes(at: dataDirectory), free < bytes + bytes / 10 + 64 * 1024 * 1024 {
            throw DrillFailure("There is not enough free space in \(dataDirectory.path) to restore \(backup.lastPathComponent) (\(SystemHealth.size(bytes)) needed, \(SystemHealth.size(free)) free). Free some space and run the drill again.")
        }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var checked: [String] = []
        if (try? BackupCipher.isEncrypted(backup)) == false {
            try progress("Checking the backup's digest", 5)
            do {
                try BackupDigest.check(backup, anchor: try setup.auditAnchor ?? AuditAnchor.load(keyFile: setup.configuration.resolvedAuditKeyFile))
            } catch {
                throw DrillFailure("Refused: \(error) The backup was not restored.")
            }
            checked.append("its keyed digest matched")
        }
        try progress(setup.cipher == nil ? "Restoring and checking the copy" : "Decrypting, restoring and checking the copy", 10)
        let report: RestoreReport
        do {
            report = try HomeDatabase.restore(dataDirectory: scratch, from: backup, cipher: setup.cipher)
        } catch let error as StoreError {
            throw DrillFailure(error.message)
        }
        checked.append(report.restored.encrypted ? "it decrypted with the backup key and passed SQLite's integrity check"
                                                 : "it passed SQLite's integrity check")
        checked.append("schema \(report.restored.schemaVersion), \(report.restored.tableCount) tables")
        let restored: HomeDatabase
        do { restored = try HomeDatabase.open(dataDirectory: scratch) } catch { throw DrillFailure("The restored copy would not open: \(error)") }
        defer { try? restored.closeCleanly() }
        try progress("Checking the audit trail", 60)
        checked.append(try checkAuditTrail(restored: restored, live: setup.home, anchor: setup.auditAnchor))
        if let anchor = setup.auditAnchor, let sentence = try checkRecords(restored: restored, anchor: anchor) { checked.append(sentence) }
        try progress("Counting records", 80)
        let counts = try countRecords(restored: restored, live: setup.home)
        // Entries archived since the backup left the live table but not the trail: count both places.
        if let audit = counts.first(where: { $0.table == "core_audit" }), let live = audit.live,
           live + (try AuditArchive.archivedEntries(pool: setup.home.pool)) < audit.backup + (try AuditArchive.archivedEntries(pool: restored.pool)) {
            throw DrillFailure("The live audit trail has fewer entries (\(live)) than the backup (\(audit.backup)): entries have been removed from the live home since the backup was made. Tell the person responsible for data protection.")
        }
        checked.append("the rows of its \(counts.count) tables counted beside the live home's")
        try progress("Recording the result", 98)
        let sentence = "Restored \(backup.lastPathComponent) into a scratch directory and checked it: " + checked.joined(separator: "; ") + "."
        return (sentence, counts, report.restored.madeAt)
    }

    /// The backup's audit trail must verify from its first entry with the home's key, and end on an entry
    /// that the live trail holds unchanged: the backup is an unaltered earlier state of this home.
    private static func checkAuditTrail(restored: HomeDatabase, live: HomeDatabase, anchor: AuditAnchor?) throws -> String {
        let last = try restored.pool.read { db -> AuditAnchor.Mark? in
            guard try db.tableExists("core_audit"), let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM core_audit ORDER BY id DESC LIMIT 1") else { return nil }
            return AuditAnchor.Mark(id: row["id"], hash: row["hash"], keyedFrom: try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM core_audit WHERE hash LIKE 'k1:%'"))
        }
        guard let last else { return "its audit trail is empty" }
        // The backup's last entry may have moved into the live home's archive since.
        let liveHash = try live.pool.read { db in try String.fetchOne(db, sql: "SELECT hash FROM core_audit WHERE id = ?", arguments: [last.id]) }
            ?? AuditArchive(pool: live.pool, anchor: anchor).archivedHash(of: last.id)
        guard liveHash == last.hash else {
            throw DrillFailure("The backup's audit trail does not match the live one at entry \(last.id): the backup is from another home, or one of the two trails was altered. Tell the person responsible for data protection.")
        }
        let verification = try AuditLog.verify(pool: restored.pool, anchor: anchor, full: true, head: last)
        if let problem = verification.problem {
            throw DrillFailure("The backup's audit trail is broken at entry \(verification.firstBrokenID ?? 0): \(problem).")
        }
        let keyed = anchor == nil ? "" : " with the home's audit key"
        return "its audit trail (\(verification.entries) \(verification.entries == 1 ? "entry" : "entries")) verified\(keyed) and matches the live trail up to entry \(last.id)"
    }

    /// Each record in the backup must be as the appliance saved it (RecordSeals); nil for a backup made
    /// before the appliance sealed records.
    private static func checkRecords(restored: HomeDatabase, anchor: AuditAnchor) throws -> String? {
        let report = try restored.recordSealReport(anchor.recordSealer, limit: 3)
        guard report.since != nil else { return nil }
        guard report.problemCount == 0, report.earlierFindings.isEmpty else {
            let first = (report.problems + report.earlierFindings).prefix(3).joined(separator: "; ")
            throw DrillFailure("\(report.problemCount) record(s) in the backup were changed other than through the appliance (\(first)). Tell the person responsible for data protection.")
        }
        return "its \(report.rows) records are as the appliance saved them"
    }

    /// Rows per table in the restored copy and in the live home.
    private static func countRecords(restored: HomeDatabase, live: HomeDatabase) throws -> [RestoreDrillRecord.TableCount] {
        let tables = try restored.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        // core_meta: the backup's own note of when it was made is not one of the home's records.
        let backupCounts = try restored.pool.read { db in
            try tables.map { table in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)" + (table == "core_meta" ? " WHERE key <> 'backup_made_at'" : "")) ?? 0
            }
        }
        let liveCounts = try live.pool.read { db in
            try tables.map { try db.tableExists($0) ? (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0.quotedDatabaseIdentifier)") ?? 0) : nil }
        }
        return tables.indices.map { RestoreDrillRecord.TableCount(table: tables[$0], backup: backupCounts[$0], live: liveCounts[$0]) }
    }

    // MARK: The record

    static func save(_ record: RestoreDrillRecord, pool: DatabasePool) throws {
        let counts = String(decoding: try JSONEncoder().encode(record.counts), as: UTF8.self)
        try pool.write { db in
            guard try db.tableExists("core_restore_drills") else {
                throw DrillFailure("This home's database has no table for restore drills yet: start the appliance once (it adds it), then run the drill again.")
            }
            try db.execute(sql: """
                INSERT INTO core_restore_drills (started_at, finished_at, backup_file, backup_made_at, ok, detail, counts, run_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Timestamp.format(record.startedAt), Timestamp.format(record.finishedAt), record.backupFile,
                                 record.backupMadeAt.map(Timestamp.format), record.ok ? 1 : 0, String(record.detail.prefix(2000)), counts, record.runBy])
            try db.execute(sql: "DELETE FROM core_restore_drills WHERE id NOT IN (SELECT id FROM core_restore_drills ORDER BY id DESC LIMIT \(keep))")
        }
    }

    /// The newest drills, newest first.
    package static func recent(pool: DatabasePool, limit: Int = 10) throws -> [RestoreDrillRecord] {
        try fetch(pool: pool, sql: "SELECT * FROM core_restore_drills ORDER BY id DESC LIMIT \(max(1, limit))")
    }

    /// The newest drill that passed.
    package static func lastSuccess(pool: DatabasePool) throws -> RestoreDrillRecord? {
        try fetch(pool: pool, sql: "SELECT * FROM core_restore_drills WHERE ok = 1 ORDER BY id DESC LIMIT 1").first
    }

    private static func fetch(pool: DatabasePool, sql: String) throws -> [RestoreDrillRecord] {
        try pool.read { db in
            guard try db.tableExists("core_restore_drills") else { return [] }
            return try Row.fetchAll(db, sql: sql).map { row in
                let started: String = row["started_at"], finished: String = row["finished_at"]
                let made: String? = row["backup_made_at"]
                let countsJSON: String = row["counts"]
                return RestoreDrillRecord(startedAt: Timestamp.parse(started) ?? Date(timeIntervalSince1970: 0),
                                          finishedAt: Timestamp.parse(finished) ?? Date(timeIntervalSince1970: 0),
                                          backupFile: row["backup_file"], backupMadeAt: made.flatMap(Timestamp.parse),
                                          ok: (row["ok"] as Int) == 1, detail: row["detail"],
                                          counts: (try? JSONDecoder().decode([RestoreDrillRecord.TableCount].self, from: Data(countsJSON.utf8))) ?? [],
                                          runBy: row["run_by"])
            }
        }
    }
}

/// Why a drill failed, in a sentence for the admin.
package struct DrillFailure: Error, CustomStringConvertible {
    package let message: String
    init(_ message: String) { self.message = message }
    package var description: String { message }
}
