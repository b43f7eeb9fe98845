import CareKit
import Crypto
import Foundation
import GRDB
import Synchronization

/// Seals on the plugins' records, so that `carehome check` can tell a record the appliance saved from
/// one changed in the file by someone else (sqlite3 on the box, an edited backup restored).
///
/// Every write a plugin makes through `CareDatabase.write` is watched (SQLite's update hook, which sees
/// only this process's own connection): in the same transaction, before it commits, each row the write
/// touched gets a seal, a keyed hash (HMAC-SHA256) of its table, row id and every column's value, kept
/// in `core_record_seals`. The key is derived from the audit trail's key, kept outside the database, so
/// whoever edits the file cannot make a seal that matches. The seal commits with the change and with the
/// promise of the change's audit entry (the outbox), so "the version last saved" and "the version last
/// audited" are the same version.
///
/// What a seal does not show: a row put back to an earlier version together with that version's seal
/// (from an old copy of the same home's file). The audit trail still has the later change.
package struct RecordSealer: Sendable {
    let keyBytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// `secret`: the audit trail's key; the seals use a key of their own derived from it.
    package init(auditKey secret: [UInt8]) {
        keyBytes = Array(HMAC<SHA256>.authenticationCode(for: Array("carehome record seals 1".utf8), using: SymmetricKey(data: secret)))
    }

    /// The seal of one row: its table, its row id, then each column's name, type and value, each with its length.
    func seal(table: String, rowID: Int64, row: Row, from first: Int = 0) -> Data {
        var mac = HMAC<SHA256>(key: key)
        func add(_ bytes: [UInt8]) {
            var count = UInt64(bytes.count).bigEndian
            withUnsafeBytes(of: &count) { mac.update(data: $0) }
            mac.update(data: bytes)
        }
        add(Array(table.utf8))
        add(Array(String(rowID).utf8))
        for (name, value) in row.dropFirst(first) {
            add(Array(name.utf8))
            switch value.storage {
            case .null: add([0])
            case .int64(let value): add([1] + Array(String(value).utf8))
            case .double(let value): add([2] + Array("\(value.bitPattern)".utf8))
            case .string(let value): add([3] + Array(value.utf8))
            case .blob(let value): add([4] + [UInt8](value))
            }
        }
        return Data(mac.finalize())
    }
}

/// Holds the home's sealer once the appliance has its audit key (nil before: nothing is sealed).
package final class RecordSealing: Sendable {
    private let current = Mutex<RecordSealer?>(nil)
    package init() {}
    package var sealer: RecordSealer? { current.withLock { $0 } }
    func use(_ sealer: RecordSealer) { current.withLock { $0 = sealer } }
}

/// Collects the rows that one write transaction inserts, updates or deletes in the plugins' tables.
final class TouchedRows: TransactionObserver {
    struct Key: Hashable { var table: String; var rowID: Int64 }
    private(set) var keys = Set<Key>()

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        let table: String
        switch eventKind {
        case .insert(let name), .delete(let name): table = name
        case .update(let name, _): table = name
        }
        return RecordSeals.isSealable(name: table)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        keys.insert(Key(table: event.tableName, rowID: event.rowID))
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

/// What `check` found: how many rows it compared, and each one that differs from its seal.
package struct RecordSealReport: Sendable {
    package var tables = 0
    package var rows = 0
    /// At most `limit` lines, each naming the table and the row.
    package var problems: [String] = []
    /// How many problems in all (may exceed `problems.count`).
    package var problemCount = 0
    /// Problems found before an upgrade resealed the rows (kept in core_meta until the next restore).
    package var earlierFindings: [String] = []
    /// When the appliance began sealing records; nil: this home has never been opened by a version that seals.
    package var since: String?
}

package enum RecordSeals {
    static let schema = """
        CREATE TABLE IF NOT EXISTS core_record_seals (
            table_name TEXT NOT NULL,
            row_id INTEGER NOT NULL,
            seal BLOB NOT NULL,
            PRIMARY KEY (table_name, row_id)
        ) STRICT, WITHOUT ROWID;
        """
    static let sinceKey = "record_seals_since"
    static let findingsKey = "record_seal_findings"
    /// Lines of earlier findings kept (each names a row; the count says how many there were).
    static let findingsLimit = 50

    /// The plugins' tables: not the server's own (`core_`), not SQLite's.
    static func isSealable(name: String) -> Bool {
        !name.hasPrefix("core_") && !name.hasPrefix("sqlite_")
    }

    /// The tables whose rows are sealed: ordinary rowid tables of the plugins (a virtual table's shadow
    /// tables and WITHOUT ROWID tables are left out: SQLite's update hook does not see the latter).
    static func tables(_ db: Database, prefix: String = "") throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND wr = 0 ORDER BY name")
            .filter { isSealable(name: $0) && $0.hasPrefix(prefix) }
    }

    /// Seals (or, for a row no longer there, unseals) each touched row, inside the caller's transaction.
    static func seal(_ db: Database, _ keys: Set<TouchedRows.Key>, with sealer: RecordSealer) throws {
        guard !keys.isEmpty else { return }
        // A table the same write dropped or renamed (a migration rebuilding one) has nothing left to seal.
        let present = Set(try tables(db))
        for key in keys {
            guard present.contains(key.table) else {
                try db.cachedStatement(sql: "DELETE FROM core_record_seals WHERE table_name = ? AND row_id = ?")
                    .execute(arguments: [key.table, key.rowID])
                continue
            }
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(key.table.quotedDatabaseIdentifier) WHERE rowid = ?"), arguments: [key.rowID])
            if let row {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO core_record_seals (table_name, row_id, seal) VALUES (?, ?, ?)")
                    .execute(arguments: [key.table, key.rowID, sealer.seal(table: key.table, rowID: key.rowID, row: row)])
            } else {
                try db.cachedStatement(sql: "DELETE FROM core_record_seals WHERE table_name = ? AND row_id = ?")
                    .execute(arguments: [key.table, key.rowID])
            }
        }
    }

    /// Seals every row of the tables starting with `prefix` (all the plugins' tables when empty), or
    /// only rows with no seal yet. Returns how many rows were sealed.
    @discardableResult
    static func sealAll(_ db: Database, with sealer: RecordSealer, prefix: String = "", onlyUnsealed: Bool) throws -> Int {
        var count = 0
        for table in try tables(db, prefix: prefix) {
            let filter = onlyUnsealed ? " WHERE rowid NOT IN (SELECT row_id FROM core_record_seals WHERE table_name = ?)" : ""
            let rows = try Row.fetchCursor(db, sql: "SELECT rowid, * FROM \(table.quotedDatabaseIdentifier)\(filter)", arguments: onlyUnsealed ? [table] : [])
            let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO core_record_seals (table_name, row_id, seal) VALUES (?, ?, ?)")
            while let row = try rows.next() {
                let rowID: Int64 = row[0]
                try insert.execute(arguments: [table, rowID, sealer.seal(table: table, rowID: rowID, row: row, from: 1)])
                count += 1
            }
            if !onlyUnsealed {
                try db.execute(sql: "DELETE FROM core_record_seals WHERE table_name = ? AND row_id NOT IN (SELECT rowid FROM \(table.quotedDatabaseIdentifier))", arguments: [table])
            }
        }
        return count
    }

    /// Compares every sealed table's rows with their seals, table by table in rowid order (two cursors
    /// side by side: memory stays the same however many rows there are).
    static func compare(_ db: Database, with sealer: RecordSealer, prefix: String = "", limit: Int) throws -> RecordSealReport {
        var report = RecordSealReport()
        func problem(_ text: String) {
            report.problemCount += 1
            if report.problems.count < limit { report.problems.append(text) }
        }
        for table in try tables(db, prefix: prefix) {
            report.tables += 1
            let rows = try Row.fetchCursor(db, sql: "SELECT rowid, * FROM \(table.quotedDatabaseIdentifier) ORDER BY rowid")
            let seals = try Row.fetchCursor(db, sql: "SELECT row_id, seal FROM core_record_seals WHERE table_name = ? ORDER BY row_id", arguments: [table])
            var seal = try seals.next()
            while let row = try rows.next() {
                report.rows += 1
                let rowID: Int64 = row[0]
                while let current = seal, (current[0] as Int64) < rowID {
                    problem("\(table) row \(current[0] as Int64) was removed outside the appliance")
                    seal = try seals.next()
                }
                if let current = seal, (current[0] as Int64) == rowID {
                    if (current[1] as Data) != sealer.seal(table: table, rowID: rowID, row: row, from: 1) {
                        problem("\(table) row \(rowID) was changed outside the appliance (it differs from the version last saved)")
                    }
                    seal = try seals.next()
                } else {
                    problem("\(table) row \(rowID) was added outside the appliance (the appliance never saved it)")
                }
            }
            while let current = seal {
                problem("\(table) row \(current[0] as Int64) was removed outside the appliance")
                seal = try seals.next()
            }
        }
        return report
    }

    static func findings(_ db: Database) throws -> [String] {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM core_meta WHERE key = ?", arguments: [findingsKey]),
              let lines = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return lines
    }

    /// Keeps what a check before an upgrade found, so that resealing the rows does not hide it.
    static func remember(_ report: RecordSealReport, during occasion: String, _ db: Database) throws {
        guard report.problemCount > 0 else { return }
        var lines = try findings(db)
        let more = report.problemCount > report.problems.count ? " (\(report.problemCount - report.problems.count) more not listed)" : ""
        lines.append("Found \(Timestamp.format(Date())) before \(occasion): \(report.problemCount) record(s)\(more)")
        lines += report.problems.map { "  " + $0 }
        let kept = Array(lines.suffix(findingsLimit))
        let json = String(decoding: try JSONEncoder().encode(kept), as: UTF8.self)
        try db.execute(sql: "INSERT OR REPLACE INTO core_meta (key, value) VALUES (?, ?)", arguments: [findingsKey, json])
    }
}

extension HomeDatabase {
    /// Starts sealing the plugins' writes with a key derived from the audit trail's. The first time a
    /// home is opened by a version that seals, every existing row is sealed as it stands (the starting
    /// point; said in `check`'s output). Rows written since without a seal (a bulk load through the pool,
    /// such as the ten-year generator's) are sealed by `sealUnsealedRecords`, never here.
    package func startSealingRecords(with sealer: RecordSealer) throws {
        sealing.use(sealer)
        try pool.write { db in
            guard try String.fetchOne(db, sql: "SELECT value FROM core_meta WHERE key = ?", arguments: [RecordSeals.sinceKey]) == nil else { return }
            try RecordSeals.sealAll(db, with: sealer, onlyUnsealed: false)
            try db.execute(sql: "INSERT INTO core_meta (key, value) VALUES (?, ?)", arguments: [RecordSeals.sinceKey, Timestamp.format(Date())])
        }
    }

    /// Seals rows that have no seal: for the appliance's own bulk writers (the home generator), which
    /// write through the pool rather than a plugin's store. Returns how many.
    @discardableResult
    package func sealUnsealedRecords() throws -> Int {
        guard let sealer = sealing.sealer else { return 0 }
        return try pool.write { db in try RecordSeals.sealAll(db, with: sealer, onlyUnsealed: true) }
    }

    /// Every plugin record compared with its seal (`carehome check`).
    package func recordSealReport(_ sealer: RecordSealer, limit: Int = 20) throws -> RecordSealReport {
        try pool.read { db in
            var report = try RecordSeals.compare(db, with: sealer, limit: limit)
            report.earlierFindings = try RecordSeals.findings(db)
            report.since = try String.fetchOne(db, sql: "SELECT value FROM core_meta WHERE key = ?", arguments: [RecordSeals.sinceKey])
            return report
        }
    }
}
