package import CareKit
import CareStore
package import Foundation
package import GRDB

/// Moves audit entries older than the manager's retention out of the live table into compressed segments
/// (`core_audit_segments`), so the live trail, its indexes and every page that reads it stay the size of the
/// last few years, while nothing is ever dropped: the archive is searchable (`search`) and verified with the
/// rest of the chain (`carehome audit verify --full`).
///
/// Why segments in a table of the same database rather than files beside it: moving a run of entries is then
/// one SQLite transaction (the segment inserted and the live rows it covers deleted, or neither), so a
/// kill -9 or a power cut at any moment leaves every entry in exactly one place with no recovery step; every
/// backup, restore, restore drill and digest already covers the file, so the archive goes wherever the trail
/// goes with no change to the backup format; and the delete trigger can check, in SQL, that a recorded
/// segment covers each live row deleted. Files would need their own fsync-and-rename protocol, their own
/// place in backups and a way to tie each file to the rows it replaced.
///
/// A segment is a contiguous run of the chain (ids `first_id...last_id`), written only when it is full
/// (`segmentSize` entries) and its newest entry by id is older than the cutoff; the newest entry of the
/// trail is never archived (the next entry's id follows it, and the head recorded outside the database names
/// it). Each entry's hash is checked before it moves: the archive holds only entries that verified.
package struct AuditArchive: Sendable {
    package let pool: DatabasePool
    package let anchor: AuditAnchor?
    /// Entries a segment holds: about 12 days of a busy 60-bed home, 1 to 2 MB compressed, a few MB to
    /// read back; moving one holds the write lock for a fraction of a second.
    package let segmentSize: Int

    package static let defaultSegmentSize = 25_000

    package init(pool: DatabasePool, anchor: AuditAnchor?, segmentSize: Int = AuditArchive.defaultSegmentSize) {
        self.pool = pool
        self.anchor = anchor
        self.segmentSize = max(1, segmentSize)
    }

    // MARK: - The retention

    /// Entries stay in the live trail this long, then move to the archive (kept, never deleted by the
    /// appliance). See README: the records guidance sets how long records are kept, not where; two years
    /// covers the annual DSPT cycle and the period an inspection or a complaint usually looks back on.
    package static let defaultKeepLiveMonths = 24
    package static let keepLiveRange = 3...240
    static let keepLiveKey = "audit.keep_live_months"

    package static func keepLiveMonths(pool: DatabasePool) throws -> Int {
        let stored = try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM core_settings WHERE key = ?", arguments: [keepLiveKey]) }
        return stored.flatMap(Int.init).flatMap { keepLiveRange.contains($0) ? $0 : nil } ?? defaultKeepLiveMonths
    }

    package static func setKeepLiveMonths(_ months: Int, pool: DatabasePool) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO core_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [keepLiveKey, String(months)])
        }
    }

    /// Entries recorded before the start of this day move to the archive.
    package static func cutoff(keepLiveMonths: Int, now: Date = Date()) -> Day {
        HomeTime.today(now).adding(months: -keepLiveMonths)
    }

    // MARK: - Archiving

    package struct Moved: Sendable {
        package var segmentID: Int64
        package var firstID: Int64
        package var lastID: Int64
        package var oldestAt: Date
        package var newestAt: Date
        package var plainBytes: Int
        package var compressedBytes: Int
    }

    package struct ArchiveError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Moves every full segment older than the cutoff, one transaction each, and returns what moved.
    /// `shouldStop` is asked between segments (a server stopping); `progress` hears of each one.
    @discardableResult
    package func archive(before cutoff: Day, shouldStop: () -> Bool = { false }, progress: (Moved) -> Void = { _ in }) throws -> [Moved] {
        let cutoffText = Timestamp.format(HomeTime.startOf(cutoff))
        var moved = [Moved]()
        while !shouldStop(), let segment = try moveNextSegment(cutoff: cutoffText) {
            moved.append(segment)
            progress(segment)
        }
        return moved
    }

    /// The next run read and checked from a snapshot, then written with its live rows deleted in one write
    /// transaction that first checks nobody archived in between. Nil when no full segment is due.
    func moveNextSegment(cutoff: String) throws -> Moved? {
        guard let prepared = try prepareNextSegment(cutoff: cutoff) else { return nil }
        return try commit(prepared)
    }

    struct Prepared {
        var after: Int64?
        var entries: [AuditSegment.Entry]
        var previousHash: String
        var lastHash: String
        var data: Data
        var plainBytes: Int
    }

    /// Reads and checks the next run without writing: what a crash before the commit leaves (nothing).
    func prepareNextSegment(cutoff: String) throws -> Prepared? {
        let read = try pool.read { db -> (after: Int64?, previous: String, rows: [Row])? in
            let last = try Row.fetchOne(db, sql: "SELECT last_id, last_hash FROM core_audit_segments ORDER BY last_id DESC LIMIT 1")
            let after: Int64? = last?["last_id"]
            guard let newest = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM core_audit") else { return nil }
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM core_audit WHERE id > ? AND id < ? ORDER BY id LIMIT ?",
                                        arguments: [after ?? 0, newest, segmentSize])
            return (after, last?["last_hash"] ?? AuditLog.genesis, rows)
        }
        guard let read, read.rows.count == segmentSize, let newestByID = read.rows.last, (newestByID["at"] as String) < cutoff else { return nil }
        var previous = read.previous
        var entries = [AuditSegment.Entry]()
        entries.reserveCapacity(read.rows.count)
        let keyedFrom = anchor?.head()?.keyedFrom
        var expectedID = (read.after ?? ((read.rows.first?["id"] as Int64?) ?? 1) - 1) + 1
        for row in read.rows {
            let id: Int64 = row["id"]
            guard id == expectedID else { throw ArchiveError(description: "entry \(expectedID) is missing from the audit trail: nothing was archived. Run carehome audit verify --full.") }
            expectedID += 1
            let stored: String = row["previous_hash"]
            let hash: String = row["hash"]
            let entry = AuditSegment.Entry(id: id, at: row["at"], userID: row["user_id"], username: row["username"], address: row["address"],
                                           source: row["source"], action: row["action"], residentID: row["resident_id"], detail: row["detail"],
                                           keyed: hash.hasPrefix("k1:"))
            let text = entry.hashedText(previous: previous)
            let expected: String
            if entry.keyed {
                guard let anchor else { throw ArchiveError(description: "the audit key is needed to archive keyed entries: nothing was archived.") }
                expected = anchor.keyedHash(text)
            } else {
                if let keyedFrom, id >= keyedFrom {
                    throw ArchiveError(description: "entry \(id) is not keyed although every entry from \(keyedFrom) is: nothing more was archived. Run carehome audit verify --full.")
                }
                expected = sha256Hex(text)
            }
            guard stored == previous, hash == expected else {
                throw ArchiveError(description: "entry \(id) does not verify, so it and the entries after it stay in the live trail. Run carehome audit verify --full and tell the person responsible for data protection.")
            }
            previous = hash
            entries.append(entry)
        }
        let encoded = try AuditSegment.encode(entries)
        return Prepared(after: read.after, entries: entries, previousHash: read.previous, lastHash: previous, data: encoded.data, plainBytes: encoded.plainBytes)
    }

    /// Writes a prepared segment and deletes the live rows it covers, in one transaction.
    func commit(_ prepared: Prepared) throws -> Moved {
        guard let first = prepared.entries.first, let last = prepared.entries.last else { throw ArchiveError(description: "an empty segment") }
        let oldest = prepared.entries.map(\.at).min() ?? first.at
        let newest = prepared.entries.map(\.at).max() ?? last.at
        let usernames = Array(Set(prepared.entries.map(\.username))).sorted()
        let residents = Array(Set(prepared.entries.compactMap(\.residentID))).sorted()
        let id = try pool.write { db -> Int64 in
            let current = try Int64.fetchOne(db, sql: "SELECT MAX(last_id) FROM core_audit_segments")
            guard current == prepared.after else { throw ArchiveError(description: "the archive changed while this segment was being made (another archiving run): try again.") }
            try db.execute(sql: """
                INSERT INTO core_audit_segments (first_id, last_id, entries, oldest_at, newest_at, previous_hash, last_hash, usernames,
                                                 resident_ids, format, plain_bytes, data, archived_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [first.id, last.id, prepared.entries.count, oldest, newest, prepared.previousHash, prepared.lastHash,
                                 AuditArchive.json(usernames), AuditArchive.json(residents.map(String.init)), AuditSegment.format,
                                 prepared.plainBytes, prepared.data, Timestamp.format(Date())])
            let segment = db.lastInsertedRowID
            try db.execute(sql: "DELETE FROM core_audit WHERE id BETWEEN ? AND ?", arguments: [first.id, last.id])
            guard db.changesCount == prepared.entries.count else {
                throw ArchiveError(description: "the live trail changed while this segment was being made: nothing was archived.")
            }
            return segment
        }
        return Moved(segmentID: id, firstID: first.id, lastID: last.id, oldestAt: Timestamp.parse(oldest) ?? Date(), newestAt: Timestamp.parse(newest) ?? Date(),
                     plainBytes: prepared.plainBytes, compressedBytes: prepared.data.count)
    }

    static func json(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }

    // MARK: - What the manager sees

    package struct Summary: Sendable, Equatable {
        package var segments: Int
        package var archivedEntries: Int
        package var compressedBytes: Int
        package var oldestArchived: Date?
        package var newestArchived: Date?
        /// The first entry still in the live table (by id) and when it was recorded.
        package var oldestLiveID: Int64?
        package var oldestLiveAt: Date?
        /// Entries in the live table: ids run without gaps (nothing is ever deleted but what the archive holds).
        package var liveEntries: Int
    }

    /// Entries held in the archive (0 for a home from before it).
    package static func archivedEntries(pool: DatabasePool) throws -> Int {
        try pool.read { db in
            try db.tableExists("core_audit_segments") ? try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(entries), 0) FROM core_audit_segments") ?? 0 : 0
        }
    }

    /// Three indexed reads, whatever the size of the trail or the archive.
    package static func summary(pool: DatabasePool) throws -> Summary {
        try pool.read { db in
            let segments = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, COALESCE(SUM(entries), 0) AS entries, COALESCE(SUM(LENGTH(data)), 0) AS bytes,
                       MIN(oldest_at) AS oldest, MAX(newest_at) AS newest FROM core_audit_segments
                """)
            // Two subqueries, each answered from one end of the rowid b-tree: MIN and MAX in one SELECT make
            // SQLite read every entry (0.5 s a view on a ten-year home with nothing archived).
            let live = try Row.fetchOne(db, sql: "SELECT (SELECT MIN(id) FROM core_audit) AS first, (SELECT MAX(id) FROM core_audit) AS last")
            let firstLive: Int64? = live?["first"]
            let lastLive: Int64? = live?["last"]
            let firstAt = try firstLive.flatMap { try String.fetchOne(db, sql: "SELECT at FROM core_audit WHERE id = ?", arguments: [$0]) }
            return Summary(segments: segments?["n"] ?? 0, archivedEntries: segments?["entries"] ?? 0, compressedBytes: segments?["bytes"] ?? 0,
                           oldestArchived: (segments?["oldest"] as String?).flatMap(Timestamp.parse),
                           newestArchived: (segments?["newest"] as String?).flatMap(Timestamp.parse),
                           oldestLiveID: firstLive, oldestLiveAt: firstAt.flatMap(Timestamp.parse),
                           liveEntries: firstLive.flatMap { first in lastLive.map { Int($0 - first + 1) } } ?? 0)
        }
    }
}
