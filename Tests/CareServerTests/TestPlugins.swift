import CareKit
import Foundation

/// Small in-process plugins for the host's tests. Behaviour is chosen by the initialiser.
final class FakePlugin: CarePlugin, @unchecked Sendable {
    // @unchecked: every stored property is a constant set in init.
    let manifest: PluginManifest
    let migrations: [Migration]
    let routes: [(HTTPMethod, String)]
    let onRegister: @Sendable (any PluginRegistrar) throws -> Void

    /// `routePrefixes`: nil declares the first segment of each route given, so tests about routing (clashes,
    /// matching) are not refused for their paths first; the prefix tests pass their own.
    init(_ id: String, requires: [String] = [], migrations: [Migration] = [], routes: [(HTTPMethod, String)] = [],
         routePrefixes: [String]? = nil, onRegister: @escaping @Sendable (any PluginRegistrar) throws -> Void = { _ in }) {
        let declared = routePrefixes ?? Array(Set(routes.map { "/" + ($0.1.split(separator: "/").first.map(String.init) ?? "") })).sorted()
        manifest = PluginManifest(id: id, displayName: id.capitalized, version: "1.0.0", requires: requires, routePrefixes: declared)
        self.migrations = migrations
        self.routes = routes
        self.onRegister = onRegister
    }

    func register(with registrar: any PluginRegistrar) throws {
        for (method, path) in routes {
            registrar.add(Route(method, path, roles: Role.careTeam) { _ in .text("\(method.rawValue) \(path)") })
        }
        try onRegister(registrar)
    }
}

/// A plugin that saves notes, publishes an event per save, and can be told to fail after writing.
final class NotesPlugin: CarePlugin {
    let manifest = PluginManifest(id: "notes", displayName: "Notes", version: "1.0.0")
    var migrations: [Migration] {
        [Migration(1, "notes table", sql: "CREATE TABLE notes_notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL, resident_id INTEGER NOT NULL) STRICT;")]
    }

    func register(with registrar: any PluginRegistrar) throws {
        let context = registrar.context
        registrar.add(Route(.post, "/notes", roles: Role.careTeam) { request in
            let text = request.form["text"] ?? ""
            if text.isEmpty {
                var errors = FormErrors()
                errors.add("text", "Enter a note.")
                return .page(title: "New note", status: 422, "\(Form.errorSummary(errors))\(Form.start(action: "/notes", request: request))\(Form.input("text", label: "Note", value: text, errors: errors))\(Form.end)")
            }
            let id = try context.database.write { db -> Int64 in
                try db.execute("INSERT INTO notes_notes (text, resident_id) VALUES (?, 7)", [SQLValue(text)])
                db.publishAfterCommit(.medicinesChanged(residentID: 7))
                if text == "fail after write" { throw CareError.conflict("failed on purpose after writing") }
                return db.lastInsertedRowID
            }
            context.audit.record(request, .create, residentID: 7, detail: "note \(id)")
            return .redirect(to: "/notes/\(id)", flash: "Note saved")
        })
        registrar.add(Route(.get, "/notes/:id", roles: Role.careTeam) { request in
            let id = try request.id("id")
            guard let row = try context.database.read({ try $0.queryOne("SELECT text FROM notes_notes WHERE id = ?", [SQLValue(id)]) }) else {
                throw CareError.notFound("There is no such note.")
            }
            context.audit.record(request, .view, residentID: 7, detail: "note \(id)")
            return .page(title: "Note", "<p id=\"text\">\(row.string("text") ?? "")</p>")
        })
        registrar.add(Route(.get, "/notes/count", roles: Role.careTeam) { _ in
            .text(String(try context.database.read { try $0.scalar("SELECT COUNT(*) FROM notes_notes") } ?? -1))
        })
        registrar.add(DashboardCard(id: "notes", title: "Notes card", roles: [.nurse]) { _ in "<p>notes for nurses</p>" })
        registrar.add(NavigationEntry(title: "Notes", path: "/notes/count", roles: [.nurse, .manager]))
    }
}
