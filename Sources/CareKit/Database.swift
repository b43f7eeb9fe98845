public import Foundation
import Synchronization

/// A value stored in or read from SQLite.
@frozen public enum SQLValue: Sendable, Equatable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
    public init(nilLiteral: ()) { self = .null }

    /// Text, or NULL.
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    /// An integer, or NULL.
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    /// An integer, or NULL.
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    /// A real, or NULL.
    public init(_ value: Double?) { self = value.map { .real($0) } ?? .null }
    /// 1 or 0, or NULL.
    public init(_ value: Bool?) { self = value.map { .integer($0 ? 1 : 0) } ?? .null }
    /// A calendar day as `YYYY-MM-DD` text, or NULL.
    public init(_ value: Day?) { self = value.map { .text($0.iso) } ?? .null }
    /// An instant as ISO 8601 UTC text (`2026-11-23T08:00:00Z`), or NULL.
    public init(_ value: Date?) { self = value.map { .text(Timestamp.format($0)) } ?? .null }

    /// The value as text (numbers are converted); nil for NULL and blobs.
    public var text: String? {
        switch self {
        case .text(let s): s
        case .integer(let i): String(i)
        case .real(let d): String(d)
        case .null, .blob: nil
        }
    }

    /// The value as an integer; nil for NULL or text that is not a number.
    public var integer: Int64? {
        switch self {
        case .integer(let i): i
        case .real(let d): Int64(exactly: d.rounded(.towardZero))
        case .text(let s): Int64(s)
        case .null, .blob: nil
        }
    }

    /// The value as a real; nil for NULL.
    public var real: Double? {
        switch self {
        case .real(let d): d
        case .integer(let i): Double(i)
        case .text(let s): Double(s)
        case .null, .blob: nil
        }
    }
}

/// One row of a query's result, read by column name.
public struct SQLRow: Sendable {
    /// Column names, in the order selected.
    public let columns: [String]
    /// Values, in the same order.
    public let values: [SQLValue]

    /// Creates a row (the server does this).
    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of `column`. Reading a column the query did not return is a mistake in the code (a
    /// misspelt name, a column left out of the SELECT), never blank data: it stops a debug build and
    /// the tests at once, and in a release build is reported to the log and read as `.null`.
    public subscript(column: String) -> SQLValue {
        guard let index = columns.firstIndex(of: column) else {
            SQLRow.missingColumn(column, columns)
            return .null
        }
        return values[index]
    }

    /// Whether the query returned `column` (for code that reads rows of several shapes).
    public func has(_ column: String) -> Bool { columns.contains(column) }

    /// Called when a column that the query did not return is read. The server sets the release-build
    /// reporter (its log) once at start-up.
    public static func missingColumn(_ column: String, _ columns: [String]) {
        let message = "SQL row has no column \"\(column)\"; the query returned: \(columns.joined(separator: ", "))"
        #if DEBUG
        preconditionFailure(message)
        #else
        reporter.withLock { $0 }?(message)
        #endif
    }

    /// Where a release build reports a missing column (the server sets its log once at start-up).
    public static func reportMissingColumns(to report: @escaping @Sendable (String) -> Void) {
        reporter.withLock { $0 = report }
    }

    private static let reporter = Mutex<(@Sendable (String) -> Void)?>(nil)

    /// The value of `column`, which must be present and not NULL: a clear error otherwise.
    public func required(_ column: String) throws -> SQLValue {
        let value = self[column]
        guard value != .null else { throw CareError(.damagedRecord, "A stored record has no \(column): the database may be damaged. Run carehome check.") }
        return value
    }
    /// Text value of a required column.
    public func requiredString(_ column: String) throws -> String { try required(column).text ?? "" }
    /// Integer value of a required column.
    public func requiredInt64(_ column: String) throws -> Int64 {
        guard let value = try required(column).integer else { throw CareError(.damagedRecord, "A stored \(column) is not a number: run carehome check.") }
        return value
    }
    /// Calendar day of a required column.
    public func requiredDay(_ column: String) throws -> Day {
        guard let value = day(column) else { throw CareError(.damagedRecord, "A stored \(column) is not a date: run carehome check.") }
        return value
    }
    /// Instant of a required column.
    public func requiredDate(_ column: String) throws -> Date {
        guard let value = date(column) else { throw CareError(.damagedRecord, "A stored \(column) is not a time: run carehome check.") }
        return value
    }

    /// Text value of `column`.
    public func string(_ column: String) -> String? { self[column].text }
    /// Integer value of `column`.
    public func int64(_ column: String) -> Int64? { self[column].integer }
    /// Integer value of `column`.
    public func int(_ column: String) -> Int? { self[column].integer.map { Int($0) } }
    /// Real value of `column`.
    public func double(_ column: String) -> Double? { self[column].real }
    /// Boolean value of `column` (non-zero is true); nil for NULL.
    public func bool(_ column: String) -> Bool? { self[column].integer.map { $0 != 0 } }
    /// Calendar day stored as `YYYY-MM-DD`.
    public func day(_ column: String) -> Day? { string(column).flatMap { Day(iso: $0) } }
    /// Instant stored as ISO 8601 UTC text.
    public func date(_ column: String) -> Date? { string(column).flatMap { Timestamp.parse($0) } }
}

/// Read access inside one transaction.
public protocol SQLReader {
    /// Runs a query with `?` placeholders and returns every row.
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
}

extension SQLReader {
    /// Runs a query and returns the first row, or nil.
    public func queryOne(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLRow? {
        try query(sql, arguments).first
    }
    /// Runs a query whose first column of the first row is an integer (a count, an id).
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64? {
        try query(sql, arguments).first?.values.first?.integer
    }
    /// Runs a query with no arguments.
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }
}

/// Write access inside one transaction. Everything done through one `SQLWriter` commits together
/// or not at all; the server sends its reply only after the commit.
public protocol SQLWriter: SQLReader {
    /// Runs one statement with `?` placeholders.
    func execute(_ sql: String, _ arguments: [SQLValue]) throws
    /// Runs several statements with no arguments (a migration script).
    func executeScript(_ sql: String) throws
    /// The rowid of the last inserted row in this connection.
    var lastInsertedRowID: Int64 { get }
    /// How many rows the last statement changed.
    var changedRowCount: Int { get }
    /// Queues an event, delivered to every plugin's handlers only after this transaction commits
    /// (and never if it rolls back).
    func publishAfterCommit(_ event: CareEvent)
}

extension SQLWriter {
    /// Runs one statement with no arguments.
    public func execute(_ sql: String) throws { try execute(sql, []) }
}

/// The home's database. One writer at a time, many readers; WAL, foreign keys on,
/// `synchronous=FULL`; the server owns the connection settings and plugins cannot change them.
public protocol CareDatabase: Sendable {
    /// Runs `body` in a read-only transaction that sees one consistent snapshot.
    func read<T>(_ body: (any SQLReader) throws -> T) throws -> T
    /// Runs `body` in one write transaction. If `body` throws, nothing is written.
    func write<T>(_ body: (any SQLWriter) throws -> T) throws -> T
    /// A number that moves on each time a write transaction commits, by any plugin: equal numbers
    /// mean nothing was saved in between. Nil when the database cannot tell (then nothing is cached).
    var commitCount: Int64? { get }
}

extension CareDatabase {
    public var commitCount: Int64? { nil }
}

/// A value worked out from the database (a home-wide list of prompts, a dashboard count), kept until
/// anything is saved or the key (today's date, say) changes, so that pages viewed again and again do
/// not repeat the work. It never serves a value older than the last save the reader could see.
public final class DerivedValue<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let kept = Mutex<(commit: Int64, key: Key, value: Value)?>(nil)

    public init() {}

    /// The kept value if nothing was saved since it was worked out for `key`, else `compute()`'s.
    public func value(from database: any CareDatabase, key: Key, _ compute: () throws -> Value) rethrows -> Value {
        // Read the count before computing: a save that commits meanwhile leaves the value tagged with
        // the older count, so the next caller computes afresh.
        guard let commit = database.commitCount else { return try compute() }
        if let kept = kept.withLock({ $0 }), kept.commit == commit, kept.key == key { return kept.value }
        let value = try compute()
        kept.withLock { current in
            if let current, current.commit > commit { return }
            current = (commit, key, value)
        }
        return value
    }
}

/// A numbered schema change owned by one plugin. Migrations run once each, in order, each in its
/// own transaction, and are recorded with the plugin's id. A failing migration is rolled back
/// and the plugin is not loaded.
public struct Migration: Sendable {
    /// 1, 2, 3… per plugin. Never renumber or edit a migration that has shipped: add a new one.
    public var number: Int
    /// What it does, for the log (`create falls table`).
    public var name: String
    /// The change.
    public var apply: @Sendable (any SQLWriter) throws -> Void

    /// A migration written in Swift.
    public init(_ number: Int, _ name: String, apply: @escaping @Sendable (any SQLWriter) throws -> Void) {
        self.number = number
        self.name = name
        self.apply = apply
    }

    /// A migration written as an SQL script. Tables must be `STRICT` and prefixed with the plugin id.
    public init(_ number: Int, _ name: String, sql: String) {
        self.init(number, name) { try $0.executeScript(sql) }
    }
}

/// The one text form of an instant used in the database and in exports.
public enum Timestamp {
    /// `2026-11-23T08:00:00Z` (UTC, second precision).
    public static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let day = Day(daysSinceEpoch: Int(days))
        return day.iso + "T" + pad2(secondOfDay / 3600) + ":" + pad2(secondOfDay / 60 % 60) + ":" + pad2(secondOfDay % 60) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (also accepts a space for the `T`, and no `Z`).
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 19, let day = Day(iso: String(decoding: chars[0..<10], as: UTF8.self)) else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: chars[range], as: UTF8.self)) }
        guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<61).contains(second) else { return nil }
        let total = Int64(day.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: TimeInterval(total))
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
