import CareStore
import Foundation
import GRDB
import Testing

/// `PRAGMA quick_check` reads every page of the file: seconds in a home's tenth year, on every start.
/// It runs when the home was not closed cleanly (the last process died with a write-ahead log left
/// behind), where damage is most likely; `carehome check` and every backup run the full check.
@Suite("Checking the database when it opens")
struct OpenCheckTests {
    /// A home with a few hundred pages of rows, copied (file and log) while still open: what a power
    /// cut leaves. The copy's main file has pages in the middle overwritten.
    static func damagedCopy(leaveLog: Bool) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-open-\(UUID().uuidString)")
        let live = root.appendingPathComponent("live")
        let copy = root.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let database = try HomeDatabase.open(dataDirectory: live)
        try database.pool.write { db in
            try db.execute(sql: "CREATE TABLE test_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT")
            for n in 0..<400 { try db.execute(sql: "INSERT INTO test_rows (body) VALUES (?)", arguments: [String(repeating: "x", count: 2_000) + "\(n)"]) }
        }
        try database.pool.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        if leaveLog {
            try database.pool.write { db in try db.execute(sql: "UPDATE test_rows SET body = 'changed' WHERE id = 1") }
        }
        let file = live.appendingPathComponent(HomeDatabase.fileName)
        var bytes = try Data(contentsOf: file)
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        for offset in (100 * pageSize)..<(110 * pageSize) { bytes[offset] = 0xA5 }
        try bytes.write(to: copy.appendingPathComponent(HomeDatabase.fileName))
        let log = URL(fileURLWithPath: file.path + "-wal")
        if leaveLog { try FileManager.default.copyItem(at: log, to: URL(fileURLWithPath: copy.appendingPathComponent(HomeDatabase.fileName).path + "-wal")) }
        return copy
    }

    @Test("a home left with a write-ahead log (the last process died) is checked as it opens, and damage stops it")
    func checkedAfterUncleanShutdown() throws {
        let copy = try Self.damagedCopy(leaveLog: true)
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        #expect { try HomeDatabase.open(dataDirectory: copy) } throws: { ($0 as? StoreError)?.code == .damaged }
    }

    @Test("a home closed cleanly opens without reading every page; carehome check's integrity check still finds the damage")
    func notCheckedAfterCleanShutdown() throws {
        let copy = try Self.damagedCopy(leaveLog: false)
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let database = try HomeDatabase.open(dataDirectory: copy)
        #expect(!(try database.integrityProblems()).isEmpty)
    }
}
