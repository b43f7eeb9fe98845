// A plugin built only for the loader's and the server's tests: a page, a save, a slow request,
// a handler that throws, a migration that can be told to fail, and a service of its own that
// neither CareKit nor CareServices declares. Never installed.
import CareKit
import Foundation

final class ProbePlugin: CarePlugin {
    let manifest = PluginManifest(id: "probe", displayName: "Probe", version: "9.9.9", summary: "test fixture")

    var migrations: [Migration] {
        var list = [Migration(1, "create probe_saves", sql: "CREATE TABLE probe_saves (id INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;")]
        if ProcessInfo.processInfo.environment["PROBE_RESHAPE_MIGRATION"] == "1" {
            // An upgrade that changes every row (a new column): the rows must be sealed again after it.
            list.append(Migration(2, "add a column to probe_saves", sql: "ALTER TABLE probe_saves ADD COLUMN mood TEXT NOT NULL DEFAULT 'calm';"))
        }
        if ProcessInfo.processInfo.environment["PROBE_FAIL_MIGRATION"] == "1" {
            list.append(Migration(2, "a migration that fails half way") { db in
                try db.execute("INSERT INTO probe_saves (note) VALUES ('written by the failing migration')")
                throw CareError.badRequest("probe migration 2 fails on purpose")
            })
        }
        return list
    }

    func register(with registrar: any PluginRegistrar) throws {
        let database = registrar.context.database
        registrar.add(Route(.get, "/probe", roles: Role.careTeam) { request in
            let note = request.query["note"] ?? "none"
            return .page(title: "Probe", "<p id=\"note\">\(note)</p>\(Form.start(action: "/probe/save", request: request))\(Form.input("note", label: "Note", value: nil, errors: FormErrors()))\(Form.submit("Save"))\(Form.end)")
        })
        registrar.add(Route(.post, "/probe/save", roles: Role.careTeam) { request in
            let note = request.form["note"] ?? ""
            let id = try database.write { db -> Int64 in
                try db.execute("INSERT INTO probe_saves (note) VALUES (?)", [SQLValue(note)])
                return db.lastInsertedRowID
            }
            return .redirect(to: "/probe?note=\(id)", flash: "Saved \(id)")
        })
        registrar.add(Route(.get, "/probe/saves", roles: Role.careTeam) { _ in
            let notes = try database.read { db in try db.query("SELECT note FROM probe_saves ORDER BY id").compactMap { $0.string("note") } }
            return .text(notes.joined(separator: "\n"))
        })
        registrar.add(Route(.get, "/probe/throw", roles: Role.careTeam) { _ in
            throw ProbeFailure()
        })
        registrar.add(Route(.get, "/probe/slow", roles: Role.careTeam) { _ in
            Thread.sleep(forTimeInterval: 2)
            return .text("slow done")
        })
        registrar.add(Route(.get, "/probe/nurses-only", roles: [.nurse]) { _ in .text("nurse page") })
        // A service CareKit knows nothing of, published and resolved through the server's registry.
        registrar.publish(ProbeServices.greeting, ProbeGreeter())
        let services = registrar.context.services
        registrar.add(Route(.get, "/probe/greeting", roles: Role.careTeam) { request in
            .text(services.resolve(ProbeServices.greeting)?.greeting(for: request.principal.role.rawValue) ?? "no greeting service")
        })
        registrar.add(NavigationEntry(title: "Probe", path: "/probe", roles: Role.careTeam))
        registrar.add(DashboardCard(id: "probe", title: "Probe card", roles: Role.careTeam) { _ in "<p>probe card body</p>" })
    }
}

struct ProbeFailure: Error {}

/// The probe's own service: declared here, in the plugin, with its key.
protocol ProbeGreeting: Sendable {
    func greeting(for role: String) -> String
}

enum ProbeServices {
    static let greeting = ServiceKey<any ProbeGreeting>("probe.greeting")
}

struct ProbeGreeter: ProbeGreeting {
    func greeting(for role: String) -> String { "hello, \(role), from the probe's own service" }
}

@_cdecl("carekit_plugin_api_version")
public func carekitPluginAPIVersion() -> Int32 { carekitCompiledAPIVersion }

@_cdecl("carekit_plugin_create")
public func carekitPluginCreate() -> UnsafeMutableRawPointer { PluginExport.retain(ProbePlugin()) }
