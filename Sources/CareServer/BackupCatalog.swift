package import CareKit
package import CareStore
package import Foundation
package import GRDB

/// One backup file in the backup directory, and what it was found to be when last checked.
package struct BackupFile: Sendable {
    package var name: String
    package var url: URL
    package var bytes: Int64
    package var modifiedAt: Date
    /// When it was made: the time in a nightly backup's name, else the file's modification time.
    package var madeAt: Date
    package var encrypted: Bool
    /// The last check of this very file (same size and modification time), if any.
    package var check: BackupCheck?
    /// A check recorded for this name whose file has changed since (size or time differ).
    package var changedSinceCheck: Bool
}

/// What a check of a backup file found (`core_backup_checks`).
package struct BackupCheck: Sendable, Equatable {
    package var checkedAt: Date
    package var ok: Bool
    /// How it was checked: "when written", "restore drill".
    package var how: String
    package var detail: String
}

/// The backups in the backup directory: listed for the admin page, checked, and chosen for a drill.
package enum BackupCatalog {
    /// The most files the page lists (retention keeps about 34; pre-upgrade copies add a few a year).
    package static let listLimit = 200

    /// A backup's name: `*.sqlite` or `*.sqlite.enc`, not hidden (work in progress starts with a dot).
    package static func isBackupName(_ name: String) -> Bool {
        !name.hasPrefix(".") && !name.contains("/") && (name.hasSuffix(".sqlite") || name.hasSuffix(".sqlite.enc"))
    }

    /// The backups in `directory`, newest first (at most `listLimit`), with their last checks.
    package static func list(directory: URL, pool: DatabasePool?) -> [BackupFile] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter(isBackupName)
        var files: [BackupFile] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            var info = stat()
            // lstat: a symbolic link is not a backup this appliance wrote, and is never followed.
            guard lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
            files.append(BackupFile(name: name, url: url, bytes: Int64(info.st_size), modifiedAt: modified,
                                    madeAt: BackupRetention.date(fromFileName: name) ?? modified,
                                    encrypted: name.hasSuffix(".enc"), check: nil, changedSinceCheck: false))
        }
        files.sort { ($0.madeAt, $0.name) > ($1.madeAt, $1.name) }
        files = Array(files.prefix(listLimit))
        guard let pool, let checks = try? checks(pool: pool) else { return files }
        for index in files.indices {
            guard let recorded = checks[files[index].name] else { continue }
            if recorded.bytes == files[index].bytes && recorded.modifiedAt == Timestamp.format(files[index].modifiedAt) {
                files[index].check = recorded.check
            } else {
                files[index].changedSinceCheck = true
            }
        }
        return files
    }

    /// The newest backup in `directory`, if any.
    package static func latest(directory: URL) -> BackupFile? { list(directory: directory, pool: nil).first }

    /// Records what a check of `file` found, tied to its present size and modification time.
    package static func record(_ file: URL, ok: Bool, how: String, detail: String, at: Date = Date(), pool: DatabasePool) throws {
        var info = stat()
        guard lstat(file.path, &info) == 0 else { return }
        try pool.write { db in
            guard try db.tableExists("core_backup_checks") else { return }
            try db.execute(sql: """
                INSERT INTO core_backup_checks (file_name, bytes, modified_at, checked_at, ok, how, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (file_name) DO UPDATE SET bytes = excluded.bytes, modified_at = excluded.modified_at,
                    checked_at = excluded.checked_at, ok = excluded.ok, how = excluded.how, detail = excluded.detail
                """, arguments: [file.lastPathComponent, Int64(info.st_size), Timestamp.format(Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))),
                                 Timestamp.format(at), ok ? 1 : 0, how, String(detail.prefix(1000))])
            // Bounded: backups deleted by retention leave their rows; keep the newest few hundred.
            try db.execute(sql: """
                DELETE FROM core_backup_checks WHERE file_name NOT IN
                    (SELECT file_name FROM core_backup_checks ORDER BY checked_at DESC LIMIT \(listLimit * 2))
                """)
        }
    }

    private static func checks(pool: DatabasePool) throws -> [String: (bytes: Int64, modifiedAt: String, check: BackupCheck)] {
        try pool.read { db in
            guard try db.tableExists("core_backup_checks") else { return [:] }
            var found: [String: (bytes: Int64, modifiedAt: String, check: BackupCheck)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT file_name, bytes, modified_at, checked_at, ok, how, detail FROM core_backup_checks") {
                let checkedAt: String = row["checked_at"]
                found[row["file_name"]] = (row["bytes"], row["modified_at"],
                                          BackupCheck(checkedAt: Timestamp.parse(checkedAt) ?? Date(timeIntervalSince1970: 0),
                                                      ok: (row["ok"] as Int) == 1, how: row["how"], detail: row["detail"]))
            }
            return found
        }
    }
}
