import CareKit
import CareStore
import Foundation
import GRDB
import Testing

@Suite("The home's database")
struct HomeDatabaseTests {
    func freshDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("carehome-store-\(UUID().uuidString)")
    }

    @Test("the writer runs with synchronous=FULL, WAL, foreign keys on (GRDB would lower synchronous to NORMAL), and a 512 KiB page cache per connection")
    func durabilitySettings() throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let home = try HomeDatabase.open(dataDirectory: directory)
        #expect(try home.pragma("synchronous") == "2")
        #expect(try home.pragma("journal_mode") == "wal")
        #expect(try home.pragma("foreign_keys") == "1")
        #expect(try home.pragma("cache_size") == "-512", "each connection keeps at most 512 KiB of pages")
        #expect(try home.pool.read { db in try String.fetchOne(db, sql: "PRAGMA cache_size") } == "-512", "readers too")
    }

    @Test("a plugin's migrations run once each and are recorded with its id")
    func migrationsRecorded() throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let home = try HomeDatabase.open(dataDirectory: directory)
        let migrations = [Migration(1, "one", sql: "CREATE TABLE demo_a (id INTEGER PRIMARY KEY) STRICT;"),
                          Migration(2, "two", sql: "INSERT INTO demo_a DEFAULT VALUES;")]
        try home.migrate(pluginID: "demo", migrations: migrations, events: EventSink())
        try home.migrate(pluginID: "demo", migrations: migrations, events: EventSink())
        #expect(try home.appliedMigrations(pluginID: "demo") == [1, 2])
        #expect(try home.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM demo_a") } == 1)
    }

    @Test("a write that throws leaves nothing behind")
    func writeRollsBack() throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let home = try HomeDatabase.open(dataDirectory: directory)
        try home.migrate(pluginID: "demo", migrations: [Migration(1, "t", sql: "CREATE TABLE demo_t (v TEXT NOT NULL) STRICT;")], events: EventSink())
        let database = home.careDatabase(events: EventSink())
        #expect(throws: CareError.self) {
            try database.write { db in
                try db.execute("INSERT INTO demo_t VALUES (?)", ["x"])
                throw CareError.conflict("stop")
            }
        }
        #expect(try database.read { try $0.scalar("SELECT COUNT(*) FROM demo_t") } == 0)
    }

    @Test("values round-trip through SQLValue: text, integers, reals, NULL, days and instants")
    func valuesRoundTrip() throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let home = try HomeDatabase.open(dataDirectory: directory)
        try home.migrate(pluginID: "demo", migrations: [Migration(1, "t", sql: "CREATE TABLE demo_v (t TEXT, i INTEGER, r REAL, n TEXT, d TEXT, at TEXT) STRICT;")], events: EventSink())
        let database = home.careDatabase(events: EventSink())
        let day = Day(year: 2026, month: 2, day: 28)
        let instant = Date(timeIntervalSince1970: 1_790_000_000)
        try database.write { db in
            try db.execute("INSERT INTO demo_v VALUES (?, ?, ?, ?, ?, ?)", [SQLValue("Zoë's"), SQLValue(42), SQLValue(1.5), .null, SQLValue(day), SQLValue(instant)])
        }
        let row = try #require(try database.read { try $0.queryOne("SELECT * FROM demo_v") })
        #expect(row.string("t") == "Zoë's")
        #expect(row.int("i") == 42)
        #expect(row.double("r") == 1.5)
        #expect(row["n"] == .null)
        #expect(row.day("d") == day)
        #expect(row.date("at") == instant)
    }
}
