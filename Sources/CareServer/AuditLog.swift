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

    package init(at: Date = Date(), userID: Int64?, username: String, address: String, source: String, action: String,
                 residentID: Int64? = nil, detail: String) {
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
    private let pending = Mutex<[AuditEntry]>([])
    private let queue = DispatchQueue(label: "carehome.audit")
    private let timer: any DispatchSourceTimer
    static let genesis = String(repeating: "0", count: 64)

    package init(home: HomeDatabase, logger: Logger) {
        pool = home.pool
        self.logger = logger
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

    /// Writes every queued entry now and waits for it (shutdown, tests, exports).
    package func flush() {
        queue.sync { flushNow() }
    }

    /// Must run on `queue`: the chain is extended by one writer at a time.
    private func flushNow() {
        let batch = pending.withLock { list in defer { list = [] }; return list }
        guard !batch.isEmpty else { return }
        do {
            try pool.write { db in
                var previous = try String.fetchOne(db, sql: "SELECT hash FROM core_audit ORDER BY id DESC LIMIT 1") ?? AuditLog.genesis
                // Compiled once per connection, not once per entry (a busy home queues thousands of views a minute).
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO core_audit (at, user_id, username, address, source, action, resident_id, detail, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for entry in batch {
                    let at = Timestamp.format(entry.at)
                    let hash = AuditLog.hash(previous: previous, at: at, userID: entry.userID, username: entry.username,
                                             address: entry.address, source: entry.source, action: entry.action,
                                             residentID: entry.residentID, detail: entry.detail)
                    try insert.execute(arguments: [at, entry.userID, entry.username, entry.address, entry.source, entry.action,
                                         entry.residentID, entry.detail, previous, hash])
                    previous = hash
                }
            }
        } catch {
            // Keep them for the next flush rather than lose them.
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            logger.error("audit flush failed", metadata: ["error": .string("\(error)"), "audit.pending": .stringConvertible(batch.count)])
        }
    }

    package static func hash(previous: String, at: String, userID: Int64?, username: String, address: String, source: String,
                     action: String, residentID: Int64?, detail: String) -> String {
        let fields = [previous, at, userID.map(String.init) ?? "", username, address, source, action,
                      residentID.map(String.init) ?? "", detail]
        // Length-prefixed so that moving text between fields changes the hash.
        return sha256Hex(fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|"))
    }

    /// The result of checking the chain.
    package struct Verification: Sendable {
        package var entries: Int
        /// The id of the first entry whose link or content does not match, if any.
        package var firstBrokenID: Int64?
        package var problem: String?
    }

    /// Recomputes every link from the start.
    package static func verify(pool: DatabasePool) throws -> Verification {
        try pool.read { db in
            var previous = genesis
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM core_audit ORDER BY id")
            while let row = try cursor.next() {
                count += 1
                let id: Int64 = row["id"]
                let stored: String = row["previous_hash"]
                guard stored == previous else {
                    return Verification(entries: count, firstBrokenID: id, problem: "entry \(id) does not follow the entry before it (an entry was removed or inserted)")
                }
                let expected = hash(previous: previous, at: row["at"], userID: row["user_id"], username: row["username"],
                                    address: row["address"], source: row["source"], action: row["action"],
                                    residentID: row["resident_id"], detail: row["detail"])
                let hash: String = row["hash"]
                guard hash == expected else {
                    return Verification(entries: count, firstBrokenID: id, problem: "entry \(id) was changed after it was written")
                }
                previous = hash
            }
            return Verification(entries: count, firstBrokenID: nil, problem: nil)
        }
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
