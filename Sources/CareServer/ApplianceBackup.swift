package import CareStore
package import Foundation

/// Taking a backup the one way both `carehome backup` (the nightly unit) and the admin page's
/// "Back up now" do it: a checked copy (`HomeDatabase.backup`), a keyed digest beside a plain one,
/// the check recorded for the admin page's list, and, into a directory, the standard retention.
package enum ApplianceBackup {
    /// Where a backup goes: one named file, or a time-stamped file in a directory.
    package enum Destination: Sendable {
        case file(URL)
        case directory(URL)
    }

    /// What a backup did, in sentences for the person who asked.
    package struct Outcome: Sendable {
        package var file: URL
        package var summary: BackupSummary
        package var lines: [String]
        /// Old backups that retention meant to delete but could not.
        package var problems: [String]
    }

    /// The key the server encrypts with: `backup_key` when set (it must be readable), else `backup.key`
    /// beside carehome.conf when it exists (the installer makes it there), else none: a plain backup with
    /// a keyed digest (a demo or test home).
    package static func cipher(for configuration: ApplianceConfiguration) throws -> BackupCipher? {
        if let explicit = configuration.backupKeyFile { return try BackupCipher(keyFile: explicit) }
        if let beside = configuration.resolvedBackupKeyFile, FileManager.default.fileExists(atPath: beside.path) {
            return try BackupCipher(keyFile: beside)
        }
        return nil
    }

    /// Takes one backup. `progress` may throw to stop it (the appliance is stopping); nothing is then
    /// left at the destination.
    package static func take(home: HomeDatabase, configuration: ApplianceConfiguration, to destination: Destination,
                             cipher: BackupCipher?, keepRetention: Bool, now: Date = Date(),
                             progress: (BackupProgress) throws -> Void = { _ in }) throws -> Outcome {
        let target: URL
        switch destination {
        case .file(let file): target = file
        case .directory(let directory): target = directory.appendingPathComponent(BackupRetention.fileName(for: now, encrypted: cipher != nil))
        }
        // The audit chain's head, kept outside the database, goes into the backup (see HomeDatabase.backup).
        let keyFile = configuration.resolvedAuditKeyFile
        let head = FileManager.default.fileExists(atPath: keyFile.path) ? (try? AuditAnchor.load(keyFile: keyFile))?.head() : nil
        let summary = try home.backup(to: target, cipher: cipher, now: now, auditHead: head.map { ($0.id, $0.hash) }, progress: progress)
        if cipher == nil {
            do {
                try BackupDigest.write(for: target, anchor: try AuditAnchor.load(keyFile: configuration.resolvedAuditKeyFile))
            } catch {
                throw StoreError(.backupFailed, "The backup \(target.path) was written but its digest could not be: \(error). Take it again.")
            }
        }
        try? BackupCatalog.record(target, ok: true, how: "when written", detail: summary.description, at: now, pool: home.pool)
        var outcome = Outcome(file: target, summary: summary, lines: ["Backup written: \(target.path)", "Checked: \(summary.description)"], problems: [])
        if case .directory(let directory) = destination, keepRetention {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            let (keep, delete) = BackupRetention.standard.prune(fileNames: names)
            var removed = 0
            for name in delete where name != target.lastPathComponent {
                do {
                    try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
                    try? FileManager.default.removeItem(at: BackupDigest.file(for: directory.appendingPathComponent(name)))
                    removed += 1
                } catch {
                    outcome.problems.append("Could not delete the old backup \(name): \(error.localizedDescription)")
                }
            }
            let kept = keep.filter { BackupRetention.date(fromFileName: $0) != nil }.count
            outcome.lines.append("Retention: kept \(kept) nightly backup\(kept == 1 ? "" : "s") (14 daily, 8 weekly, 12 monthly); deleted \(removed) older.")
        }
        return outcome
    }
}
