import ArgumentParser
import CareServer
import CareStore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `carehome backup …`: take a backup (the default) or check one (`verify`).
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the home's database while the appliance keeps running, or check a backup.",
        discussion: """
            Examples:
              carehome backup --data-dir /var/lib/carehome --to /media/usb/carehome.sqlite
              carehome backup --config /etc/carehome/carehome.conf --key-file /etc/carehome/backup.key --keep-retention
              carehome backup verify /media/usb/carehome-20261123T023000Z.sqlite.enc --key-file /etc/carehome/backup.key
            """,
        subcommands: [TakeBackupCommand.self, VerifyBackupCommand.self],
        defaultSubcommand: TakeBackupCommand.self)
}

/// `carehome backup [take] --data-dir DIR (--to FILE | --to-dir DIR [--keep-retention]) [--key-file F]`.
struct TakeBackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "take",
        abstract: "Take a consistent, checked backup (online: staff can keep working).",
        discussion: """
            The copy is one moment's state, checked with PRAGMA integrity_check, flushed to the disk and \
            only then renamed into place, so the destination is never half a backup. With --to-dir the \
            file is named carehome-YYYYMMDDTHHMMSSZ.sqlite (.enc when encrypted); --keep-retention then \
            deletes older nightly backups there beyond 14 daily, 8 weekly and 12 monthly ones.
            """)

    @OptionGroup var home: HomeOptions
    @Option(name: .customLong("to"), help: ArgumentHelp("The backup file to write (replaced atomically).", valueName: "file"))
    var destination: String?
    @Option(name: .customLong("to-dir"), help: ArgumentHelp("Write a time-stamped backup into this directory (default: backup_dir).", valueName: "dir"))
    var destinationDirectory: String?
    @Flag(name: .customLong("keep-retention"), help: "After a good backup in the directory, delete nightly backups beyond 14 daily, 8 weekly, 12 monthly.")
    var keepRetention = false
    @Option(name: .customLong("key-file"), help: ArgumentHelp("Encrypt with AES-256-GCM using this key file (32 bytes or 64 hex characters).", valueName: "file"))
    var keyFile: String?
    @Flag(name: .customLong("quiet"), help: "No progress lines.")
    var quiet = false

    func validate() throws {
        if destination != nil && destinationDirectory != nil {
            throw ValidationError("Give either --to FILE or --to-dir DIR, not both.")
        }
        if keepRetention && destination != nil {
            throw ValidationError("--keep-retention works with --to-dir (a directory of time-stamped backups), not --to.")
        }
    }

    func run() throws {
        let settings = try home.configuration()
        try refuseRootOverAppliance(settings.dataDirectory, command: "backup")
        let cipher = try keyFile.map { try BackupCipher(keyFile: URL(fileURLWithPath: $0)) }
        let destinationChoice: ApplianceBackup.Destination
        if let destination {
            destinationChoice = .file(URL(fileURLWithPath: destination))
        } else if let chosen = destinationDirectory.map({ URL(fileURLWithPath: $0) }) ?? settings.backupDirectory {
            destinationChoice = .directory(chosen)
        } else {
            throw ValidationError("Say where to write the backup: --to FILE, --to-dir DIR, or backup_dir in the configuration file (--config).")
        }

        try reportingStoreErrors {
            let database = try HomeDatabase.openExisting(dataDirectory: settings.dataDirectory)
            var progress = ProgressLine(quiet: quiet)
            let outcome = try ApplianceBackup.take(home: database, configuration: settings, to: destinationChoice, cipher: cipher,
                                                   keepRetention: keepRetention) { progress.show($0) }
            progress.finish()
            print(outcome.lines[0])
            print(outcome.lines[1])
            recordInAuditTrail(database, configuration: settings, action: "backup", detail: "backup written to \(outcome.file.lastPathComponent)\(cipher == nil ? "" : " (encrypted)")")
            outcome.problems.forEach(printError)
            outcome.lines.dropFirst(2).forEach { print($0) }
        }
    }
}

/// `carehome backup verify FILE [--key-file F]`.
struct VerifyBackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a backup opens, passes PRAGMA integrity_check, and say what it holds.")

    @Argument(help: ArgumentHelp("The backup file.", valueName: "file"))
    var file: String
    @Option(name: .customLong("key-file"), help: ArgumentHelp("The key file, for an encrypted backup.", valueName: "file"))
    var keyFile: String?
    @OptionGroup var home: HomeOptions

    func run() throws {
        let cipher = try keyFile.map { try BackupCipher(keyFile: URL(fileURLWithPath: $0)) }
        if (try? BackupCipher.isEncrypted(URL(fileURLWithPath: file))) == false {
            try checkPlainBackupDigest(URL(fileURLWithPath: file), settings: try home.configuration(requireDataDirectory: false))
        }
        try reportingStoreErrors {
            let scratch = FileManager.default.temporaryDirectory
            let summary = try HomeDatabase.inspectBackup(URL(fileURLWithPath: file), cipher: cipher, scratchDirectory: scratch)
            print("Good backup: \(summary.description)")
            if summary.schemaVersion > HomeDatabase.supportedSchemaVersion {
                print("Note: it was made by a newer version of carehome (schema \(summary.schemaVersion)); this version (schema \(HomeDatabase.supportedSchemaVersion)) cannot restore it.")
            }
        }
    }
}

/// `carehome restore --data-dir DIR --from FILE [--key-file F]`.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the home's database with a backup (the appliance must be stopped).",
        discussion: """
            Refuses, changing nothing, a damaged file, a file that is not a carehome backup, a wrong key, \
            or a backup made by a newer version. The current database is kept aside as \
            home.sqlite.before-restore-<time> in the data directory.
              sudo systemctl stop carehome
              sudo -u carehome /opt/carehome/bin/carehome restore --data-dir /var/lib/carehome --from FILE
              sudo systemctl start carehome
            """)

    @OptionGroup var home: HomeOptions
    @Option(name: .customLong("from"), help: ArgumentHelp("The backup file to restore.", valueName: "file"))
    var source: String
    @Option(name: .customLong("key-file"), help: ArgumentHelp("The key file, for an encrypted backup.", valueName: "file"))
    var keyFile: String?

    func run() throws {
        let settings = try home.configuration()
        try refuseRootOverAppliance(settings.dataDirectory, command: "restore")
        let cipher = try keyFile.map { try BackupCipher(keyFile: URL(fileURLWithPath: $0)) }
        if (try? BackupCipher.isEncrypted(URL(fileURLWithPath: source))) == false {
            try checkPlainBackupDigest(URL(fileURLWithPath: source), settings: settings)
        }
        try reportingStoreErrors {
            let report = try HomeDatabase.restore(dataDirectory: settings.dataDirectory, from: URL(fileURLWithPath: source), cipher: cipher)
            report.lines.forEach { print($0) }
            if let restored = try? HomeDatabase.open(dataDirectory: settings.dataDirectory) {
                do {
                    // The trail now ends where the backup's did: its head and checkpoint start again from there.
                    let anchor = try AuditAnchor.forHome(keyFile: settings.resolvedAuditKeyFile, pool: restored.pool)
                    anchor.forgetHeadAndCheckpoint()
                    // Restored as it is, but said plainly: a record in the backup that the appliance did not save that way.
                    let seals = try restored.recordSealReport(anchor.recordSealer, limit: 5)
                    if seals.since != nil, seals.problemCount > 0 || !seals.earlierFindings.isEmpty {
                        print("Warning: \(seals.problemCount) record(s) in this backup were changed other than through the appliance: \((seals.problems + seals.earlierFindings).prefix(5).joined(separator: "; ")). `carehome check` will report them until they are put right; tell the person responsible for data protection.")
                    }
                    recordInAuditTrail(restored, configuration: settings, action: "restore", detail: "database restored from \(URL(fileURLWithPath: source).lastPathComponent)")
                } catch {
                    print("Before starting carehome: \(error)")
                }
            }
        }
    }
}

/// A plain backup must match its keyed digest (`BackupDigest`), made with the audit key in the settings.
private func checkPlainBackupDigest(_ file: URL, settings: ApplianceConfiguration) throws {
    let keyFile = settings.resolvedAuditKeyFile
    guard FileManager.default.fileExists(atPath: keyFile.path) else {
        throw CommandFailure("\(file.lastPathComponent) is a plain backup: its digest is checked with the audit key, which is not at \(keyFile.path). Give --config or --data-dir of the home it came from.")
    }
    do {
        try BackupDigest.check(file, anchor: try AuditAnchor.load(keyFile: keyFile))
    } catch let error as BackupDigestError {
        // Say what else is wrong with it, if anything, so the first refusal is the most useful one.
        var also = ""
        if let summary = try? HomeDatabase.inspectBackup(file, cipher: nil, scratchDirectory: FileManager.default.temporaryDirectory),
           summary.schemaVersion > HomeDatabase.supportedSchemaVersion {
            also = " It was also made by a newer version of carehome (schema \(summary.schemaVersion)) than this one."
        }
        throw CommandFailure("Refused: \(error.message)\(also) Nothing was changed.")
    }
}

/// Backups and restores go into the audit trail (issue: "exports and backups" are audited), as the
/// console user. A home whose server has never run has no audit table yet: nothing to record into.
func recordInAuditTrail(_ database: HomeDatabase, configuration: ApplianceConfiguration, action: String, detail: String) {
    guard (try? database.appliedMigrations(pluginID: "core").contains(1)) == true else { return }
    var logger = Logger(label: "carehome.audit")
    logger.logLevel = .error
    guard let anchor = try? AuditAnchor.forHome(keyFile: configuration.resolvedAuditKeyFile, pool: database.pool) else { return }
    let audit = AuditLog(home: database, logger: logger, anchor: anchor)
    let who = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "console"
    audit.record(AuditEntry(userID: nil, username: "console: \(who)", address: "console", source: "core", action: action, detail: detail), durable: true)
    audit.flush()
}

/// Running as root over a data directory owned by the appliance's user would leave root-owned
/// database files (-wal, -shm, the restored file) that the service then cannot open.
func refuseRootOverAppliance(_ dataDirectory: URL, command: String) throws {
    guard geteuid() == 0 else { return }
    var info = stat()
    guard stat(dataDirectory.path, &info) == 0, info.st_uid != 0 else { return }
    let owner = getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "\(info.st_uid)"
    let arguments = CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    throw CommandFailure("Run \(command) as the appliance's user \(owner), who owns \(dataDirectory.path), not as root:\n  sudo -u \(owner) \(arguments)")
}

/// Progress on standard error: a line every 10% (a rewritten line on a terminal).
private struct ProgressLine {
    let quiet: Bool
    private var lastShown = -1
    private let terminal = isatty(STDERR_FILENO) == 1

    init(quiet: Bool) { self.quiet = quiet }

    mutating func show(_ progress: BackupProgress) {
        guard !quiet else { return }
        let percent = progress.percent
        guard terminal || percent / 10 != lastShown / 10 || lastShown < 0 else { return }
        guard percent != lastShown else { return }
        lastShown = percent
        let line = "Copying the database: \(percent)% (\(progress.copiedPages) of \(progress.totalPages) pages)"
        FileHandle.standardError.write(Data((terminal ? "\r\(line)" : "\(line)\n").utf8))
    }

    func finish() {
        if !quiet && terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// A store error's message is written for the installer: one line, exit status 1.
private func reportingStoreErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as StoreError {
        throw CommandFailure(error.message)
    }
}

private func printError(_ message: String) {
    FileHandle.standardError.write(Data("carehome: \(message)\n".utf8))
}
