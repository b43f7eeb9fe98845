import CareKit
package import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// How far a backup has got, for a progress line.
package struct BackupProgress: Sendable, Equatable {
    package let copiedPages: Int
    package let totalPages: Int
    /// 0...100.
    package var percent: Int { totalPages == 0 ? 100 : copiedPages * 100 / totalPages }
}

/// What a backup file holds, as found by opening and checking it.
package struct BackupSummary: Sendable, Equatable {
    /// The backup file that was examined.
    package let file: URL
    package let bytes: Int
    package let encrypted: Bool
    /// The core schema generation recorded in it.
    package let schemaVersion: Int
    /// When the backup was taken (recorded in the copy), if known.
    package let madeAt: Date?
    /// Each plugin's newest applied migration number, by plugin id.
    package let pluginMigrations: [String: Int]
    package let tableCount: Int
    /// The audit trail's last entry when the backup was taken (from the chain's head kept outside the
    /// database), found in the backup as recorded; nil for a backup that recorded none.
    package var auditHead: Int64? = nil

    /// One line for an installer.
    package var description: String {
        let made = madeAt.map { "made \(Timestamp.format($0)), " } ?? ""
        let plugins = pluginMigrations.keys.sorted().map { "\($0) \(pluginMigrations[$0] ?? 0)" }.joined(separator: ", ")
        return "\(file.lastPathComponent): \(made)\(bytes) bytes\(encrypted ? ", encrypted" : ""), integrity ok, schema \(schemaVersion), \(tableCount) tables"
            + (auditHead.map { ", audit trail complete to entry \($0)" } ?? "")
            + (plugins.isEmpty ? "" : ", plugin migrations: \(plugins)")
    }
}

/// What `restore` did.
package struct RestoreReport: Sendable {
    package let restored: BackupSummary
    /// The database now in use.
    package let database: URL
    /// Where the database that was there before now lives (nil when there was none).
    package let keptAside: [URL]

    /// Sentences for the installer, in order.
    package var lines: [String] {
        var lines = ["Checked \(restored.description)."]
        if keptAside.isEmpty {
            lines.append("There was no database in \(database.deletingLastPathComponent().path) before.")
        } else {
            lines.append("Kept the database that was there as \(keptAside.map(\.path).joined(separator: " and ")); delete it once you are sure you do not need it.")
        }
        lines.append("Restored the backup as \(database.path). Start the appliance with `sudo systemctl start carehome`.")
        return lines
    }
}

/// The last good backup, recorded in the data directory so `/healthz` and the admin page can show
/// its age and warn when it is older than 36 hours.
package struct BackupStatus: Codable, Sendable, Equatable {
    /// The status file inside the data directory.
    package static let fileName = "backup-status.json"
    /// A backup older than this is overdue (nightly backups with a day's grace).
    package static let overdueAfter: TimeInterval = 36 * 3600

    package let finishedAt: Date
    package let file: String
    package let bytes: Int
    package let encrypted: Bool

    package init(finishedAt: Date, file: String, bytes: Int, encrypted: Bool) {
        self.finishedAt = finishedAt
        self.file = file
        self.bytes = bytes
        self.encrypted = encrypted
    }

    /// Age of the last good backup at `now`.
    package func age(at now: Date) -> TimeInterval { now.timeIntervalSince(finishedAt) }
    /// Whether the last good backup is more than 36 hours old at `now`.
    package func isOverdue(at now: Date) -> Bool { age(at: now) > BackupStatus.overdueAfter }

    /// The recorded last good backup, or nil when none has been taken (or the record is unreadable).
    package static func load(dataDirectory: URL) -> BackupStatus? {
        guard let data = try? Data(contentsOf: dataDirectory.appendingPathComponent(fileName)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(BackupStatus.self, from: data)
    }

    func save(dataDirectory: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: dataDirectory.appendingPathComponent(BackupStatus.fileName), options: .atomic)
    }
}

extension HomeDatabase {
    /// The directory holding the database file.
    package var dataDirectory: URL { url.deletingLastPathComponent() }

    /// Takes a consistent backup while the appliance keeps serving, and returns what was written.
    ///
    /// SQLite's backup API copies the pages inside one read transaction, so the copy is one moment's
    /// state and writers are never blocked (WAL). The copy is switched to a rollback journal (one
    /// self-contained file), checked with `PRAGMA integrity_check`, optionally encrypted, flushed with
    /// fsync, and only then renamed to `destination` (and the directory flushed): `destination` is
    /// either the previous file or a complete, checked backup, never half of one. When encrypting,
    /// the unencrypted working copy is kept in the data directory, never on the backup medium.
    ///
    /// `auditHead` is the audit chain's head kept outside the database (its last entry's id and hash):
    /// recorded in the copy, so that a backup whose trail was cut short before it was taken is refused
    /// by `inspectBackup` and `restore` (the key-protected head shows what the trail held).
    package func backup(to destination: URL, cipher: BackupCipher? = nil, now: Date = Date(), auditHead: (id: Int64, hash: String)? = nil,
                        progress: (BackupProgress) throws -> Void = { _ in }) throws -> BackupSummary {
        let directory = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError(.backupFailed, "The backup directory \(directory.path) does not exist (is the backup drive mounted?).")
        }
        let pid = getpid()
        let plainCopy = (cipher == nil ? directory : dataDirectory)
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(pid)")
        let encryptedCopy = directory.appendingPathComponent(".\(destination.lastPathComponent).partial-\(pid).enc")
        defer {
            for leftover in [plainCopy, encryptedCopy, URL(fileURLWithPath: plainCopy.path + "-journal")] {
                try? FileManager.default.removeItem(at: leftover)
            }
        }
        do {
            try copyChecked(to: plainCopy, now: now, auditHead: auditHead, progress: progress)
            let finished: URL
            if let cipher {
                try cipher.encrypt(plainCopy, to: encryptedCopy)
                finished = encryptedCopy
            } else {
                finished = plainCopy
            }
            try BackupFile.replace(destination, with: finished)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.backupFailed, "The backup to \(destination.path) failed: \(error). Nothing was written there.")
        }
        let summary: BackupSummary
        do {
            summary = try HomeDatabase.inspectBackup(destination, cipher: cipher, scratchDirectory: dataDirectory)
        } catch let error as StoreError {
            // A file that does not pass its own check is not left looking like a backup.
            try? FileManager.default.removeItem(at: destination)
            throw StoreError(.backupFailed, "The backup failed its check and was removed: \(error.message)")
        }
        try? BackupStatus(finishedAt: now, file: destination.path, bytes: summary.bytes, encrypted: cipher != nil)
            .save(dataDirectory: dataDirectory)
        return summary
    }

    /// Copies the live database into a new plain SQLite file at `copy`, marks it with the time, and
    /// checks it thoroughly.
    private func copyChecked(to copy: URL, now: Date, auditHead: (id: Int64, hash: String)?, progress: (BackupProgress) throws -> Void) throws {
        try? FileManager.default.removeItem(at: copy)
        // Made 0600 before SQLite opens it (SQLite would make it 0644 less the umask): a copy left behind by
        // a kill midway is never readable by other users.
        try BackupFile.create(copy, mode: 0o600).close()
        let destination = try DatabaseQueue(path: copy.path)
        try withoutActuallyEscaping(progress) { progress in
            try pool.backup(to: destination, pagesPerStep: 256) { step in
                try progress(BackupProgress(copiedPages: step.totalPageCount - step.remainingPageCount, totalPages: step.totalPageCount))
            }
        }
        let problems = try destination.writeWithoutTransaction { db -> [String] in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "INSERT OR REPLACE INTO core_meta (key, value) VALUES ('backup_made_at', ?)",
                           arguments: [Timestamp.format(now)])
            if let auditHead {
                try db.execute(sql: "INSERT OR REPLACE INTO core_meta (key, value) VALUES ('backup_audit_head', ?)",
                               arguments: ["\(auditHead.id):\(auditHead.hash)"])
            }
            return try String.fetchAll(db, sql: "PRAGMA integrity_check")
        }
        try destination.close()
        guard problems == ["ok"] else {
            throw StoreError(.backupFailed, "The backup copy failed its integrity check (\(problems.prefix(3).joined(separator: "; "))); the live database may be damaged: run `carehome check`.")
        }
        try BackupFile.flush(copy)
    }

    /// Opens a backup file, checks it with `PRAGMA integrity_check`, and says what it holds. Throws
    /// when it is not a carehome backup, is damaged, or (encrypted) the key is missing or wrong.
    /// A backup with a newer schema is described, not refused: `restore` refuses it.
    package static func inspectBackup(_ file: URL, cipher: BackupCipher?, scratchDirectory: URL) throws -> BackupSummary {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        } catch {
            throw StoreError(.damaged, "Cannot read the backup \(file.path): \(error.localizedDescription)")
        }
        let bytes = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let encrypted = try BackupCipher.isEncrypted(file)
        if encrypted {
            guard let cipher else {
                throw StoreError(.damaged, "The backup \(file.lastPathComponent) is encrypted: give the key file with --key-file (on the appliance: /etc/carehome/backup.key).")
            }
            let plain = scratchDirectory.appendingPathComponent(".inspect-\(getpid())-\(UUID().uuidString).sqlite")
            defer { try? FileManager.default.removeItem(at: plain) }
            try cipher.decrypt(file, to: plain)
            return try inspectPlain(plain, reportedAs: file, bytes: bytes, encrypted: true)
        }
        return try inspectPlain(file, reportedAs: file, bytes: bytes, encrypted: false)
    }

    private static func inspectPlain(_ file: URL, reportedAs original: URL, bytes: Int, encrypted: Bool) throws -> BackupSummary {
        let handle = try FileHandle(forReadingFrom: file)
        let head = try handle.read(upToCount: BackupCipher.sqliteMagic.count)
        try? handle.close()
        guard head == BackupCipher.sqliteMagic else {
            throw StoreError(.damaged, "\(original.lastPathComponent) is not a carehome backup (it is not an SQLite database, or its first page is damaged).")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let checked: (problems: [String], summary: BackupSummary?)
        do {
            let queue = try DatabaseQueue(path: file.path, configuration: configuration)
            defer { try? queue.close() }
            checked = try queue.read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard problems == ["ok"] else { return (problems, nil) }
                guard try db.tableExists("core_meta") else { return ([], nil) }
                let schema = try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM core_meta WHERE key = 'schema_version'") ?? 0
                let madeAt = try String.fetchOne(db, sql: "SELECT value FROM core_meta WHERE key = 'backup_made_at'")
                    .flatMap(Timestamp.parse)
                var plugins: [String: Int] = [:]
                if try db.tableExists("core_migrations") {
                    for row in try Row.fetchAll(db, sql: "SELECT plugin_id, MAX(number) AS newest FROM core_migrations GROUP BY plugin_id") {
                        plugins[row["plugin_id"]] = row["newest"]
                    }
                }
                let tables = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'") ?? 0
                var summary = BackupSummary(file: original, bytes: bytes, encrypted: encrypted, schemaVersion: schema, madeAt: madeAt,
                                            pluginMigrations: plugins, tableCount: tables)
                // The trail's head when the backup was taken: that entry must be in it, unchanged.
                if let recorded = try String.fetchOne(db, sql: "SELECT value FROM core_meta WHERE key = 'backup_audit_head'") {
                    let parts = recorded.split(separator: ":", maxSplits: 1).map(String.init)
                    let id = parts.count == 2 ? Int64(parts[0]) : nil
                    let found = try id.flatMap { id in
                        try db.tableExists("core_audit") ? try String.fetchOne(db, sql: "SELECT hash FROM core_audit WHERE id = ?", arguments: [id]) : nil
                    }
                    guard let id, found == parts[1] else {
                        throw StoreError(.damaged, "\(original.lastPathComponent) is not a complete record: its audit trail does not reach entry \(id.map(String.init) ?? "?"), the last one when the backup was taken (entries were removed or changed before it was taken).")
                    }
                    summary.auditHead = id
                }
                return ([], summary)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.damaged, "\(original.lastPathComponent) is damaged: SQLite cannot read it (\(error)).")
        }
        guard checked.problems.isEmpty else {
            throw StoreError(.damaged, "\(original.lastPathComponent) is damaged: the integrity check found \(checked.problems.prefix(3).joined(separator: "; ")).")
        }
        guard let summary = checked.summary else {
            throw StoreError(.damaged, "\(original.lastPathComponent) is an SQLite database but not a carehome backup (it has no core_meta table).")
        }
        return summary
    }

    /// Replaces the home's database with a backup, keeping the current one aside.
    ///
    /// Refuses, changing nothing, when the appliance is using the directory, the backup is damaged or
    /// not a carehome backup, the key is wrong, or the backup's schema is newer than this program.
    /// The current files (`home.sqlite` and its `-wal`/`-shm`) are renamed, not copied, so even a
    /// damaged database is kept exactly as it was.
    package static func restore(dataDirectory: URL, from backup: URL, cipher: BackupCipher?, now: Date = Date()) throws -> RestoreReport {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let lock = try DataDirectoryLock.acquire(dataDirectory: dataDirectory, purpose: "restore")
        defer { withExtendedLifetime(lock) {} }
        let database = dataDirectory.appendingPathComponent(fileName)
        if DataDirectoryLock.databaseIsOpenElsewhere(database) {
            throw StoreError(.restoreRefused, "Cannot restore: another process has \(database.path) open (probably the running appliance). Stop it first with `sudo systemctl stop carehome`. Nothing was changed.")
        }
        let incoming = dataDirectory.appendingPathComponent(".restore-\(getpid()).partial")
        defer { try? FileManager.default.removeItem(at: incoming) }
        try? FileManager.default.removeItem(at: incoming)
        let summary: BackupSummary
        do {
            let bytes = ((try FileManager.default.attributesOfItem(atPath: backup.path))[.size] as? NSNumber)?.intValue ?? 0
            let encrypted = try BackupCipher.isEncrypted(backup)
            if encrypted {
                guard let cipher else {
                    throw StoreError(.damaged, "The backup \(backup.lastPathComponent) is encrypted: give the key file with --key-file.")
                }
                try cipher.decrypt(backup, to: incoming)
            } else {
                try FileManager.default.copyItem(at: backup, to: incoming)
                // The copy takes the backup's mode; a plaintext database is never readable by others.
                chmod(incoming.path, 0o600)
                try BackupFile.flush(incoming)
            }
            summary = try inspectPlain(incoming, reportedAs: backup, bytes: bytes, encrypted: encrypted)
        } catch let error as StoreError {
            throw StoreError(.restoreRefused, "Restore refused: \(error.message) Nothing was changed.")
        } catch {
            throw StoreError(.restoreRefused, "Restore refused: cannot read \(backup.path) (\(error.localizedDescription)). Nothing was changed.")
        }
        guard summary.schemaVersion <= supportedSchemaVersion else {
            throw StoreError(.restoreRefused, "Restore refused: \(backup.lastPathComponent) was made by a newer version of carehome (schema \(summary.schemaVersion)); this program understands schema \(supportedSchemaVersion) at most. Install that newer version first, then restore. Nothing was changed.")
        }

        var keptAside: [URL] = []
        // Never overwrite an earlier set-aside database (two restores within one second).
        var aside = dataDirectory.appendingPathComponent("\(fileName).before-restore-\(BackupRetention.stamp(now))")
        var attempt = 1
        while ["", "-wal", "-shm"].contains(where: { FileManager.default.fileExists(atPath: aside.path + $0) }) {
            attempt += 1
            aside = dataDirectory.appendingPathComponent("\(fileName).before-restore-\(BackupRetention.stamp(now))-\(attempt)")
        }
        for suffix in ["", "-wal", "-shm"] {
            let current = URL(fileURLWithPath: database.path + suffix)
            guard FileManager.default.fileExists(atPath: current.path) else { continue }
            let target = URL(fileURLWithPath: aside.path + suffix)
            guard rename(current.path, target.path) == 0 else {
                throw StoreError(.restoreRefused, "Cannot move \(current.path) aside: \(String(cString: strerror(errno))). Restore stopped; the files already moved are in \(dataDirectory.path) named \(aside.lastPathComponent)*.")
            }
            if suffix.isEmpty || suffix == "-wal" { keptAside.append(target) }
        }
        try BackupFile.replace(database, with: incoming)
        // Prove the server will open it (and let it switch the file back to WAL).
        let reopened = try HomeDatabase.open(dataDirectory: dataDirectory)
        try reopened.quickCheck()
        // Sessions in the restored file are from another time: a cookie that was signed out since, or
        // stolen, must not work again. Everyone signs in afresh.
        try reopened.pool.write { db in
            if try db.tableExists("core_sessions") {
                try db.execute(sql: "UPDATE core_sessions SET ended_at = ? WHERE ended_at IS NULL", arguments: [Timestamp.format(now)])
            }
        }
        return RestoreReport(restored: summary, database: database, keptAside: keptAside)
    }
}

/// File-system steps that make a write survive a power cut.
enum BackupFile {
    /// Creates (truncating) a file for writing, mode 0640: backups hold every resident's record.
    static func create(_ url: URL, mode: mode_t = 0o640) throws -> FileHandle {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw StoreError(.backupFailed, "Cannot create \(url.path): \(String(cString: strerror(errno))).")
        }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// fsync of a file's contents.
    static func flush(_ url: URL) throws {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        try handle.synchronize()
    }

    /// Atomically puts `source` (already flushed) at `destination`, then flushes the directory so the
    /// rename itself survives a power cut.
    static func replace(_ destination: URL, with source: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw StoreError(.backupFailed, "Cannot rename \(source.path) to \(destination.path): \(String(cString: strerror(errno))).")
        }
        let directory = open(destination.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        defer { close(directory) }
        _ = fsync(directory)
    }
}
