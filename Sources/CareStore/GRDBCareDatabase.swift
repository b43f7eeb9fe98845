import CareKit
import Foundation
import GRDB
import Synchronization

/// CareKit's database API over GRDB. Plugins see only SQL text and `SQLValue`s, never GRDB types,
/// so a plugin cannot change connection settings or hold a transaction open across requests.
struct GRDBCareDatabase: CareDatabase {
    let pool: DatabasePool
    let events: EventSink
    let commits: CommitCounter
    let sealing: RecordSealing

    var commitCount: Int64? { commits.value }

    func read<T>(_ body: (any SQLReader) throws -> T) throws -> T {
        try pool.read { db in try body(SQLReaderAdapter(db: db)) }
    }

    func write<T>(_ body: (any SQLWriter) throws -> T) throws -> T {
        let queued = EventQueue()
        var outboxIDs: [Int64] = []
        let sealer = sealing.sealer
        let result = try pool.write { db in
            // Every row this write touches is sealed before it commits (RecordSeals).
            let touched = sealer.map { _ in TouchedRows() }
            if let touched { db.add(transactionObserver: touched, extent: .observerLifetime) }
            defer { if let touched { db.remove(transactionObserver: touched) } }
            let result = try body(SQLWriterAdapter(db: db, events: queued))
            if let touched, let sealer { try RecordSeals.seal(db, touched.keys, with: sealer) }
            // Inside the transaction: what must follow this change (its events, the promise of its audit
            // entry) commits with it or not at all (the transactional outbox).
            outboxIDs = try events.storeInOutbox(db, queued.peek())
            return result
        }
        // `pool.write` has committed by now: only now may caches and other plugins hear about it.
        commits.increment()
        events.deliver(queued.drain(), outboxIDs: outboxIDs)
        return result
    }
}

/// Counts committed plugin writes, for `CareDatabase.commitCount` (one per home database).
package final class CommitCounter: Sendable {
    private let count = Atomic<Int64>(0)
    package init() {}
    var value: Int64 { count.load(ordering: .acquiring) }
    func increment() { count.add(1, ordering: .releasing) }
}

/// Events published inside one write transaction, held until it commits.
final class EventQueue: Sendable {
    private let items = Mutex<[CareEvent]>([])
    func append(_ event: CareEvent) { items.withLock { $0.append(event) } }
    func drain() -> [CareEvent] { items.withLock { list in defer { list = [] }; return list } }
    func peek() -> [CareEvent] { items.withLock { $0 } }
}

struct SQLReaderAdapter: SQLReader {
    let db: Database

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        try fetchRows(db, sql, arguments)
    }
}

struct SQLWriterAdapter: SQLWriter {
    let db: Database
    let events: EventQueue?

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        try fetchRows(db, sql, arguments)
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws {
        let values = StatementArguments(arguments.map(\.databaseValue))
        if let statement = try StatementReuse.shared.statement(db, sql) {
            try statement.execute(arguments: values)
        } else {
            try db.execute(sql: sql, arguments: values)
        }
    }

    func executeScript(_ sql: String) throws {
        try db.execute(sql: sql)
    }

    var lastInsertedRowID: Int64 { db.lastInsertedRowID }

    var changedRowCount: Int { db.changesCount }

    func publishAfterCommit(_ event: CareEvent) {
        events?.append(event)
    }
}

private func fetchRows(_ db: Database, _ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
    let values = StatementArguments(arguments.map(\.databaseValue))
    let statement = try StatementReuse.shared.statement(db, sql) ?? db.makeStatement(sql: sql)
    let columns = statement.columnNames  // one array shared by every row
    var rows = [SQLRow]()
    let cursor = try Row.fetchCursor(statement, arguments: values)
    while let row = try cursor.next() {
        rows.append(SQLRow(columns: columns, values: row.databaseValues.map(SQLValue.init(databaseValue:))))
    }
    return rows
}

/// Which SQL texts get a prepared statement kept on each connection (GRDB's statement cache), so a
/// page that runs the same queries on every request does not compile them every time. The cache has no
/// bound of its own, and SQL text built with values in it would make it grow for ever: only the first
/// `limit` distinct texts are kept; any others are compiled each time, which is correct, only slower.
final class StatementReuse: Sendable {
    static let shared = StatementReuse(limit: 400)

    private let limit: Int
    /// Each admitted text, and whether it turned out to be one statement (nil: not tried yet).
    private let admitted = Mutex<[String: Bool?]>([:])

    init(limit: Int) { self.limit = limit }

    /// The connection's reusable statement for `sql`, or nil when the text is one statement too many,
    /// or several statements (run those with `db.execute`).
    func statement(_ db: Database, _ sql: String) throws -> Statement? {
        let reusable: Bool? = admitted.withLock { texts in
            if let known = texts[sql] { return known }
            guard texts.count < limit else { return false }
            texts[sql] = .some(nil)
            return nil
        }
        if reusable == false { return nil }
        do {
            let statement = try db.cachedStatement(sql: sql)
            if reusable == nil { admitted.withLock { $0[sql] = true } }
            return statement
        } catch let error as DatabaseError where error.resultCode == .SQLITE_MISUSE {
            admitted.withLock { $0[sql] = false }
            return nil  // several statements in one text: GRDB's execute runs them in turn
        }
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }

    init(databaseValue: DatabaseValue) {
        switch databaseValue.storage {
        case .null: self = .null
        case .int64(let value): self = .integer(value)
        case .double(let value): self = .real(value)
        case .string(let value): self = .text(value)
        case .blob(let data): self = .blob([UInt8](data))
        }
    }
}
