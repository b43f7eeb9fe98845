import ArgumentParser
import CareServer
import Foundation

/// The `carehome` command: serve a home, run a demo, and the installer's tools.
@main
struct Carehome: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carehome",
        abstract: "The care home appliance: resident registry, home round, medication review and falls log.",
        version: Appliance.version,
        subcommands: [ServeCommand.self, DemoCommand.self, PluginsCommand.self, CheckCommand.self, UserCommand.self, AuditCommand.self,
                      BackupCommand.self, RestoreCommand.self, RestoreDrillCommand.self, MigrateCommand.self, GenerateHomeCommand.self,
                      APITokenCommand.self, ExportCommand.self]
    )

    /// Wrong arguments exit with status 2 and a usage message, never a stack trace.
    static func main() {
        // Everything this program writes (the database, its journal, backups, partial copies) holds
        // residents' records: never readable by other users, even a file left by a kill midway.
        umask(0o077)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// A failure the person at the terminal can act on: printed as one line, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
