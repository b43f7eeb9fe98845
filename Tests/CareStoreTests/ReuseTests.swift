import CareKit
import CareStore
import Foundation
import Testing

/// Prepared statements kept between requests, and values derived from the database kept until a save.
@Suite("Statement reuse and derived values")
struct ReuseTests {
    func home() throws -> (HomeDatabase, any CareDatabase, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-reuse-\(UUID().uuidString)")
        let home = try HomeDatabase.open(dataDirectory: directory)
        try home.migrate(pluginID: "demo", migrations: [Migration(1, "notes", sql: "CREATE TABLE demo_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;")],
                         events: EventSink())
        return (home, home.careDatabase(events: EventSink()), directory)
    }

    @Test("the same query text with different values gives each its own answer, and a script of several statements still runs")
    func reusedStatements() throws {
        let (_, database, directory) = try home()
        defer { try? FileManager.default.removeItem(at: directory) }
        for note in ["first", "second", "third"] {
            try database.write { try $0.execute("INSERT INTO demo_notes (note) VALUES (?)", [.text(note)]) }
        }
        for (id, note) in [(1, "first"), (3, "third"), (2, "second"), (1, "first")] {
            let rows = try database.read { try $0.query("SELECT note FROM demo_notes WHERE id = ?", [.integer(Int64(id))]) }
            #expect(rows.map { $0.string("note") } == [note])
        }
        let all = try database.read { try $0.query("SELECT id, note FROM demo_notes ORDER BY id") }
        #expect(all.map { $0.columns } == Array(repeating: ["id", "note"], count: 3))
        try database.write { try $0.executeScript("INSERT INTO demo_notes (note) VALUES ('fourth'); INSERT INTO demo_notes (note) VALUES ('fifth');") }
        try database.write { try $0.execute("DELETE FROM demo_notes WHERE note = 'first'; DELETE FROM demo_notes WHERE note = 'second';") }
        let left = try database.read { try $0.query("SELECT note FROM demo_notes ORDER BY id") }
        #expect(left.map { $0.string("note") } == ["third", "fourth", "fifth"])
    }

    @Test("the commit count moves on with each save through any plugin's database, not with a write that failed")
    func commitCount() throws {
        let (home, database, directory) = try home()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = home.careDatabase(events: EventSink())
        let start = try #require(database.commitCount)
        try database.write { try $0.execute("INSERT INTO demo_notes (note) VALUES ('a')") }
        #expect(database.commitCount == start + 1)
        try other.write { try $0.execute("INSERT INTO demo_notes (note) VALUES ('b')") }
        #expect(database.commitCount == start + 2, "a save by another plugin must count too")
        #expect(throws: (any Error).self) {
            try database.write { try $0.execute("INSERT INTO demo_notes (note) VALUES (NULL)") }
        }
        #expect(database.commitCount == start + 2)
    }

    @Test("a derived value is worked out once, then again after any save or when its key changes")
    func derivedValue() throws {
        let (home, database, directory) = try home()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = DerivedValue<String, Int>()
        var computed = 0
        func notes(_ key: String) throws -> Int {
            try count.value(from: database, key: key) {
                computed += 1
                return try database.read { try $0.query("SELECT id FROM demo_notes") }.count
            }
        }
        #expect(try notes("monday") == 0)
        #expect(try notes("monday") == 0)
        #expect(computed == 1)
        try home.careDatabase(events: EventSink()).write { try $0.execute("INSERT INTO demo_notes (note) VALUES ('a')") }
        #expect(try notes("monday") == 1, "a save must not leave the old value in place")
        #expect(computed == 2)
        #expect(try notes("tuesday") == 1)
        #expect(computed == 3)
        #expect(try notes("tuesday") == 1)
        #expect(computed == 3)
    }
}
