import ArgumentParser
import CareServer
import CareStore
import Foundation

/// `carehome restore-drill`: the admin page's restore drill from the command line (an installer's
/// check, or a yearly cron job), recorded in the home's database the same way.
struct RestoreDrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-drill",
        abstract: "Restore the newest backup into a scratch directory, check it, count its records beside the live home, and record the result.",
        discussion: """
            The live records are not touched: the backup is restored into restore-drill/ inside the data directory \
            (deleted afterwards), checked with SQLite's integrity check and the audit trail, and its tables counted \
            beside the live home's. The result is recorded for the admin page and /metrics. Exit status 1 when it fails.
              sudo -u carehome /opt/carehome/bin/carehome restore-drill --config /etc/carehome/carehome.conf
              carehome restore-drill --data-dir DIR --backup-dir DIR --key-file FILE
            """)

    @OptionGroup var home: HomeOptions
    @Option(name: .customLong("backup-dir"), help: ArgumentHelp("Where the backups are (default: backup_dir).", valueName: "dir"))
    var backupDirectory: String?
    @Option(name: .customLong("from"), help: ArgumentHelp("Drill this backup file instead of the newest.", valueName: "file"))
    var backupFile: String?
    @Option(name: .customLong("key-file"), help: ArgumentHelp("The backup key (default: backup_key, or backup.key beside --config).", valueName: "file"))
    var keyFile: String?

    func run() throws {
        var settings = try home.configuration()
        try refuseRootOverAppliance(settings.dataDirectory, command: "restore-drill")
        if let backupDirectory { settings.backupDirectory = URL(fileURLWithPath: backupDirectory) }
        if let keyFile { settings.backupKeyFile = URL(fileURLWithPath: keyFile) }
        let database: HomeDatabase
        let cipher: BackupCipher?
        do {
            database = try HomeDatabase.openExisting(dataDirectory: settings.dataDirectory)
            cipher = try ApplianceBackup.cipher(for: settings)
        } catch {
            throw CommandFailure("\(error)")
        }
        let anchor = try? AuditAnchor.forHome(keyFile: settings.resolvedAuditKeyFile, pool: database.pool)
        let who = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "console"
        let setup = RestoreDrill.Setup(home: database, configuration: settings, cipher: cipher, auditAnchor: anchor, runBy: "console: \(who)")
        let record: RestoreDrillRecord
        do {
            record = try RestoreDrill.run(setup, backup: backupFile.map { URL(fileURLWithPath: $0) }) { step, percent in
                FileHandle.standardError.write(Data("\(step) (\(percent)%)\n".utf8))
            }
        } catch {
            throw CommandFailure("The drill could not be recorded: \(error)")
        }
        recordInAuditTrail(database, configuration: settings, action: "restore-drill",
                           detail: "\(record.ok ? "passed" : "failed"): \(record.backupFile)\(record.ok ? "" : ": " + record.detail)")
        guard record.ok else { throw CommandFailure("Restore drill FAILED (\(record.backupFile)): \(record.detail)") }
        print("Restore drill passed in \(record.seconds) s. \(record.detail)")
        let width = max(5, record.counts.map(\.table.count).max() ?? 5)
        print("\("table".padding(toLength: width, withPad: " ", startingAt: 0))  backup      live")
        for count in record.counts {
            let live = count.live.map(String.init) ?? "-"
            print("\(count.table.padding(toLength: width, withPad: " ", startingAt: 0))  \(String(count.backup).padding(toLength: 10, withPad: " ", startingAt: 0))  \(live)")
        }
        try? database.closeCleanly()
    }
}
