package import CareKit
package import Foundation
package import GRDB
import Logging
import Synchronization

/// The home's one SQLite database file: WAL, foreign keys on, `synchronous=FULL`, a busy timeout.
/// One writer and many readers (GRDB's `DatabasePool`), so a long report never blocks a save.
package final class HomeDatabase: Sendable {
    /// The file name inside the data directory.
    package static let fileName = "home.sqlite"
    /// The newest schema generation this build understands. Raise it when a core migration changes
    /// the meaning of existing data; an older build then refuses the newer file instead of damaging it.
    package static let supportedSchemaVersion = 1
    /// SQLite's page cache per connection, as `PRAGMA cache_size` takes it (negative: KiB).
    package static let pageCacheKiB = -512

    /// The database file.
    package let url: URL
    /// The connection pool. Plugins never see it: they get `CareDatabase`.
    package let pool: DatabasePool
    /// Moves on with every commit through `careDatabase`, so plugins can tell whether anything was saved.
    let commits = CommitCounter()
    /// The key that seals the plugins' records, once the appliance has it (`startSealingRecords`).
    package let sealing = RecordSealing()

    private init(url: URL, pool: DatabasePool) {
        self.url = url
        self.pool = pool
    }

    /// Opens (creating if needed) the home's database in `dataDirectory`, checks it after an unclean
    /// shutdown, and prepares the core tables. Throws `StoreError` with a message that says what to do.
    /// `countingStatements`: every connection reports the statements it runs to `StatementCounter`
    /// (tests that check how many statements a page costs; off in service).
    package static func open(dataDirectory: URL, countingStatements: Bool = false) throws -> HomeDatabase {
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.cannotOpen, "Cannot create the data directory \(dataDirectory.path): \(error.localizedDescription)")
        }
        let url = dataDirectory.appendingPathComponent(fileName)
        // SQLite removes the write-ahead log when the last connection closes cleanly; one left behind
        // means the last process that had the home open stopped without closing it (a crash, a power
        // cut, `kill -9`), or that another process has it open now.
        let walBytes = (try? FileManager.default.attributesOfItem(atPath: url.path + "-wal")[.size] as? Int) ?? 0
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: url.path, configuration: configuration(countingStatements: countingStatements))
        } catch {
            if isDiskFull(error) || (freeBytes(at: dataDirectory).map { $0 < lowSpaceBytes } ?? false) {
                throw StoreError(.cannotOpen, HomeDatabase.diskFullAdvice(dataDirectory))
            }
            throw StoreError(.cannotOpen, "Cannot open the database \(url.path): \(error). Check the file's permissions, or restore a backup.")
        }
        // GRDB's pool sets `synchronous = NORMAL` on its writer when it turns WAL on, after our
        // prepareDatabase hook has run; set FULL again on the one connection that writes.
        let database = HomeDatabase(url: url, pool: pool)
        do {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            // `PRAGMA quick_check` reads every page: 3 s on a ten-year home, on every start. SQLite's own
            // recovery makes a clean file after a crash, so the check is kept for the case where damage is
            // most likely (the file was not closed cleanly); `carehome check` and every backup run the full
            // `integrity_check`.
            if walBytes > 0 { try database.quickCheck() }
            try database.prepareCoreTables()
        } catch where isDiskFull(error) {
            throw StoreError(.cannotOpen, diskFullAdvice(dataDirectory))
        }
        return database
    }

    /// Opens a home's database that must already exist (for `check`, `audit verify`): a mistyped path,
    /// an empty file or a file that is not a carehome database is refused, and nothing is created.
    package static func openExisting(dataDirectory: URL) throws -> HomeDatabase {
        let url = dataDirectory.appendingPathComponent(fileName)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError(.cannotOpen, "There is no data directory at \(dataDirectory.path): check the path. Nothing was created.")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            throw StoreError(.cannotOpen, "There is no home database at \(url.path). Check --data-dir (an installed appliance keeps it in /var/lib/carehome). Nothing was created.")
        }
        guard ((attributes[.size] as? NSNumber)?.intValue ?? 0) > 0 else {
            throw StoreError(.damaged, "\(url.path) is empty: it is not a home's database. If the home's data was lost, restore the last good backup (`carehome restore`).")
        }
        do {
            var readOnly = Configuration()
            readOnly.readonly = true
            let probe = try DatabaseQueue(path: url.path, configuration: readOnly)
            let isHome = try probe.read { db in try db.tableExists("core_meta") }
            try probe.close()
            guard isHome else {
                throw StoreError(.damaged, "\(url.path) is an SQLite file but not a home's database (it has no core_meta table). Nothing was changed.")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.damaged, "\(url.path) is not a database that SQLite can read (\(error)): it may be damaged. Nothing was changed; see `carehome restore`.")
        }
        return try open(dataDirectory: dataDirectory)
    }

    /// What to do when the disk is full: free space; the records are intact, so restoring would lose the latest saves.
    package static func diskFullAdvice(_ dataDirectory: URL) -> String {
        let free = freeBytes(at: dataDirectory).map { " (\($0 / 1024 / 1024) MB free)" } ?? ""
        return "The disk holding \(dataDirectory.path) is full\(free). The home's records are intact: do NOT restore a backup (that would lose the latest saves). Free some space (old files in the backup directory, `journalctl --vacuum-size=100M`), then start carehome again."
    }

    static func configuration(countingStatements: Bool = false) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "home"
        configuration.prepareDatabase { db in
            // GRDB's pool uses WAL, where SQLite's usual advice is synchronous=NORMAL, which can lose the
            // last commits on power loss. A saved clinical record must survive a power cut: FULL.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Each connection (the writer and up to five readers) keeps at most 512 KiB of pages, rather
            // than SQLite's 2 MiB: the kernel caches the file anyway, and the appliance stays within its
            // memory budget on a small box (make bench: peak 46.3 MiB instead of 48.0 MiB, CPU per
            // request unchanged within the noise).
            try db.execute(sql: "PRAGMA cache_size = \(HomeDatabase.pageCacheKiB)")
            if countingStatements {
                db.trace(options: .statement) { event in
                    if case let .statement(statement) = event { StatementCounter.statementRan(statement.sql) }
                }
            }
        }
        return configuration
    }

    /// `PRAGMA quick_check`; throws when the file is damaged.
    package func quickCheck() throws {
        let result = try HomeDatabase.problems(pool, "PRAGMA quick_check")
        guard result == ["ok"] else {
            throw StoreError(.damaged, "The database \(url.path) is damaged (\(result.prefix(3).joined(separator: "; "))). Stop the appliance and restore the last good backup with `carehome restore`.")
        }
    }

    /// Brings the query planner's statistics up to date where SQLite judges them stale (`PRAGMA
    /// optimize`, each table sampled, so it takes milliseconds even on a ten-year home). Run after a bulk
    /// load, after a backup, and when the server stops, as SQLite recommends for long-lived databases.
    package func optimize() throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA analysis_limit = 1000")
            try db.execute(sql: "PRAGMA optimize = 0x10002")
        }
    }

    /// Before the process exits: the statistics brought up to date, and the write-ahead log copied into
    /// the file and emptied, so the next start knows this one closed cleanly (no `quick_check`).
    package func closeCleanly() throws {
        try optimize()
        try pool.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// `PRAGMA integrity_check` (slower, thorough); returns the problems found, empty when sound.
    package func integrityProblems() throws -> [String] {
        let result = try HomeDatabase.problems(pool, "PRAGMA integrity_check")
        return result == ["ok"] ? [] : result
    }

    /// A check's rows; damage bad enough that SQLite refuses to read on is itself the problem found.
    private static func problems(_ pool: DatabasePool, _ check: String) throws -> [String] {
        do {
            return try pool.read { db in try String.fetchAll(db, sql: check) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            return [error.message ?? "database disk image is malformed"]
        }
    }

    /// The schema generation recorded in the file.
    package func schemaVersion() throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM core_meta WHERE key = 'schema_version'") ?? 0
        }
    }

    private func prepareCoreTables() throws {
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS core_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
                CREATE TABLE IF NOT EXISTS core_migrations (
                    plugin_id TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
                    PRIMARY KEY (plugin_id, number)) STRICT;
                """)
            try db.execute(sql: RecordSeals.schema)
            let recorded = try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM core_meta WHERE key = 'schema_version'")
            if let recorded, recorded > HomeDatabase.supportedSchemaVersion {
                throw StoreError(.newerSchema, "This database was written by a newer version of carehome (schema \(recorded)); this program understands schema \(HomeDatabase.supportedSchemaVersion) at most. Install the newer version again, or restore a backup made by this version.")
            }
            if recorded == nil {
                try db.execute(sql: "INSERT INTO core_meta (key, value) VALUES ('schema_version', ?), ('created_at', ?)",
                               arguments: [String(HomeDatabase.supportedSchemaVersion), Timestamp.format(Date())])
            }
        }
    }

    /// The current value of a connection setting, e.g. `synchronous` (2 = FULL) or `journal_mode`.
    package func pragma(_ name: String) throws -> String {
        try pool.write { db in try String.fetchOne(db, sql: "PRAGMA \(name)") ?? "" }
    }

    /// Whether the database can be written now (a write lock can be taken); used by /healthz.
    package func canWrite() -> Bool { writeState() == .writable }

    /// Whether a save would succeed now, and if not whether the disk is full (free space is checked first:
    /// a full disk lets SQLite start a transaction and fails only at the commit).
    package enum WriteState: Equatable, Sendable { case writable, diskFull, notWritable }

    package func writeState() -> WriteState {
        if let free = HomeDatabase.freeBytes(at: dataDirectory), free < HomeDatabase.lowSpaceBytes { return .diskFull }
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                defer { try? db.execute(sql: "ROLLBACK") }
                // A real change (rolled back) larger than a page: new pages must be found for it, as for a save.
                try db.execute(sql: "INSERT OR REPLACE INTO core_meta (key, value) VALUES ('health_probe', hex(zeroblob(2500)))")
            }
            return .writable
        } catch {
            return HomeDatabase.isDiskFull(error) ? .diskFull : .notWritable
        }
    }

    /// Below this much free space the appliance says the disk is full (a save needs room for its journal).
    package static let lowSpaceBytes: Int64 = 8 * 1024 * 1024

    /// Free bytes on the file system holding `directory`, for an unprivileged process.
    package static func freeBytes(at directory: URL) -> Int64? {
        var info = statvfs()
        guard statvfs(directory.path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Whether an error is SQLite's "database or disk is full".
    package static func isDiskFull(_ error: any Error) -> Bool {
        if let error = error as? DatabaseError { return error.resultCode == .SQLITE_FULL }
        return "\(error)".contains("database or disk is full")
    }

    /// Migrations applied for a plugin, by number.
    package func appliedMigrations(pluginID: String) throws -> Set<Int> {
        try pool.read { db in
            Set(try Int.fetchAll(db, sql: "SELECT number FROM core_migrations WHERE plugin_id = ?", arguments: [pluginID]))
        }
    }

    /// Runs a plugin's pending migrations, each in its own transaction, recording each one. A migration
    /// that throws, or that creates a table without the plugin's prefix or not STRICT, is rolled back
    /// and stops the rest: the data is left as it was.
    package func migrate(pluginID: String, migrations: [Migration], events: EventSink) throws {
        let prefix = HomeDatabase.tablePrefix(pluginID)
        var seen = Set<Int>()
        for migration in migrations {
            guard migration.number > 0, seen.insert(migration.number).inserted else {
                throw StoreError(.migrationFailed, "migration numbers must be unique and start at 1 (found \(migration.number) twice or below 1)")
            }
        }
        let applied = try appliedMigrations(pluginID: pluginID)
        let pending = migrations.sorted(by: { $0.number < $1.number }).filter { !applied.contains($0.number) }
        // A migration may reshape the plugin's rows (a new column changes every row), so its tables are
        // sealed again after it. What was already changed outside the appliance is found first and kept,
        // so that the new seals do not hide it from `check`.
        let sealer = sealing.sealer
        if let sealer, !pending.isEmpty {
            try pool.write { db in
                let report = try RecordSeals.compare(db, with: sealer, prefix: prefix, limit: RecordSeals.findingsLimit)
                try RecordSeals.remember(report, during: "\(pluginID)'s upgrade to migration \(pending.last?.number ?? 0)", db)
            }
        }
        for migration in pending {
            do {
                try pool.write { db in
                    let before = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table'"))
                    try migration.apply(SQLWriterAdapter(db: db, events: nil))
                    let tables = try Row.fetchAll(db, sql: "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'")
                    for table in tables {
                        let name: String = table["name"]
                        guard !before.contains(name), !name.hasPrefix("sqlite_") else { continue }
                        guard name.hasPrefix(prefix) else {
                            throw StoreError(.migrationFailed, "it creates table \(name), which does not start with \(prefix)")
                        }
                        let strict: Int = table["strict"]
                        guard strict == 1 else {
                            throw StoreError(.migrationFailed, "table \(name) is not STRICT")
                        }
                    }
                    try db.execute(sql: "INSERT INTO core_migrations (plugin_id, number, name, applied_at) VALUES (?, ?, ?, ?)",
                                   arguments: [pluginID, migration.number, migration.name, Timestamp.format(Date())])
                    if let sealer { try RecordSeals.sealAll(db, with: sealer, prefix: prefix, onlyUnsealed: false) }
                }
            } catch let error as StoreError {
                throw StoreError(.migrationFailed, "migration \(migration.number) (\(migration.name)) failed and was rolled back: \(error.message)")
            } catch {
                throw StoreError(.migrationFailed, "migration \(migration.number) (\(migration.name)) failed and was rolled back: \(error)")
            }
        }
    }

    /// `falls-log` → `falls_log_`.
    package static func tablePrefix(_ pluginID: String) -> String {
        pluginID.replacingOccurrences(of: "-", with: "_") + "_"
    }

    /// The `CareDatabase` that plugins and the server use, delivering events to `events` after commit.
    package func careDatabase(events: EventSink) -> any CareDatabase {
        GRDBCareDatabase(pool: pool, events: events, commits: commits, sealing: sealing)
    }
}

/// Counts the SQL statements that one thread runs, for tests that hold a page to a fixed number of
/// statements whatever the home's history (`HomeDatabase.open(countingStatements: true)`).
///
/// Counted per thread, so that the audit trail's flush on its own queue, or a test running beside,
/// does not count: GRDB runs a read or a write on the thread that asks for it (`DispatchQueue.sync`).
package enum StatementCounter {
    private final class Box { var count = 0; var texts = Set<String>() }
    private static let key = "carehome.statementCount"

    /// Runs `body` and returns how many statements it ran on this thread, with its result.
    package static func counting<T>(_ body: () throws -> T) rethrows -> (statements: Int, result: T) {
        let (count, _, result) = try recording(body)
        return (count, result)
    }

    /// As `counting`, with the distinct SQL texts run (for tests that look at each statement's query plan).
    package static func recording<T>(_ body: () throws -> T) rethrows -> (statements: Int, texts: Set<String>, result: T) {
        let box = Box()
        Thread.current.threadDictionary[key] = box
        defer { Thread.current.threadDictionary[key] = nil }
        let result = try body()
        return (box.count, box.texts, result)
    }

    static func statementRan(_ sql: String) {
        guard let box = Thread.current.threadDictionary[key] as? Box else { return }
        box.count += 1
        box.texts.insert(sql)
    }
}

/// Where committed events go (the plugin host), and the transactional outbox that makes them survive a
/// crash. Set once at start.
package final class EventSink: Sendable {
    package typealias Store = @Sendable (Database, [CareEvent]) throws -> [Int64]
    package typealias Deliver = @Sendable ([CareEvent], [Int64]) -> Void
    private let hooks = Mutex<(store: Store?, deliver: Deliver?)>((nil, nil))
    /// Creates a sink that drops events until `connect` is called.
    package init() {}
    /// Routes delivered events to `deliver`, with the outbox rows they came from (to be removed once handled).
    package func connect(_ deliver: @escaping Deliver) { hooks.withLock { $0.deliver = deliver } }
    /// Writes a transaction's events (and anything else that must follow it) into the outbox, inside the
    /// transaction; returns the rows' ids, one per event.
    package func connectOutbox(_ store: @escaping Store) { hooks.withLock { $0.store = store } }

    func storeInOutbox(_ db: Database, _ events: [CareEvent]) throws -> [Int64] {
        guard let store = hooks.withLock({ $0.store }) else { return [] }
        return try store(db, events)
    }

    /// Delivers events (after their transaction committed).
    package func deliver(_ events: [CareEvent], outboxIDs: [Int64] = []) {
        guard !events.isEmpty, let deliver = hooks.withLock({ $0.deliver }) else { return }
        deliver(events, outboxIDs)
    }
}

/// An error opening, checking or migrating the database, with a message for the installer.
package struct StoreError: Error, CustomStringConvertible, Sendable {
    package enum Code: String, Sendable { case cannotOpen, damaged, newerSchema, migrationFailed, backupFailed, restoreRefused }
    package let code: Code
    package let message: String
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    package var description: String { message }
}
