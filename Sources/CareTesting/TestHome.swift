package import CareHTTP
package import CareKit
package import CareServer
import CareStore
package import Foundation
import GRDB
import Logging
import Synchronization

/// A real home for tests: a fresh data directory with a real SQLite file, plugins loaded through the
/// same host code as the server (migrations, requires, registration), and requests answered by the
/// same pipeline (sessions, roles, CSRF, shell) — without sockets.
package final class TestHome: Sendable {
    package let directory: URL
    package let appliance: Appliance
    private let sessions = Mutex<[Role: (token: String, csrf: String, userID: Int64)]>([:])
    private let events = EventLog()

    /// Loads `plugins` (in-process instances) into a new home. `enabled`: ids to load (nil: all).
    package init(plugins: [any CarePlugin], enabled: Set<String>? = nil, homeName: String = "Test House", metricsToken: String? = nil,
                 countingStatements: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("carehome-test-\(UUID().uuidString)")
        var configuration = ApplianceConfiguration(dataDirectory: directory)
        configuration.homeName = homeName
        configuration.metricsToken = metricsToken
        configuration.countingStatements = countingStatements
        var logger = Logger(label: "carehome.test")
        logger.logLevel = .warning
        appliance = try Appliance(configuration: configuration, candidates: plugins.map(PluginCandidate.init(plugin:)), logger: logger)
        appliance.host.observeEvents { [events] event in events.items.withLock { $0.append(event) } }
    }

    deinit {
        appliance.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The context of the first loaded plugin (or of `pluginID`).
    package var context: PluginContext {
        guard let first = appliance.host.loadOrder.last, let context = appliance.host.context(of: first) else {
            preconditionFailure("TestHome has no loaded plugin: check plugin statuses with `statuses`")
        }
        return context
    }

    /// The context of a loaded plugin.
    package func context(of pluginID: String) -> PluginContext? { appliance.host.context(of: pluginID) }

    /// What happened to each plugin.
    package var statuses: [PluginStatus] { appliance.host.statuses }

    /// Events delivered so far, in order.
    package var publishedEvents: [CareEvent] { events.items.withLock { $0 } }

    /// Seeds every plugin's demo data.
    package func seedDemoData(today: Day) throws { try appliance.host.seedDemoData(today: today) }

    /// The principal used for requests made `as:` a role.
    package func principal(_ role: Role) throws -> Principal {
        let session = try session(for: role)
        return Principal(userID: session.userID, username: "test-\(role.rawValue)", displayName: "Test \(role.title)", role: role)
    }

    private func session(for role: Role) throws -> (token: String, csrf: String, userID: Int64) {
        if let existing = sessions.withLock({ $0[role] }) { return existing }
        // Accounts are inserted directly (no 600,000-round hash per test); the session is real.
        let username = "test-\(role.rawValue)"
        let userID: Int64 = try appliance.home.pool.write { db in
            try db.execute(sql: """
                INSERT INTO core_users (username, display_name, role, password_hash, created_at, password_changed_at)
                VALUES (?, ?, ?, 'test-no-login', ?, ?)
                """, arguments: [username, "Test \(role.title)", role.rawValue, Timestamp.format(Date()), Timestamp.format(Date())])
            return db.lastInsertedRowID
        }
        guard let account = try appliance.accounts.account(id: userID) else { throw CareError.notFound("test account missing") }
        let (token, session) = try appliance.sessions.start(account: account, address: "127.0.0.1")
        let entry = (token, session.csrfToken, userID)
        sessions.withLock { $0[role] = entry }
        return entry
    }

    /// GET as a signed-in user of `role`. `path` may carry a query string.
    package func get(_ path: String, as role: Role) throws -> TestResponse {
        try send("GET", path, as: role, form: [], includeCSRF: false)
    }

    /// GET as `role`, with the number of SQL statements the request ran (the home must have been made
    /// with `countingStatements: true`). The audit trail's queued entries are written first, so that
    /// only the page's own work is counted.
    package func statements(get path: String, as role: Role) throws -> (count: Int, response: TestResponse) {
        let session = try session(for: role)
        appliance.audit.flush()
        let (pathOnly, query) = TestHome.split(path)
        let request = HTTPRequest(method: "GET", path: pathOnly, headers: ["cookie": "carehome_session=\(session.token)"], query: query)
        let (count, response) = StatementCounter.counting { TestResponse(appliance.respond(to: request)) }
        appliance.audit.flush()
        return (count, response)
    }

    /// The statements a GET as `role` runs that read a whole table (or a whole index) of one of `tables`,
    /// by SQLite's own query plan: a page whose cost follows the home's history, whatever its statement
    /// count. A statement with a LIMIT is left out (its scan stops early, which the plan cannot show).
    package func wholeTableReads(get path: String, as role: Role, tables: Set<String>) throws -> [String] {
        let session = try session(for: role)
        appliance.audit.flush()
        let (pathOnly, query) = TestHome.split(path)
        let request = HTTPRequest(method: "GET", path: pathOnly, headers: ["cookie": "carehome_session=\(session.token)"], query: query)
        let (_, texts, _) = StatementCounter.recording { TestResponse(appliance.respond(to: request)) }
        appliance.audit.flush()
        var found: [String] = []
        try appliance.home.pool.read { db in
            for sql in texts.sorted() where sql.uppercased().hasPrefix("SELECT") && !sql.uppercased().contains("LIMIT") {
                // The plan does not depend on the values: every parameter is left unbound (NULL).
                let explain = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
                explain.setUncheckedArguments(StatementArguments())
                let rows = try Row.fetchAll(explain)
                for row in rows {
                    let detail: String = row["detail"]
                    let words = detail.split(separator: " ").map(String.init)
                    // A partial index holds only the rows it names (those still to do), not the history.
                    if let at = words.firstIndex(of: "INDEX"), at + 1 < words.count,
                       try Bool.fetchOne(db, sql: "SELECT partial FROM pragma_index_list(?) WHERE name = ?", arguments: [words.count > 1 ? words[1] : "", words[at + 1]]) == true {
                        continue
                    }
                    if words.first == "SCAN", words.count > 1, tables.contains(words[1]) {
                        found.append("\(detail) in: \(sql.prefix(200))")
                    }
                }
            }
        }
        return found
    }

    /// POST a form as a signed-in user of `role` (the CSRF token is added unless `withCSRF` is false).
    package func post(_ path: String, as role: Role, form: [String: String], withCSRF: Bool = true) throws -> TestResponse {
        try send("POST", path, as: role, form: form.map { ($0.key, $0.value) }, includeCSRF: withCSRF)
    }

    /// POST with repeated field names (checkbox groups).
    package func post(_ path: String, as role: Role, fields: [(String, String)], withCSRF: Bool = true) throws -> TestResponse {
        try send("POST", path, as: role, form: fields, includeCSRF: withCSRF)
    }

    /// POST as a multipart form with one file (a photo, a CSV file), as a browser sends an upload.
    package func upload(_ path: String, as role: Role, form: [String: String], file: (field: String, filename: String, contentType: String, bytes: [UInt8])) throws -> TestResponse {
        try send("POST", path, as: role, form: form.map { ($0.key, $0.value) }, includeCSRF: true,
                 files: [HTTPRequest.Field(name: file.field, filename: file.filename, contentType: file.contentType, bytes: file.bytes)])
    }

    /// A request with no session (to check that a page needs sign-in).
    package func anonymous(_ method: String, _ path: String, headers: [String: String] = [:]) -> TestResponse {
        TestResponse(appliance.respond(to: HTTPRequest(method: method, path: path, headers: headers)))
    }

    private func send(_ method: String, _ path: String, as role: Role, form: [(String, String)], includeCSRF: Bool,
                      files: [HTTPRequest.Field] = []) throws -> TestResponse {
        let session = try session(for: role)
        let (pathOnly, query) = TestHome.split(path)
        var fields = form.map { HTTPRequest.Field(name: $0.0, bytes: Array($0.1.utf8)) } + files
        if includeCSRF && method == "POST" { fields.append(HTTPRequest.Field(name: "_csrf", bytes: Array(session.csrf.utf8))) }
        let request = HTTPRequest(method: method, path: pathOnly, headers: ["cookie": "carehome_session=\(session.token)"],
                                  query: query, fields: fields)
        let response = TestResponse(appliance.respond(to: request))
        appliance.audit.flush()
        return response
    }

    static func split(_ path: String) -> (String, [(name: String, value: String)]) {
        guard let mark = path.firstIndex(of: "?") else { return (path, []) }
        let query = path[path.index(after: mark)...].split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }
        return (String(path[..<mark]), query)
    }
}

/// A response as a test sees it.
package struct TestResponse: Sendable {
    package let status: Int
    package let headers: [(name: String, value: String)]
    /// The body as text (the whole HTML document for pages).
    package let body: String

    /// The body's bytes (a streamed file's contents, read here).
    package let bytes: [UInt8]

    init(_ response: HTTPResponse) {
        status = response.status
        headers = response.headers
        if let file = response.file, let descriptor = file.take() {
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            bytes = [UInt8]((try? handle.readToEnd()) ?? Data())
        } else {
            bytes = response.body
        }
        body = String(decoding: bytes, as: UTF8.self)
    }

    /// The `Location` of a redirect.
    package var location: String? { headers.first { $0.name == "Location" }?.value }

    /// The one-line message a redirect carries for the next page.
    package var flash: String? {
        headers.first { $0.name == "Set-Cookie" && $0.value.hasPrefix("carehome_flash=") && !$0.value.hasPrefix("carehome_flash=;") }
            .flatMap { $0.value.dropFirst("carehome_flash=".count).split(separator: ";").first }
            .flatMap { String($0).removingPercentEncoding }
    }

    /// The page's `<h1>` text (unescaped as far as `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`).
    package var title: String? {
        guard let start = body.range(of: "<h1>"), let end = body.range(of: "</h1>", range: start.upperBound..<body.endIndex) else { return nil }
        return String(body[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The first value of a header.
    package func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// Table header cells (`<th>`) with no text in them (tags stripped), as written: axe's
    /// `empty-table-header`, where a screen reader announces the column as nothing.
    package var unnamedTableHeaders: [String] {
        var found: [String] = []
        var rest = body[...]
        while let open = rest.range(of: "<th[ >]", options: .regularExpression), let close = rest.range(of: "</th>", range: open.upperBound..<rest.endIndex) {
            let cell = rest[open.lowerBound..<close.upperBound]
            let inner = cell.drop { $0 != ">" }.dropFirst().dropLast("</th>".count)
            let text = inner.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { found.append(String(cell)) }
            rest = rest[close.upperBound...]
        }
        return found
    }
}

/// Events heard by a test home.
final class EventLog: Sendable {
    let items = Mutex<[CareEvent]>([])
}
