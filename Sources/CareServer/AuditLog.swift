package import CareStore
package import CareKit
@preconcurrency import Dispatch
package import Foundation
package import GRDB
package import Logging
import Synchronization

/// One audit entry before it is chained.
package struct AuditEntry: Sendable {
    package var at: Date = Date()
    package var userID: Int64?
    package var username: String
    package var address: String
    /// `core` or the plugin id.
    package var source: String
    /// `view`, `create`, `amend`, `login`, `login-failed`, `account-created`, `export`, …
    package var action: String
    package var residentID: Int64?
    package var detail: String
    /// The outbox row promising this entry (`Outbox`): removed in the transaction that chains the entry.
    package var outboxID: Int64?

    package init(at: Date = Date(), userID: Int64?, username: String, address: String, source: String, action: String,
                 residentID: Int64? = nil, detail: String, outboxID: Int64? = nil) {
        self.outboxID = outboxID
        self.at = at
        self.userID = userID
        self.username = username
        self.address = address
        self.source = source
        self.action = action
        self.residentID = residentID
        self.detail = detail
    }
}

/// The append-only, tamper-evident audit trail. Each entry stores the hash of the one before it, so an
/// edited or removed row breaks the chain (`verify`).
///
/// Writes never happen on the caller's thread (a plugin may record while inside its own write
/// transaction, and SQLite writes cannot nest). Entries for changes are flushed at once on a serial
/// queue; entries for views are grouped and flushed once a second (group commit), so a page view costs
/// no fsync. A power cut can lose at most the last second of view entries, and the entry for a change
/// made in the last moments before it; the clinical records themselves carry who and when.
package final class AuditLog: Sendable {
    let pool: DatabasePool
    let logger: Logger
    /// The key and the head record outside the database; nil only for a home opened without one (tests
    /// of older behaviour): then entries are chained with plain SHA-256.
    package let anchor: AuditAnchor?
    private let keyedFrom = Mutex<Int64??>(nil)
    private let pending = Mutex<[AuditEntry]>([])
    /// Outbox rows of events already delivered, removed in the next flush's transaction (no write of their own).
    private let delivered = Mutex<[Int64]>([])
    private let queue = DispatchQueue(label: "carehome.audit")
    private let timer: any DispatchSourceTimer
    static let genesis = String(repeating: "0", count: 64)

    package init(home: HomeDatabase, logger: Logger, anchor: AuditAnchor? = nil) {
        pool = home.pool
        self.logger = logger
        self.anchor = anchor
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.flushNow() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Queues an entry. `durable`: flush right away (changes, sign-ins); otherwise within a second.
    package func record(_ entry: AuditEntry, durable: Bool) {
        pending.withLock { $0.append(entry) }
        if durable { queue.async { [weak self] in self?.flushNow() } }
    }

    /// Removes delivered events' outbox rows with the next flush (a crash before then delivers them again,
    /// which idempotent handlers allow).
    func settleDelivered(_ outboxIDs: [Int64]) {
        guard !outboxIDs.isEmpty else { return }
        delivered.withLock { $0.append(contentsOf: outboxIDs) }
    }

    /// Writes every queued entry now and waits for it (shutdown, tests, exports).
    package func flush() {
        queue.sync { flushNow() }
    }

    /// Must run on `queue`: the chain is extended by one writer at a time.
    private func flushNow() {
        let batch = pending.withLock { list in defer { list = [] }; return list }
        let settled = delivered.withLock { list in defer { list = [] }; return list }
        guard !batch.isEmpty || !settled.isEmpty else { return }
        do {
            let head = try pool.write { db -> AuditAnchor.Mark? in
                for id in settled { try db.execute(sql: "DELETE FROM core_outbox WHERE id = ? AND kind = 'event'", arguments: [id]) }
                guard !batch.isEmpty else { return nil }
                var previous = try String.fetchOne(db, sql: "SELECT hash FROM core_audit ORDER BY id DESC LIMIT 1") ?? AuditLog.genesis
                // Compiled once per connection, not once per entry (a busy home queues thousands of views a minute).
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO core_audit (at, user_id, username, address, source, action, resident_id, detail, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                var first: Int64?
                for entry in batch {
                    let at = Timestamp.format(entry.at)
                    let text = AuditLog.text(previous: previous, at: at, userID: entry.userID, username: entry.username,
                                             address: entry.address, source: entry.source, action: entry.action,
                                             residentID: entry.residentID, detail: entry.detail)
                    let hash = anchor?.keyedHash(text) ?? sha256Hex(text)
                    try insert.execute(arguments: [at, entry.userID, entry.username, entry.address, entry.source, entry.action,
                                         entry.residentID, entry.detail, previous, hash])
                    previous = hash
                    first = first ?? db.lastInsertedRowID
                    if let promise = entry.outboxID {
                        try db.execute(sql: "DELETE FROM core_outbox WHERE id = ? AND kind = 'audit'", arguments: [promise])
                    }
                }
                let keyed = try keyedFrom.withLock { known -> Int64? in
                    if let known { return known }
                    let found = try anchor?.head()?.keyedFrom
                        ?? Int64.fetchOne(db, sql: "SELECT MIN(id) FROM core_audit WHERE hash LIKE 'k1:%' AND id < ?", arguments: [first ?? 0])
                        ?? (anchor == nil ? nil : first)
                    known = .some(found)
                    return found
                }
                return AuditAnchor.Mark(id: db.lastInsertedRowID, hash: previous, keyedFrom: keyed)
            }
            // After the commit: the head outside the database now shows any entry removed from the end. The
            // entries are saved whatever happens to this file: never queue them again.
            do { if let head { try anchor?.saveHead(head) } } catch {
                logger.error("audit head not recorded outside the database", metadata: ["error": .string("\(error)")])
            }
        } catch {
            // Keep them for the next flush rather than lose them.
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            delivered.withLock { $0.insert(contentsOf: settled, at: 0) }
            logger.error("audit flush failed", metadata: ["error": .string("\(error)"), "audit.pending": .stringConvertible(batch.count)])
        }
    }

    /// What an entry's hash covers: its fields and the previous entry's hash, each length-prefixed so that
    /// moving text between fields changes the hash.
    package static func text(previous: String, at: String, userID: Int64?, username: String, address: String, source: String,
                     action: String, residentID: Int64?, detail: String) -> String {
        let fields = [previous, at, userID.map(String.init) ?? "", username, address, source, action,
                      residentID.map(String.init) ?? "", detail]
        return fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }

    /// An entry's hash as this home writes it: keyed (HMAC) with the home's key, or plain SHA-256 for a
    /// home without one. Shared by the log and `carehome generate-home`, so generated history verifies.
    package static func entryHash(_ text: String, anchor: AuditAnchor?) -> String {
        anchor?.keyedHash(text) ?? sha256Hex(text)
    }

    /// Records the chain's head outside the database after entries were written straight into it (the
    /// history `carehome generate-home` adds), as a flush would.
    package func recordHead() throws {
        guard let anchor else { return }
        let mark = try pool.read { db -> AuditAnchor.Mark? in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM core_audit ORDER BY id DESC LIMIT 1") else { return nil }
            let keyedFrom = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM core_audit WHERE hash LIKE 'k1:%'")
            return AuditAnchor.Mark(id: row["id"], hash: row["hash"], keyedFrom: keyedFrom)
        }
        if let mark { try anchor.saveHead(mark) }
    }

    /// The result of checking the chain.
    package struct Verification: Sendable {
        /// Entries checked in this run (after the checkpoint, unless a full pass).
        package var entries: Int
        /// The id of the first entry whose link or content does not match, if any.
        package var firstBrokenID: Int64?
        package var problem: String?
        /// Where this run started: after the checkpoint entry (0: from the first entry).
        package var startedAfter: Int64 = 0
        /// The last entry checked, to save as the next checkpoint.
        package var last: AuditAnchor.Mark?
        /// Entries whose keyed hash could not be checked because no key was given.
        package var unkeyedChecks: Int = 0
    }

    /// Checks the chain with this log's key and head (see the static `verify`), without moving the checkpoint.
    package func verify(full: Bool = true) throws -> Verification {
        try AuditLog.verify(pool: pool, anchor: anchor, full: full)
    }

    /// Checks the chain: from the last checkpoint (`full: false`) or from the first entry. With the anchor,
    /// each keyed entry's HMAC is checked, no entry after the first keyed one may be unkeyed, and the head
    /// recorded outside the database must still be there, unchanged: removing entries from the end, or all
    /// of them, shows.
    package static func verify(pool: DatabasePool, anchor: AuditAnchor?, full: Bool) throws -> Verification {
        // The head is read before the snapshot: every entry it names has committed, so the snapshot has it.
        try verify(pool: pool, anchor: anchor, full: full, head: anchor?.head())
    }

    /// Checks a chain against a given head instead of the one recorded beside the key: a restored copy
    /// of a backup ends earlier than the live trail, at the entry the restore drill found in both.
    package static func verify(pool: DatabasePool, anchor: AuditAnchor?, full: Bool, head: AuditAnchor.Mark?) throws -> Verification {
        let checkpoint = full ? nil : anchor?.checkpoint()
        return try pool.read { db in
            var previous = genesis
            var startedAfter: Int64 = 0
            let keyedFrom = head?.keyedFrom ?? checkpoint?.keyedFrom
            // The archive comes first in the chain: read back in full on a full pass; otherwise only its
            // segments' links are checked (each entry was checked as it moved into the archive).
            let archive = try AuditArchive.verifySegments(db, anchor: anchor, keyedFrom: keyedFrom, full: checkpoint == nil)
            if let problem = archive.problem {
                return Verification(entries: archive.entries, firstBrokenID: archive.brokenID, problem: problem)
            }
            var count = 0, unchecked = 0
            var last = checkpoint
            // Live entries are read from after this one.
            var liveAfter: Int64 = 0
            if let checkpoint, let archived = archive.lastID, checkpoint.id <= archived {
                // The checkpoint's entry has since moved into the archive: continue from the archive's end.
                previous = archive.lastHash
                startedAfter = archived
                liveAfter = archived
                last = AuditAnchor.Mark(id: archived, hash: archive.lastHash, keyedFrom: keyedFrom)
            } else if let checkpoint {
                let stored = try String.fetchOne(db, sql: "SELECT hash FROM core_audit WHERE id = ?", arguments: [checkpoint.id])
                guard stored == checkpoint.hash else {
                    return Verification(entries: 0, firstBrokenID: checkpoint.id, problem: "entry \(checkpoint.id), which an earlier check passed, was changed or removed", startedAfter: checkpoint.id)
                }
                previous = checkpoint.hash
                startedAfter = checkpoint.id
                liveAfter = checkpoint.id
            } else if let archived = archive.lastID {
                count = archive.entries
                unchecked = archive.unkeyedChecks
                previous = archive.lastHash
                liveAfter = archived
                last = AuditAnchor.Mark(id: archived, hash: archive.lastHash, keyedFrom: keyedFrom)
            }
            var expectedID = liveAfter + 1
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM core_audit WHERE id > ? ORDER BY id", arguments: [liveAfter])
            while let row = try cursor.next() {
                count += 1
                let id: Int64 = row["id"]
                let broken = { (problem: String) in Verification(entries: count, firstBrokenID: id, problem: problem, startedAfter: startedAfter, last: last) }
                let stored: String = row["previous_hash"]
                if id > expectedID, stored != previous {
                    let gap = id - expectedID == 1 ? "entry \(expectedID) has" : "entries \(expectedID) to \(id - 1) have"
                    return broken("entry \(id) does not follow the entry before it: \(gap) been removed (found in neither the archive nor the live trail)")
                }
                expectedID = id + 1
                guard stored == previous else {
                    return broken("entry \(id) does not follow the entry before it (an entry was removed or inserted)")
                }
                let text = AuditLog.text(previous: previous, at: row["at"], userID: row["user_id"], username: row["username"],
                                         address: row["address"], source: row["source"], action: row["action"],
                                         residentID: row["resident_id"], detail: row["detail"])
                let hash: String = row["hash"]
                if hash.hasPrefix("k1:") {
                    if let anchor {
                        guard hash == anchor.keyedHash(text) else { return broken("entry \(id) was changed after it was written") }
                    } else {
                        unchecked += 1
                    }
                } else {
                    if let keyedFrom, id >= keyedFrom {
                        return broken("entry \(id) is not keyed although every entry from \(keyedFrom) is: it was rewritten without the key")
                    }
                    guard hash == sha256Hex(text) else { return broken("entry \(id) was changed after it was written") }
                }
                previous = hash
                last = AuditAnchor.Mark(id: id, hash: hash, keyedFrom: keyedFrom)
            }
            var result = Verification(entries: count, firstBrokenID: nil, problem: nil, startedAfter: startedAfter, last: last, unkeyedChecks: unchecked)
            if let anchor, head == nil, try Int.fetchOne(db, sql: "SELECT 1 FROM core_audit WHERE hash LIKE 'k1:%' LIMIT 1") != nil {
                result.problem = "the record of the chain's head (\(anchor.headFile.path)) is missing, so entries removed from the end would not show"
            }
            if let head {
                let lastID = last?.id ?? 0
                if lastID < head.id {
                    result.firstBrokenID = lastID + 1
                    result.problem = lastID == 0
                        ? "every entry up to \(head.id) has been removed (the chain's head, kept outside the database, is entry \(head.id))"
                        : "the entries after \(lastID), up to \(head.id), have been removed (the chain's head, kept outside the database, is entry \(head.id))"
                } else if try String.fetchOne(db, sql: "SELECT hash FROM core_audit WHERE id = ?", arguments: [head.id]) != head.hash {
                    result.firstBrokenID = head.id
                    result.problem = "entry \(head.id), the chain's head when last written, has been changed"
                }
            }
            return result
        }
    }

    /// Verifies (from the checkpoint, or fully) and, when the chain is intact, moves the checkpoint on.
    package func verifyAndCheckpoint(full: Bool) throws -> Verification {
        flush()
        let result = try AuditLog.verify(pool: pool, anchor: anchor, full: full)
        if result.problem == nil, let anchor, let last = result.last { try anchor.saveCheckpoint(last) }
        return result
    }

    /// The number of entries and the head (for /metrics and the log).
    package func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_audit") ?? 0 }
    }

    /// A page of entries, newest first, filtered.
    package struct Filter: Sendable {
        package var residentID: Int64?
        package var username: String?
        package var from: Day?
        package var to: Day?
        package init(residentID: Int64? = nil, username: String? = nil, from: Day? = nil, to: Day? = nil) {
            self.residentID = residentID
            self.username = username
            self.from = from
            self.to = to
        }
    }

    package struct Row_: Sendable {
        package var id: Int64
        package var at: Date
        package var username: String
        package var address: String
        package var source: String
        package var action: String
        package var residentID: Int64?
        package var detail: String
    }

    /// Entries newest first, `limit` of them, older than `before` when given (keyset paging: the
    /// next page starts after the last entry shown, so a page deep in ten years costs what the first
    /// does). Each filter has an index that gives the entries in this order: resident (resident_id, at),
    /// user (username, at), dates (at).
    package func entries(_ filter: Filter, limit: Int, before: (at: Date, id: Int64)? = nil) throws -> [Row_] {
        flush()
        var clauses = [String]()
        var arguments = StatementArguments()
        if let resident = filter.residentID { clauses.append("resident_id = ?"); arguments += [resident] }
        if let user = filter.username, !user.isEmpty { clauses.append("username = ?"); arguments += [user.lowercased()] }
        if let from = filter.from { clauses.append("at >= ?"); arguments += [Timestamp.format(HomeTime.startOf(from))] }
        if let to = filter.to { clauses.append("at < ?"); arguments += [Timestamp.format(HomeTime.startOf(to.adding(days: 1)))] }
        if let before { clauses.append("(at, id) < (?, ?)"); arguments += [Timestamp.format(before.at), before.id] }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments += [limit]
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM core_audit \(whereSQL) ORDER BY at DESC, id DESC LIMIT ?", arguments: arguments).map { row in
                Row_(id: row["id"], at: Timestamp.parse(row["at"]) ?? Date(), username: row["username"], address: row["address"],
                     source: row["source"], action: row["action"], residentID: row["resident_id"], detail: row["detail"])
            }
        }
    }
}
