import ArgumentParser
import CareKit
import CareServer
import Foundation

/// A throwaway demo home with fictional residents (what `make run` starts).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a demo home with fictional residents and demo accounts.",
        discussion: "Demo accounts (password \(DemoCommand.password) for all): \(DemoCommand.accounts.map { "\($0.username) (\($0.role.title))" }.joined(separator: ", ")). Never use the demo on a real home."
    )

    static let password = "carehome-demo"
    static let accounts: [(username: String, name: String, role: Role)] = [
        ("carer", "Amira Carer", .carer),
        ("nurse", "Niamh Nurse", .nurse),
        ("manager", "Margaret Manager", .manager),
        ("gp", "Dr Gareth Price (GP)", .clinician),
        ("pharmacist", "Priya Pharmacist", .clinician),
        ("admin", "Ian Installer", .admin),
    ]

    @Option(name: .customLong("listen"), help: "HOST:PORT (default 127.0.0.1:8080).")
    var listen = "127.0.0.1:8080"

    @Option(name: .customLong("data-dir"), help: "Keep the demo home here (default: a new temporary directory).")
    var dataDirectory: String?

    @Option(name: .customLong("plugins-dir"), help: "Where plugin libraries are (default: ../plugins beside the binary).")
    var pluginsDirectory: String?

    func run() throws {
        let directory = dataDirectory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("carehome-demo-\(ProcessInfo.processInfo.processIdentifier)")
        var configuration = ApplianceConfiguration(dataDirectory: directory)
        configuration.homeName = "Willow Court (demo)"
        do { (configuration.listenAddress, configuration.listenPort) = try ApplianceConfiguration.parseListen(listen) }
        catch { throw ValidationError("\(error)") }
        configuration.pluginsDirectory = pluginsDirectory.map { URL(fileURLWithPath: $0) }
        // Beside the data directory, so that Back up now and the restore drill work in the demo.
        let backups = directory.deletingLastPathComponent().appendingPathComponent(directory.lastPathComponent + "-backups")
        try FileManager.default.createDirectory(at: backups, withIntermediateDirectories: true)
        configuration.backupDirectory = backups
        let restart = try serve(configuration, banner: { port in
            let host = configuration.listenAddress == "0.0.0.0" ? "127.0.0.1" : configuration.listenAddress
            var lines = ["", "Demo home ready: http://\(host):\(port)/", "", "Sign in with any of these (password: \(DemoCommand.password)):"]
            lines += DemoCommand.accounts.map { "  \($0.username.padding(toLength: 12, withPad: " ", startingAt: 0)) \($0.role.title)" }
            lines += ["", "Data: \(directory.path) (fictional people only); backups: \(backups.path). Stop with Ctrl-C.", ""]
            return lines.joined(separator: "\n")
        }, prepare: { appliance in
            guard try appliance.accounts.count() == 0 else { return }
            for account in DemoCommand.accounts {
                try appliance.accounts.create(username: account.username, displayName: account.name, role: account.role,
                                              password: DemoCommand.password, expiresOn: nil, createdBy: nil)
            }
            do {
                try appliance.host.seedDemoData(today: HomeTime.today())
            } catch {
                appliance.logger.error("demo data could not be seeded", metadata: ["error": .string("\(error)")])
            }
        })
        if restart { restartInPlace() }
    }
}
