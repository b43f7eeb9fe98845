import CareKit
import CareStore
import Foundation
import GRDB
import Logging
import Synchronization

/// The request whose handler is running on this thread, while it runs: so that the first write it
/// commits also commits the promise of its audit entry (`Outbox`).
final class ChangeScope: Sendable {
    @TaskLocal static var current: ChangeScope?

    let userID: Int64
    let username: String
    let address: String
    let source: String
    let method: String
    let path: String
    private let state = Mutex<(outboxID: Int64?, audited: Bool)>((nil, false))

    init(request: Request, source: String) {
        userID = request.principal.userID
        username = request.principal.username
        address = request.remoteAddress
        self.source = source
        method = request.method.rawValue
        path = request.path
    }

    /// The outbox row promising this request's audit entry, once one of its writes has committed.
    var outboxID: Int64? { state.withLock { $0.outboxID } }
    var audited: Bool { state.withLock { $0.audited } }
    func claimOutboxRow(_ make: () throws -> Int64) rethrows {
        guard state.withLock({ $0.outboxID == nil }) else { return }
        let id = try make()
        state.withLock { $0.outboxID = id }
    }
    /// An audit entry for a change has been queued with the outbox row: it settles the promise.
    func markAudited() { state.withLock { $0.audited = true } }
}

/// The transactional outbox. Inside every write transaction (`EventSink.connectOutbox`) it stores the
/// transaction's events, and, for the first write of a request, a promise of that request's audit entry,
/// so both commit with the change or not at all. After the commit the events are delivered and their
/// rows removed with the next audit flush; the audit entry removes its promise in the transaction that
/// chains it. After a
/// crash, `recover` delivers what was never delivered (the handlers are idempotent: at least once is
/// safe) and writes an audit entry for every promise left, from what the promise recorded.
struct Outbox {
    let pool: DatabasePool

    struct Promise: Codable {
        var userID: Int64
        var username: String
        var address: String
        var source: String
        var method: String
        var path: String
        var at: String
        var residentID: Int64?
    }

    static func store(_ db: Database, events: [CareEvent]) throws -> [Int64] {
        let now = Timestamp.format(Date())
        if let scope = ChangeScope.current {
            try scope.claimOutboxRow {
                let promise = Promise(userID: scope.userID, username: scope.username, address: scope.address, source: scope.source,
                                      method: scope.method, path: scope.path, at: now, residentID: events.lazy.compactMap(\.residentID).first)
                try db.execute(sql: "INSERT INTO core_outbox (kind, payload, created_at) VALUES ('audit', ?, ?)",
                               arguments: [String(decoding: try JSONEncoder().encode(promise), as: UTF8.self), now])
                return db.lastInsertedRowID
            }
        }
        return try events.map { event in
            try db.execute(sql: "INSERT INTO core_outbox (kind, payload, created_at) VALUES ('event', ?, ?)",
                           arguments: [String(decoding: try JSONEncoder().encode(event), as: UTF8.self), now])
            return db.lastInsertedRowID
        }
    }

    /// After a start: delivers every event left undelivered, oldest first, and writes an audit entry for
    /// every promise left. Returns how many of each.
    func recover(deliver: ([CareEvent], [Int64]) -> Void, audit: AuditLog, logger: Logger) throws -> (events: Int, audits: Int) {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT id, kind, payload FROM core_outbox ORDER BY id") }
        var events = 0, audits = 0
        for row in rows {
            let id: Int64 = row["id"], kind: String = row["kind"], payload: String = row["payload"]
            switch kind {
            case "event":
                guard let event = try? JSONDecoder().decode(CareEvent.self, from: Data(payload.utf8)) else {
                    // An event this version cannot read (written by a newer one, then downgraded): keep it, say so.
                    logger.error("outbox event cannot be read; kept", metadata: ["outbox.id": .stringConvertible(id)])
                    continue
                }
                deliver([event], [id])
                events += 1
            case "audit":
                guard let promise = try? JSONDecoder().decode(Promise.self, from: Data(payload.utf8)) else { continue }
                let entry = AuditEntry(at: Timestamp.parse(promise.at) ?? Date(), userID: promise.userID, username: promise.username,
                                       address: promise.address, source: promise.source, action: "change-recovered",
                                       residentID: promise.residentID,
                                       detail: "a change saved by \(promise.method) \(promise.path); its own audit entry was cut off by a restart",
                                       outboxID: id)
                audit.record(entry, durable: true)
                audits += 1
            default:
                continue
            }
        }
        audit.flush()
        return (events, audits)
    }
}
