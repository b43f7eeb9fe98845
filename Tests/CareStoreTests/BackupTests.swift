import CareKit
import CareStore
import Foundation
import Synchronization
import Testing

/// A real home database in a fresh temporary directory, with a notes table and a running total kept
/// in step with it in the same transaction (so a torn copy would show).
private struct ScratchHome {
    let root: URL
    let dataDirectory: URL
    let database: HomeDatabase
    let care: any CareDatabase

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-backup-\(UUID().uuidString)")
        dataDirectory = root.appendingPathComponent("data")
        database = try HomeDatabase.open(dataDirectory: dataDirectory)
        care = database.careDatabase(events: EventSink())
        try care.write { db in
            try db.executeScript("""
                CREATE TABLE test_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;
                CREATE TABLE test_totals (id INTEGER PRIMARY KEY CHECK (id = 1), notes INTEGER NOT NULL) STRICT;
                INSERT INTO test_totals (id, notes) VALUES (1, 0);
                """)
        }
    }

    func directory(_ name: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Adds `count` notes (about 2 KB each) and the total, one transaction per note like a real save.
    func addNotes(_ count: Int, marker: String = "Mrs Example had a good night") throws {
        for _ in 0..<count {
            try care.write { db in
                try db.execute("INSERT INTO test_notes (body) VALUES (?)", [.text(marker + String(repeating: ".", count: 2000))])
                try db.execute("UPDATE test_totals SET notes = notes + 1 WHERE id = 1")
            }
        }
    }

    func noteIDs(in care: any CareDatabase) throws -> [Int64] {
        try care.read { db in try db.query("SELECT id FROM test_notes ORDER BY id").compactMap { $0.int64("id") } }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }
}

private func contents(_ url: URL) -> Data { (try? Data(contentsOf: url)) ?? Data() }

private func keyFile(in directory: URL, _ hex: String = String(repeating: "5a", count: 32)) throws -> URL {
    let url = directory.appendingPathComponent("backup-\(UUID().uuidString).key")
    try (hex + "\n").write(to: url, atomically: true, encoding: .utf8)
    return url
}

@Suite("Backup and restore of the home database")
struct BackupTests {
    @Test("a backup taken while staff keep saving is one consistent moment, and restores to exactly that")
    func backupDuringWrites() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        try home.addNotes(2000)   // ~5 MB: the copy takes many steps
        let before = try home.noteIDs(in: home.care)
        let backups = try home.directory("backups")
        let file = backups.appendingPathComponent("during-writes.sqlite")
        var steps = 0
        // After every step of the copy, another connection saves five more notes: the writes really
        // happen in the middle of the backup, without any timing.
        let summary = try home.database.backup(to: file) { progress in
            steps += 1
            if progress.percent < 100 { try? home.addNotes(5) }
        }
        let after = try home.noteIDs(in: home.care)
        #expect(steps > 3)
        #expect(after.count > before.count + 10, "saves went on during the backup")
        #expect(summary.schemaVersion == HomeDatabase.supportedSchemaVersion)

        let restoredDirectory = try home.directory("restored")
        let report = try HomeDatabase.restore(dataDirectory: restoredDirectory, from: file, cipher: nil)
        #expect(report.keptAside.isEmpty)
        let restored = try HomeDatabase.open(dataDirectory: restoredDirectory)
        let restoredCare = restored.careDatabase(events: EventSink())
        #expect(try home.noteIDs(in: restoredCare) == before, "the backup holds exactly the notes saved before it began")
        let total = try restoredCare.read { db in try db.scalar("SELECT notes FROM test_totals") }
        #expect(total == Int64(before.count), "the running total matches the notes: no torn transaction")
        let sourceText = try home.care.read { db in try db.query("SELECT body FROM test_notes WHERE id <= ? ORDER BY id", [.integer(before.last ?? 0)]).map { $0.string("body") } }
        let restoredText = try restoredCare.read { db in try db.query("SELECT body FROM test_notes ORDER BY id").map { $0.string("body") } }
        #expect(sourceText == restoredText)
    }

    @Test("a backup is one self-contained, checked file; no partial files are left behind")
    func singleFile() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        try home.addNotes(50)
        let backups = try home.directory("backups")
        let file = backups.appendingPathComponent("nightly.sqlite")
        var last = 0
        _ = try home.database.backup(to: file) { last = $0.percent }
        #expect(last == 100)
        #expect(try FileManager.default.contentsOfDirectory(atPath: backups.path) == ["nightly.sqlite"])
        let header = contents(file)
        #expect(header.prefix(16) == Data("SQLite format 3\0".utf8))
        #expect(header[18] == 1 && header[19] == 1, "rollback-journal file format, not WAL: opens on its own")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.dataDirectory.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty)
        let summary = try HomeDatabase.inspectBackup(file, cipher: nil, scratchDirectory: home.root)
        #expect(summary.madeAt != nil)
        #expect(summary.tableCount >= 4)
    }

    @Test("an encrypted backup hides the records, needs its key, and restores with it")
    func encrypted() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        try home.addNotes(600, marker: "Resident fell in the lounge")
        let before = try home.noteIDs(in: home.care)
        let backups = try home.directory("usb")
        let key = try BackupCipher(keyFile: try keyFile(in: home.root))
        let file = backups.appendingPathComponent(BackupRetention.fileName(for: Date(), encrypted: true))
        let summary = try home.database.backup(to: file, cipher: key)
        #expect(summary.encrypted)
        let raw = contents(file)
        #expect(raw.prefix(8) == Data("CHBKENC2".utf8))
        #expect(raw.range(of: Data("Resident fell".utf8)) == nil, "no record text readable on the backup drive")
        #expect(raw.range(of: Data("SQLite format".utf8)) == nil)
        let opened = home.root.appendingPathComponent("opened.sqlite")
        try key.decrypt(file, to: opened)
        let databaseBytes = contents(opened).count
        #expect(databaseBytes > 1 << 20, "more than one chunk")
        #expect(raw.count * 2 < databaseBytes, "compressed: \(raw.count) bytes on the drive for a \(databaseBytes)-byte database")
        try FileManager.default.removeItem(at: opened)
        #expect(try FileManager.default.contentsOfDirectory(atPath: backups.path).count == 1, "no unencrypted copy on the drive")

        #expect(throws: StoreError.self) { try HomeDatabase.inspectBackup(file, cipher: nil, scratchDirectory: home.root) }
        let wrongKey = try BackupCipher(keyFile: try keyFile(in: home.root, String(repeating: "a7", count: 32)))
        let wrong = #expect(throws: StoreError.self) { try HomeDatabase.inspectBackup(file, cipher: wrongKey, scratchDirectory: home.root) }
        #expect(wrong?.message.contains("key file") == true)

        let target = try home.directory("new-box")
        _ = try HomeDatabase.restore(dataDirectory: target, from: file, cipher: key)
        let restored = try HomeDatabase.open(dataDirectory: target)
        #expect(try home.noteIDs(in: restored.careDatabase(events: EventSink())) == before)
    }

    @Test("a truncated or edited encrypted backup is refused")
    func tamperedEncrypted() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        try home.addNotes(600)
        let key = try BackupCipher(keyFile: try keyFile(in: home.root))
        let file = try home.directory("usb").appendingPathComponent("b.sqlite.enc")
        _ = try home.database.backup(to: file, cipher: key)
        let original = contents(file)

        let truncated = file.deletingLastPathComponent().appendingPathComponent("truncated.sqlite.enc")
        // Cut exactly after the first chunk: every remaining chunk authenticates, but the end is missing.
        let firstChunkLength = Int(original[28]) << 24 | Int(original[29]) << 16 | Int(original[30]) << 8 | Int(original[31])
        try original.prefix(32 + firstChunkLength).write(to: truncated)
        #expect(throws: StoreError.self) { try HomeDatabase.inspectBackup(truncated, cipher: key, scratchDirectory: home.root) }

        var edited = original
        edited[original.count / 2] ^= 0x01
        let editedFile = file.deletingLastPathComponent().appendingPathComponent("edited.sqlite.enc")
        try edited.write(to: editedFile)
        #expect(throws: StoreError.self) { try HomeDatabase.inspectBackup(editedFile, cipher: key, scratchDirectory: home.root) }
    }

    @Test("restoring a damaged backup is refused and the current database is left exactly as it was")
    func damagedRefused() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        try home.addNotes(300)
        let file = try home.directory("backups").appendingPathComponent("b.sqlite")
        _ = try home.database.backup(to: file)
        var damaged = contents(file)
        // Overwrite pages 3 and 4 (b-tree pages of the notes) with rubbish.
        let pageSize = Int(damaged[16]) << 8 | Int(damaged[17])
        for offset in (2 * pageSize)..<(4 * pageSize) { damaged[offset] = 0xA5 }
        try damaged.write(to: file)

        let live = try home.directory("live")
        _ = try home.database.backup(to: live.appendingPathComponent(HomeDatabase.fileName))
        let liveBytes = contents(live.appendingPathComponent(HomeDatabase.fileName))

        let error = #expect(throws: StoreError.self) { try HomeDatabase.restore(dataDirectory: live, from: file, cipher: nil) }
        #expect(error?.code == .restoreRefused)
        #expect(error?.message.contains("damaged") == true)
        #expect(error?.message.contains("Nothing was changed") == true)
        #expect(contents(live.appendingPathComponent(HomeDatabase.fileName)) == liveBytes)
        let names = try FileManager.default.contentsOfDirectory(atPath: live.path)
        #expect(!names.contains { $0.contains("before-restore") || $0.contains("partial") })

        let halfFile = file.deletingLastPathComponent().appendingPathComponent("half.sqlite")
        try damaged.prefix(damaged.count / 2).write(to: halfFile)
        #expect(throws: StoreError.self) { try HomeDatabase.restore(dataDirectory: live, from: halfFile, cipher: nil) }
        let notSQLite = file.deletingLastPathComponent().appendingPathComponent("photo.jpg")
        try Data(repeating: 0xFF, count: 8192).write(to: notSQLite)
        let notBackup = #expect(throws: StoreError.self) { try HomeDatabase.restore(dataDirectory: live, from: notSQLite, cipher: nil) }
        #expect(notBackup?.message.contains("not a carehome backup") == true)
        #expect(contents(live.appendingPathComponent(HomeDatabase.fileName)) == liveBytes)
    }

    @Test("a backup from a newer version is refused with a message that says what to install")
    func newerSchemaRefused() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        let newer = try home.directory("newer")
        do {
            let other = try HomeDatabase.open(dataDirectory: newer)
            try other.careDatabase(events: EventSink()).write { db in
                try db.execute("UPDATE core_meta SET value = ? WHERE key = 'schema_version'", [.text(String(HomeDatabase.supportedSchemaVersion + 1))])
            }
        }
        let file = try home.directory("backups").appendingPathComponent("from-newer.sqlite")
        try FileManager.default.copyItem(at: newer.appendingPathComponent(HomeDatabase.fileName), to: file)
        let summary = try HomeDatabase.inspectBackup(file, cipher: nil, scratchDirectory: home.root)
        #expect(summary.schemaVersion == HomeDatabase.supportedSchemaVersion + 1)
        let error = #expect(throws: StoreError.self) { try HomeDatabase.restore(dataDirectory: home.dataDirectory, from: file, cipher: nil) }
        #expect(error?.message.contains("newer version") == true)
        #expect(error?.message.contains("Nothing was changed") == true)
    }

    @Test("restore keeps the current database aside, says where, and the restored one is in use")
    func keepsCurrentAside() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        try home.addNotes(10)
        let file = try home.directory("backups").appendingPathComponent("ten.sqlite")
        _ = try home.database.backup(to: file)
        // The "live" home moves on after the backup: 15 notes.
        let live = try home.directory("live")
        do {
            _ = try HomeDatabase.restore(dataDirectory: live, from: file, cipher: nil)
            let database = try HomeDatabase.open(dataDirectory: live)
            try ScratchHome.add(5, to: database)
        }
        let report = try HomeDatabase.restore(dataDirectory: live, from: file, cipher: nil, now: Date(timeIntervalSince1970: 1_795_000_000))
        let aside = try #require(report.keptAside.first)
        #expect(aside.lastPathComponent.hasPrefix("home.sqlite.before-restore-2026"))
        #expect(report.lines.joined(separator: " ").contains(aside.path))
        let asideDirectory = try home.directory("aside-opened")
        try FileManager.default.copyItem(at: aside, to: asideDirectory.appendingPathComponent(HomeDatabase.fileName))
        if FileManager.default.fileExists(atPath: aside.path + "-wal") {
            try FileManager.default.copyItem(atPath: aside.path + "-wal", toPath: asideDirectory.appendingPathComponent(HomeDatabase.fileName).path + "-wal")
        }
        let kept = try HomeDatabase.open(dataDirectory: asideDirectory)
        #expect(try home.noteIDs(in: kept.careDatabase(events: EventSink())).count == 15, "the set-aside database still has the later notes")
        do {
            let current = try HomeDatabase.open(dataDirectory: live)
            #expect(try home.noteIDs(in: current.careDatabase(events: EventSink())).count == 10)
        }
        // A second restore in the same second keeps both earlier databases.
        let again = try HomeDatabase.restore(dataDirectory: live, from: file, cipher: nil, now: Date(timeIntervalSince1970: 1_795_000_000))
        let secondAside = try #require(again.keptAside.first)
        #expect(secondAside != aside)
        #expect(FileManager.default.fileExists(atPath: aside.path))
    }

    @Test("restore refuses while the appliance holds the data directory")
    func refusesWhileServing() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        let file = try home.directory("backups").appendingPathComponent("b.sqlite")
        _ = try home.database.backup(to: file)
        let serving = try DataDirectoryLock.acquire(dataDirectory: home.dataDirectory, purpose: "serve")
        let error = #expect(throws: StoreError.self) { try HomeDatabase.restore(dataDirectory: home.dataDirectory, from: file, cipher: nil) }
        #expect(error?.message.contains("systemctl stop carehome") == true)
        withExtendedLifetime(serving) {}
    }

    @Test("a mistyped data directory is an error, not a new empty home")
    func mistypedDataDirectory() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        let wrong = try home.directory("var-lib-carehom")
        #expect(throws: StoreError.self) { try HomeDatabase.openExisting(dataDirectory: wrong) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: wrong.path).isEmpty)
    }

    @Test("a backup to a missing drive fails clearly and the last good backup stays recorded")
    func missingDrive() throws {
        let home = try ScratchHome()
        defer { home.cleanUp() }
        let good = try home.directory("usb").appendingPathComponent("good.sqlite")
        let madeAt = Date(timeIntervalSince1970: 1_795_400_000)
        _ = try home.database.backup(to: good, now: madeAt)
        let error = #expect(throws: StoreError.self) {
            try home.database.backup(to: home.root.appendingPathComponent("unmounted/x.sqlite"))
        }
        #expect(error?.message.contains("mounted") == true)
        let status = try #require(BackupStatus.load(dataDirectory: home.dataDirectory))
        #expect(status.file == good.path)
        #expect(status.finishedAt == madeAt)
        #expect(!status.isOverdue(at: madeAt.addingTimeInterval(36 * 3600)))
        #expect(status.isOverdue(at: madeAt.addingTimeInterval(36 * 3600 + 60)))
    }
}

extension ScratchHome {
    static func add(_ count: Int, to database: HomeDatabase) throws {
        let care = database.careDatabase(events: EventSink())
        for _ in 0..<count {
            try care.write { db in
                try db.execute("INSERT INTO test_notes (body) VALUES ('later')")
                try db.execute("UPDATE test_totals SET notes = notes + 1 WHERE id = 1")
            }
        }
    }
}
