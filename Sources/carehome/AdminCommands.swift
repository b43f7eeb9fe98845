import ArgumentParser
import CareKit
import CareServer
import CareStore
import Foundation

/// `carehome plugins list`.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plugins", abstract: "Inspect plugins.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each plugin found, its version, and whether it would load (and why not).")

        @OptionGroup var home: HomeOptions

        func run() throws {
            var configuration = try home.configuration(requireDataDirectory: false)
            // Try the load for real (migrations included) against a scratch copy of nothing: a new home.
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-plugins-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            configuration.dataDirectory = scratch
            let directory = configuration.pluginsDirectory ?? HomeOptions.defaultPluginsDirectory()
            var logger = makeLogger()
            logger.logLevel = .critical
            let appliance = try Appliance(configuration: configuration, candidates: PluginCandidate.discover(in: directory), logger: logger)
            defer { appliance.shutdown() }
            print("Plugins in \(directory.path):")
            if appliance.host.statuses.isEmpty { print("  (none found)") }
            for status in appliance.host.statuses {
                let version = status.version.isEmpty ? "" : " \(status.version)"
                print("  \(status.id)\(version): \(status.state.rawValue)\(status.reason.map { " — \($0)" } ?? "")")
            }
        }
    }
}

/// `carehome check --data-dir DIR`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check the database's integrity, schema and audit chain; exit 1 on a problem.")

    @OptionGroup var home: HomeOptions

    @Flag(name: .customLong("full"), help: "Check the whole audit chain, not only the entries since the last check.")
    var full = false

    func run() throws {
        let configuration = try home.configuration()
        let database: HomeDatabase
        do { database = try HomeDatabase.openExisting(dataDirectory: configuration.dataDirectory) } catch { throw CommandFailure("\(error)") }
        let problems = try database.integrityProblems()
        guard problems.isEmpty else { throw CommandFailure("integrity_check found problems: \(problems.prefix(5).joined(separator: "; "))") }
        print("integrity: ok")
        print("schema: \(try database.schemaVersion()) (this program supports up to \(HomeDatabase.supportedSchemaVersion))")
        print("synchronous: \(try database.pragma("synchronous")) (2 = FULL), journal: \(try database.pragma("journal_mode"))")
        if try database.pool.read({ db in try db.tableExists("core_audit") }) {
            try verifyAuditTrail(database, configuration: configuration, full: full)
            try checkRecordSeals(database, configuration: configuration)
        }
    }
}

/// Compares every plugin record with its seal (RecordSeals): a record changed, added or removed in the
/// file by anything other than the appliance is reported, with its table and row, and check fails.
func checkRecordSeals(_ database: HomeDatabase, configuration: ApplianceConfiguration) throws {
    let anchor: AuditAnchor
    do { anchor = try AuditAnchor.load(keyFile: configuration.resolvedAuditKeyFile) } catch { throw CommandFailure("records: \(error)") }
    let report = try database.recordSealReport(anchor.recordSealer)
    guard let since = report.since else {
        print("records: not sealed yet (the appliance seals every record from the next time it starts)")
        return
    }
    var lines = report.problems
    if report.problemCount > lines.count { lines.append("… and \(report.problemCount - lines.count) more") }
    if !report.earlierFindings.isEmpty {
        lines.append("Found earlier, before an upgrade sealed the rows again:")
        lines += report.earlierFindings
    }
    guard lines.isEmpty else {
        for line in lines { print("records: \(line)") }
        throw CommandFailure("records: \(report.problemCount + (report.earlierFindings.isEmpty ? 0 : 1)) problem(s): a record was changed in the database file other than through the appliance. Compare with the audit trail (who saved what, when) and, if the change was not meant, restore the last good backup.")
    }
    print("records: \(report.rows) rows in \(report.tables) tables are as the appliance last saved them (sealed since \(since))")
}

/// `carehome user add …` (password on standard input).
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage staff accounts.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account; the password is read from standard input.")

        @OptionGroup var home: HomeOptions
        @Option(help: "Login name, such as j.smith.") var username: String
        @Option(help: "carer, nurse, manager, clinician or admin.") var role: String
        @Option(name: .customLong("display-name"), help: "The name shown on pages.") var displayName: String?
        @Option(help: "Last day the account works (YYYY-MM-DD), for visiting clinicians.") var expires: String?

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))") }
            if let expires, Day(iso: expires) == nil { throw ValidationError("--expires must be a date such as 2026-12-31") }
        }

        func run() throws {
            let configuration = try home.configuration()
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw CommandFailure("Type the password on standard input, for example: printf '%s\\n' 'a long password' | carehome user add …")
            }
            var logger = makeLogger()
            logger.logLevel = .warning
            let appliance = try Appliance(configuration: configuration, candidates: [], logger: logger)
            defer { appliance.shutdown() }
            do {
                let account = try appliance.accounts.create(username: username, displayName: displayName ?? username, role: Role(rawValue: role) ?? .carer,
                                                            password: password, expiresOn: expires.flatMap { Day(iso: $0) }, createdBy: nil)
                appliance.audit.record(AuditEntry(userID: nil, username: "carehome user add", address: "console", source: "core", action: "account-created", detail: "\(account.username) as \(account.role.rawValue)"), durable: true)
                print("Added \(account.username) (\(account.role.title)).")
            } catch let error as AccountError {
                throw CommandFailure(error.message)
            }
        }
    }
}

/// `carehome audit verify --data-dir DIR`.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit trail.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the audit chain since the last check (--full: from the first entry); report the first broken entry (exit 1).")
        @OptionGroup var home: HomeOptions
        @Flag(name: .customLong("full"), help: "Check every entry, not only those since the last check.")
        var full = false

        func run() throws {
            let configuration = try home.configuration()
            let database: HomeDatabase
            do { database = try HomeDatabase.openExisting(dataDirectory: configuration.dataDirectory) } catch { throw CommandFailure("\(error)") }
            try verifyAuditTrail(database, configuration: configuration, full: full)
        }
    }
}

/// Verifies the chain with its key and head (kept outside the database) from the last checkpoint, or
/// fully, and moves the checkpoint on when it is intact.
func verifyAuditTrail(_ database: HomeDatabase, configuration: ApplianceConfiguration, full: Bool) throws {
    let keyFile = configuration.resolvedAuditKeyFile
    guard FileManager.default.fileExists(atPath: keyFile.path) else {
        throw CommandFailure("audit trail: the key \(keyFile.path) is missing, so the chain cannot be checked (set audit_key in carehome.conf to where it is kept)")
    }
    var logger = makeLogger()
    logger.logLevel = .error
    let audit: AuditLog
    do { audit = AuditLog(home: database, logger: logger, anchor: try AuditAnchor.load(keyFile: keyFile)) } catch { throw CommandFailure("audit trail: \(error)") }
    let verification = try audit.verifyAndCheckpoint(full: full)
    try AuditLog.record(verification, pool: database.pool)  // shown on the manager's audit page
    if let problem = verification.problem {
        throw CommandFailure("audit trail broken at entry \(verification.firstBrokenID ?? 0): \(problem)")
    }
    let scope = verification.startedAfter == 0 ? "every entry" : "the entries after \(verification.startedAfter) (the last check's checkpoint; --full for all)"
    print("audit trail: \(verification.entries) entries checked, \(scope); chain intact, head \(verification.last?.id ?? 0)")
}
