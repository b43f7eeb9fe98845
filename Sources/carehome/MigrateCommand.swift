import ArgumentParser
import CareServer
import Foundation

/// `carehome migrate`: runs every pending migration (server and plugins) and reports, without serving.
/// The installer runs it after an upgrade so a failure shows at install time, not only in the journal.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Run pending database migrations for the server and every enabled plugin, then exit.")

    @OptionGroup var home: HomeOptions

    func run() throws {
        let configuration = try home.configuration()
        var logger = makeLogger()
        logger.logLevel = .warning
        let pluginsDirectory = configuration.pluginsDirectory ?? HomeOptions.defaultPluginsDirectory()
        let appliance: Appliance
        do {
            appliance = try Appliance(configuration: configuration, candidates: PluginCandidate.discover(in: pluginsDirectory), logger: logger)
        } catch {
            throw CommandFailure("migration failed: \(error)")
        }
        defer { appliance.shutdown() }
        var failed = false
        for status in appliance.host.statuses {
            print("\(status.id): \(status.state.rawValue)\(status.reason.map { " — \($0)" } ?? "")")
            if status.state == .failed { failed = true }
        }
        if failed { throw CommandFailure("one or more plugins could not be migrated or loaded (above); the server would start without them") }
    }
}
