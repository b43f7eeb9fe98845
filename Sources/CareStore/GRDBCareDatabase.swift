import CareKit
import Foundation
import GRDB
import Synchronization

/// CareKit's database API over GRDB. Plugins see only SQL text and `SQLValue`s, never GRDB types,
/// so a plugin cannot change connection settings or hold a transaction open across requests.
struct GRDBCareDatabase: CareDatabase {
    let pool: DatabasePool
    let events: EventSink

    func read<T>(_ body: (any SQLReader) throws -> T) throws -> T {
        try pool.read { db in try body(SQLReaderAdapter(db: db)) }
    }

    func write<T>(_ body: (any SQLWriter) throws -> T) throws -> T {
        let queued = EventQueue()
        let result = try pool.write { db in try body(SQLWriterAdapter(db: db, events: queued)) }
        // `pool.write` has committed by now: only now may other plugins hear about it.
        events.deliver(queued.drain())
        return result
    }
}

/// Events published inside one write transaction, held until it commits.
final class EventQueue: Sendable {
    private let items = Mutex<[CareEvent]>([])
    func append(_ event: CareEvent) { items.withLock { $0.append(event) } }
    func drain() -> [CareEvent] { items.withLock { list in defer { list = [] }; return list } }
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
        try db.execute(sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
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
    let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
    return rows.map { row in
        SQLRow(columns: Array(row.columnNames), values: row.databaseValues.map(SQLValue.init(databaseValue:)))
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
