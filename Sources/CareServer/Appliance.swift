package import CareHTTP
package import CareKit
package import CareServices
package import CareStore
package import Foundation
package import Logging
import Synchronization

/// The appliance: the home's database, accounts, sessions, the audit trail, the plugins, and the
/// request pipeline that turns an HTTP request into a page. No sockets here: the HTTP server and the
/// in-process test harness both call `respond(to:)`.
package final class Appliance: Sendable {
    package static let version = "0.1.0"

    package let configuration: ApplianceConfiguration
    package let home: HomeDatabase
    package let host: PluginHost
    package let accounts: Accounts
    package let sessions: Sessions
    package let audit: AuditLog
    package let logger: Logger
    let assets: Assets
    /// The /healthz answer, rebuilt at most once a second: it writes to the database and reads the
    /// backup status file, which a monitor polling it (or a load test) should not repeat per request.
    let healthCache = Recent<HTTPResponse>(for: .seconds(1))
    let requestIDs = RequestIDs()
    /// The admin's screen: background backup or drill, start time, restart (Appliance+Admin).
    let admin = AdminState()

    static let sessionCookie = "carehome_session"
    static let loginCookie = "carehome_login"
    static let flashCookie = "carehome_flash"

    /// Opens the home's database (stopping with a clear error if it is damaged or newer), migrates the
    /// server's tables, and loads the plugins.
    package init(configuration: ApplianceConfiguration, candidates: [PluginCandidate], logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        home = try HomeDatabase.open(dataDirectory: configuration.dataDirectory, countingStatements: configuration.countingStatements)
        let events = EventSink()
        try home.migrate(pluginID: "core", migrations: CoreSchema.migrations, events: events)
        audit = AuditLog(home: home, logger: logger, anchor: try AuditAnchor.forHome(keyFile: configuration.resolvedAuditKeyFile, pool: home.pool))
        // Before the plugins load (and migrate): from now on each record a plugin saves is sealed.
        if let anchor = audit.anchor { try home.startSealingRecords(with: anchor.recordSealer) }
        accounts = try Accounts(home: home)
        sessions = Sessions(home: home, idleTimeout: TimeInterval(configuration.sessionIdleMinutes * 60),
                            absoluteLifetime: TimeInterval(configuration.sessionLifetimeHours * 3600))
        host = PluginHost(home: home, events: events, audit: audit, logger: logger)
        host.services.publish(name: Services.staff.name, AccountsStaffDirectory(accounts: accounts) as any StaffDirectory)
        host.services.publish(name: Services.portraits.name, PortraitService() as any PortraitMaker)
        assets = Assets.load(from: configuration.assetsDirectory ?? Assets.defaultDirectory(), logger: logger)
        // The server's own pages first, so that a plugin route clashing with one of them is refused.
        try host.loadBuiltIn(CorePlugin(appliance: self))
        host.load(candidates, enabled: configuration.enabledPlugins, choices: try PluginChoices.load(pool: home.pool))
        // The chain's head in the log too: a later log line with a smaller head shows entries removed.
        if let head = audit.anchor?.head() {
            logger.info("audit trail head", metadata: ["audit.head.id": .stringConvertible(head.id), "audit.head.hash": .string(String(head.hash.prefix(19)))])
        }
    }

    /// Finishes work that a stop cut off: one-time form tokens left "in progress", events never
    /// delivered, audit entries promised but never written. Only the server holding the data directory's
    /// lock may call this, before it serves (a command run beside a live server would take a request in
    /// flight for one cut off, and a command without the plugins would drop their events).
    package func recoverAfterStop() throws {
        submissions.abandonInProgress()
        RestoreDrill.removeLeftovers(dataDirectory: configuration.dataDirectory)
        let recovered = try Outbox(pool: home.pool).recover(deliver: { [host] events, ids in host.deliver(events, outboxIDs: ids) },
                                                             audit: audit, logger: logger)
        if recovered.events + recovered.audits > 0 {
            logger.warning("recovered work cut off by a stop", metadata: ["outbox.events": .stringConvertible(recovered.events),
                                                                          "outbox.audit": .stringConvertible(recovered.audits)])
        }
    }

    /// Stops plugins and writes queued audit entries.
    package func shutdown() {
        admin.jobs.stopAndWait()
        host.stopAll()
        audit.flush()
        do { try home.closeCleanly() } catch { logger.warning("the database could not be checkpointed on the way out", metadata: ["error": .string("\(error)")]) }
    }

    var homeName: String {
        if let provider = host.services.resolve(Services.homeProfile), let name = try? provider.profile().name, !name.isEmpty {
            return name
        }
        return configuration.homeName
    }

    var shell: Shell {
        // The appliance's own stylesheets, then those of the plugins loaded now (none from a disabled one).
        Shell(homeName: homeName, version: Appliance.version,
              stylesheets: assets.stylesheets.map { "/assets/\($0)" } + host.stylesheets().map(\.href), scripts: assets.scripts)
    }

    var usesTLS: Bool { configuration.tlsCertificate != nil }

    // MARK: - The pipeline

    /// Answers one request. Never throws: every failure becomes an error page and a log line.
    package func respond(to http: HTTPRequest) -> HTTPResponse {
        let requestID = requestIDs.next()
        let started = ContinuousClock.now
        var response = route(http, requestID: requestID)
        addSecurityHeaders(&response)
        if http.method == "HEAD" { response.body = [] }
        if !(http.path == "/healthz" || http.path == "/metrics" || http.path.hasPrefix("/assets/")) {
            let elapsed = ContinuousClock.now - started
            logger.info("request", metadata: ["request.id": .string(requestID), "http.method": .string(http.method),
                                              "http.path": .string(http.path), "http.status": .stringConvertible(response.status),
                                              "duration.ms": .stringConvertible(elapsed.components.attoseconds / 1_000_000_000_000_000 + elapsed.components.seconds * 1000)])
        }
        return response
    }

    /// The most a client that has not signed in may send: the sign-in form is far smaller.
    package static let unauthenticatedBodyLimit = 16 * 1024

    /// How many bytes of body a request may send, decided from its headers before any of the body is
    /// read (the HTTP server asks): the sign-in form and anything without a live session get a small
    /// limit, so nobody who has not signed in can make the box hold megabytes. A form sent with the
    /// cookie of a session that ran out recently may carry a photo, to be kept for its owner (PendingPosts).
    package func bodyLimit(method: String, path: String, cookieHeader: String?) -> Int {
        guard path != "/login", let token = HTTPRequest.cookies(header: cookieHeader)[Appliance.sessionCookie] else {
            return Appliance.unauthenticatedBodyLimit
        }
        if (try? sessions.find(token: token)) != nil { return configuration.maxBodyBytes }
        if method == "POST" && PendingPosts.isRecentSession(token: token, pool: home.pool) {
            return min(configuration.maxBodyBytes, PendingPosts.maxFileBytes + PendingPosts.maxBytes)
        }
        return Appliance.unauthenticatedBodyLimit
    }

    private func route(_ http: HTTPRequest, requestID: String) -> HTTPResponse {
        if http.bodyTooLarge && http.bodyLimit > 0 && http.bodyLimit < configuration.maxBodyBytes {
            return pageResponse(Shell.errorPage(status: 413, message: "That was larger than this appliance accepts before you sign in. Sign in and try again. Nothing was saved.", requestID: requestID), status: 413, viewer: nil, http: http, requestID: requestID)
        }
        if http.bodyTooLarge {
            return pageResponse(Shell.errorPage(status: 413, message: "The file or form was larger than \(configuration.maxBodyBytes / 1024 / 1024) MB. Nothing was saved.", requestID: requestID), status: 413, viewer: nil, http: http, requestID: requestID)
        }
        guard let method = HTTPMethod(rawValue: http.method) else {
            return pageResponse(Shell.errorPage(status: 405, message: "This server does not answer \(http.method) requests.", requestID: requestID), status: 405, viewer: nil, http: http, requestID: requestID)
        }
        // The routes answered before the session check, and only these: health and metrics for monitoring
        // (metrics with its own bearer token), the sign-in form, /fhir for outside systems with an API token,
        // and the stylesheets and scripts. Every other page, the server's own included, is a route of a
        // plugin (the built-in `core` for the server's pages), run below through the one router.
        switch (method, http.path) {
        case (.get, "/healthz"), (.head, "/healthz"): return health()
        case (.get, "/metrics"), (.head, "/metrics"): return metrics(http, requestID: requestID)
        case (.get, "/login"), (.head, "/login"): return loginPage(http, requestID: requestID, username: "", error: nil, status: 200)
        case (.post, "/login"): return login(http, requestID: requestID)
        default: break
        }
        // Outside systems with an API token, not signed-in staff (Appliance+FHIR).
        if http.path == "/fhir" || http.path.hasPrefix("/fhir/") { return fhirAPI(http, requestID: requestID) }
        if http.path.hasPrefix("/assets/") && (method == .get || method == .head) {
            let name = http.path.dropFirst("/assets/".count)
            // A loaded plugin's own stylesheet or image, under its id; its address carries its content's hash.
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, let asset = host.asset(pluginID: String(parts[0]), name: String(parts[1])) {
                return HTTPResponse(status: 200, headers: [("Content-Type", asset.contentType),
                                                           ("Cache-Control", "public, max-age=31536000, immutable")], body: asset.bytes)
            }
            return assets.response(for: String(name))
                ?? pageResponse(Shell.errorPage(status: 404, message: "There is no such file.", requestID: requestID), status: 404, viewer: nil, http: http, requestID: requestID)
        }
        // Everything else needs a signed-in user.
        let session: Session?
        do {
            session = try http.cookies[Appliance.sessionCookie].flatMap { try sessions.find(token: $0) }
        } catch {
            logger.error("session lookup failed", metadata: ["request.id": .string(requestID), "error": .string("\(error)")])
            return pageResponse(Shell.errorPage(status: 503, message: "The appliance cannot read its database just now. Try again in a minute.", requestID: requestID), status: 503, viewer: nil, http: http, requestID: requestID)
        }
        guard let session else {
            if method == .get || method == .head {
                let next = http.path == "/" ? "" : "?next=" + Appliance.percentEncode(http.path + Appliance.queryString(http))
                return redirect("/login" + next)
            }
            // A form sent after the idle timeout (a fall typed while the session ran out): kept for the
            // person whose session it came from, and saved once when they sign in again on this screen.
            if let token = http.cookies[Appliance.sessionCookie],
               let owner = try? PendingPosts.owner(of: token, csrf: Appliance.formData(http.fields)["_csrf"], pool: home.pool),
               let kept = try? PendingPosts(pool: home.pool).keep(userID: owner, request: http) {
                logger.info("form kept across a sign-in", metadata: ["request.id": .string(requestID), "user.id": .stringConvertible(owner)])
                return redirect("/login?resume=" + kept)
            }
            return redirect("/login", flash: "Your session ended, so that was not saved. Sign in and try again.")
        }
        let form = Appliance.formData(http.fields)
        let request = Request(method: method, path: http.path, query: Appliance.queryData(http.query), form: form,
                              headers: http.headers, principal: session.account.principal, requestID: requestID,
                              remoteAddress: http.remoteAddress, csrfToken: session.csrfToken)
        let viewer = Shell.Viewer(principal: request.principal, csrfToken: session.csrfToken, navigation: host.navigation(for: request.principal.role))
        if method.changesState {
            let sent = form["_csrf"] ?? http.headers["x-csrf-token"] ?? ""
            guard constantTimeEqual(Array(sent.utf8), Array(session.csrfToken.utf8)) else {
                logger.warning("csrf token missing or wrong", metadata: ["request.id": .string(requestID), "http.path": .string(http.path)])
                return pageResponse(Shell.errorPage(status: 403, message: "This form had expired or did not come from this appliance, so nothing was changed. Go back, reload the page and try again.", requestID: requestID), status: 403, viewer: viewer, http: http, requestID: requestID)
            }
            if http.formParseFailed {
                return pageResponse(Shell.errorPage(status: 400, message: "The form could not be read. Nothing was changed.", requestID: requestID), status: 400, viewer: viewer, http: http, requestID: requestID)
            }
        }
        switch host.match(method: method, path: http.path) {
        case .notFound:
            return notFound(viewer: viewer, http: http, requestID: requestID)
        case .methodNotAllowed(let allowed):
            var response = pageResponse(Shell.errorPage(status: 405, message: "This page cannot be used that way.", requestID: requestID), status: 405, viewer: viewer, http: http, requestID: requestID)
            response.headers.append(("Allow", allowed.map(\.rawValue).joined(separator: ", ")))
            return response
        case .found(let entry, let parameters):
            guard entry.route.roles.contains(request.principal.role) else {
                return forbidden(viewer: viewer, http: http, requestID: requestID)
            }
            var routed = request
            routed.pathParameters = parameters
            // Only the built-in plugin's pages see the session and the HTTP request (`CoreExchange`).
            let exchange = entry.pluginID == CorePlugin.id ? CoreExchange(session: session, http: http, viewer: viewer) : nil
            return runHandler(entry, request: routed, http: http, viewer: viewer, exchange: exchange)
        }
    }

    /// Runs a plugin's handler (the built-in plugin's too), with the one-time form token making a repeated
    /// submission act once, and maps what it throws to the one set of error pages.
    private func runHandler(_ entry: Router.Entry, request: Request, http: HTTPRequest, viewer: Shell.Viewer, exchange: CoreExchange?) -> HTTPResponse {
        let once = request.method.changesState ? request.form.nonEmpty("_once") : nil
        if let once {
            switch submissions.claim(token: once, userID: request.principal.userID) {
            case .first: break
            case .done(let location):
                return redirect(location, flash: "That form had already been saved; it was not saved twice.")
            case .inProgress:
                return pageResponse(Shell.errorPage(status: 409, message: "That form is being saved from another click. Wait a moment and reload the page.", requestID: request.requestID), status: 409, viewer: viewer, http: http, requestID: request.requestID)
            }
        }
        let response: Response
        // A state-changing request runs in a ChangeScope: its first committed write also commits the
        // promise of its audit entry (the outbox), kept until that entry is chained.
        let scope = request.method.changesState ? ChangeScope(request: request, source: entry.pluginID) : nil
        defer { if let scope { settleAudit(scope, request: request) } }
        do {
            response = try CoreExchange.$current.withValue(exchange) {
                try ChangeScope.$current.withValue(scope) { try entry.route.handler(request) }
            }
        } catch let error as CareError {
            if let once { submissions.release(token: once) }
            let status = error.code.httpStatus
            return pageResponse(Shell.errorPage(status: status, message: error.message, requestID: request.requestID), status: status, viewer: viewer, http: http, requestID: request.requestID)
        } catch where HomeDatabase.isDiskFull(error) {
            if let once { submissions.release(token: once) }
            logger.error("save failed: disk full", metadata: ["request.id": .string(request.requestID), "plugin.id": .string(entry.pluginID)])
            return pageResponse(diskFullPage(request), status: 507, viewer: viewer, http: http, requestID: request.requestID)
        } catch {
            if let once { submissions.release(token: once) }
            logger.error("handler failed", metadata: ["request.id": .string(request.requestID), "plugin.id": .string(entry.pluginID),
                                                      "http.path": .string(request.path), "error": .string("\(error)")])
            return pageResponse(Shell.errorPage(status: 500, message: "The page could not be completed.", requestID: request.requestID), status: 500, viewer: viewer, http: http, requestID: request.requestID)
        }
        if let once {
            if (300..<400).contains(response.status), let location = response.headers["Location"] {
                submissions.complete(token: once, location: location)
            } else {
                submissions.release(token: once)
            }
        }
        if let direct = exchange?.takeDirectAnswer() { return direct }
        return render(response, viewer: viewer, http: http, requestID: request.requestID)
    }

    var submissions: FormSubmissions { FormSubmissions(pool: home.pool) }

    /// A save refused because the disk is full: says so plainly, tells the user what to do, and gives the
    /// form back with everything they typed, to send again once space is freed (same CSRF and one-time
    /// tokens, so it still saves only once). Uploaded files cannot be kept and must be chosen again.
    func diskFullPage(_ request: Request) -> Page {
        var fields: [HTML] = []
        var hidden: [HTML] = []
        for (name, values) in request.form.fields.sorted(by: { $0.key < $1.key }) {
            for (index, value) in values.enumerated() {
                if name.hasPrefix("_") {
                    hidden.append("<input type=\"hidden\" name=\"\(name)\" value=\"\(value)\">")
                } else {
                    let id = "kept-\(fields.count)-\(index)"
                    fields.append("<div class=\"field\"><label for=\"\(id)\">\(name.replacingOccurrences(of: "_", with: " ").capitalized)</label><textarea id=\"\(id)\" name=\"\(name)\" rows=\"\(value.contains("\n") || value.count > 60 ? 4 : 1)\">\(value)</textarea></div>")
                }
            }
        }
        let files: HTML = request.form.files.isEmpty ? "" : "<p>The file you chose could not be kept: choose it again before saving.</p>"
        let body: HTML = """
        \(UI.banner(.danger, title: "Not saved: the appliance's disk is full", "<p>Nothing was lost that was saved before, and what you typed is below. Tell the person who looks after the appliance that its disk is full (they free space; restoring a backup would not help). When they have, press Save again.</p>"))
        <form method="post" action="\(request.path)">\(hidden)\(fields)\(files)\(Form.submit("Save again"))</form>
        """
        return Page(title: "Not saved: disk full", body: body)
    }

    /// After a state-changing handler: if it saved something but recorded no entry for a change, record
    /// one for it; then write the request's entries before the reply goes, so the trail has them even if
    /// the power goes next (the outbox covers the moment between the save and this).
    private func settleAudit(_ scope: ChangeScope, request: Request) {
        guard let promise = scope.outboxID else { return }
        if !scope.audited {
            audit.record(AuditEntry(userID: scope.userID, username: scope.username, address: scope.address, source: scope.source,
                                    action: "change", detail: "saved by \(scope.method) \(scope.path)", outboxID: promise), durable: true)
        }
        audit.flush()
    }

    /// Turns a plugin's response into HTTP.
    func render(_ response: Response, viewer: Shell.Viewer?, http: HTTPRequest, requestID: String) -> HTTPResponse {
        var result: HTTPResponse
        switch response.body {
        case .page(let page):
            result = pageResponse(page, status: response.status, viewer: viewer, http: http, requestID: requestID)
        case .bytes(let bytes, let contentType):
            result = HTTPResponse(status: response.status, headers: [("Content-Type", contentType), ("Cache-Control", "no-store")], body: bytes)
        case .empty:
            result = HTTPResponse(status: response.status)
        @unknown default:
            // A kind of body added to CareKit after this server was built: never sent half-understood.
            result = HTTPResponse(status: 500)
        }
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { result.headers.append((name, value)) }
        if let flash = response.flash {
            result.headers.append(("Set-Cookie", cookie(Appliance.flashCookie, Appliance.percentEncode(flash), maxAge: 60)))
        }
        return result
    }

    /// A page in the shell, consuming any flash message waiting in the cookie.
    func pageResponse(_ page: Page, status: Int, viewer: Shell.Viewer?, http: HTTPRequest, requestID: String) -> HTTPResponse {
        let flash = http.cookies[Appliance.flashCookie].flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        let html = shell.render(page, viewer: viewer, currentPath: http.path, flash: flash, requestID: requestID)
        var headers: [(name: String, value: String)] = [("Content-Type", "text/html; charset=utf-8")]
        headers.append(("Cache-Control", page.containsPersonalData || viewer != nil ? "no-store" : "no-cache"))
        if flash != nil { headers.append(("Set-Cookie", cookie(Appliance.flashCookie, "", maxAge: 0))) }
        return HTTPResponse(status: status, headers: headers, body: Array(html.utf8))
    }

    func notFound(viewer: Shell.Viewer?, http: HTTPRequest, requestID: String) -> HTTPResponse {
        pageResponse(Shell.errorPage(status: 404, message: "There is no page at this address. It may have moved, or the plugin that provides it is not loaded.", requestID: requestID), status: 404, viewer: viewer, http: http, requestID: requestID)
    }

    func forbidden(viewer: Shell.Viewer, http: HTTPRequest, requestID: String) -> HTTPResponse {
        pageResponse(Shell.errorPage(status: 403, message: "Your role (\(viewer.principal.role.title)) does not allow this page. If you need it, ask the home's manager.", requestID: requestID), status: 403, viewer: viewer, http: http, requestID: requestID)
    }

    func redirect(_ location: String, flash: String? = nil) -> HTTPResponse {
        var response = HTTPResponse(status: 303, headers: [("Location", location)])
        if let flash { response.headers.append(("Set-Cookie", cookie(Appliance.flashCookie, Appliance.percentEncode(flash), maxAge: 60))) }
        return response
    }

    func cookie(_ name: String, _ value: String, maxAge: Int?) -> String {
        var cookie = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        if usesTLS { cookie += "; Secure" }
        return cookie
    }

    private func addSecurityHeaders(_ response: inout HTTPResponse) {
        response.headers += [
            ("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
        ]
        if usesTLS { response.headers.append(("Strict-Transport-Security", "max-age=31536000")) }
    }

    // MARK: - Health

    private func health() -> HTTPResponse {
        healthCache.value { buildHealth() }
    }

    private func buildHealth() -> HTTPResponse {
        let statuses = host.statuses
        let state = home.writeState()
        let writable = state == .writable
        let degraded = statuses.contains { $0.state == .failed }
        let status = !writable ? "unavailable" : (degraded ? "degraded" : "ok")
        let database = switch state { case .writable: "writable"; case .diskFull: "disk full"; case .notWritable: "not writable" }
        var json = "{\"status\":\"\(status)\",\"version\":\"\(Appliance.version)\",\"database\":\"\(database)\",\"plugins\":["
        json += statuses.map { plugin in
            let reason = plugin.reason.map { "\"\(Appliance.jsonEscape($0))\"" } ?? "null"
            return "{\"id\":\"\(Appliance.jsonEscape(plugin.id))\",\"version\":\"\(Appliance.jsonEscape(plugin.version))\",\"state\":\"\(plugin.state.rawValue)\",\"reason\":\(reason)}"
        }.joined(separator: ",")
        json += "],\"backup\":"
        if let backup = BackupStatus.load(dataDirectory: configuration.dataDirectory) {
            let hours = Int(backup.age(at: Date()) / 3600)
            json += "{\"finished_at\":\"\(Timestamp.format(backup.finishedAt))\",\"age_hours\":\(hours),\"overdue\":\(backup.isOverdue(at: Date()))}"
        } else {
            json += "null"
        }
        json += "}"
        return HTTPResponse(status: writable ? 200 : 503, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                            body: Array(json.utf8))
    }

    // MARK: - Helpers

    static func formData(_ fields: [HTTPRequest.Field]) -> FormData {
        var form = FormData()
        for field in fields {
            if let filename = field.filename {
                form.files.append(UploadedFile(field: field.name, filename: filename, contentType: field.contentType ?? "application/octet-stream", bytes: field.bytes))
            } else {
                form.fields[field.name, default: []].append(field.text)
            }
        }
        return form
    }

    static func queryData(_ query: [(name: String, value: String)]) -> FormData {
        var form = FormData()
        for pair in query { form.fields[pair.name, default: []].append(pair.value) }
        return form
    }

    static func queryString(_ http: HTTPRequest) -> String {
        guard !http.query.isEmpty else { return "" }
        return "?" + http.query.map { percentEncode($0.name) + "=" + percentEncode($0.value) }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func jsonEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// The answer on the plain-HTTP port when HTTPS is on: a permanent redirect to the same path over HTTPS.
    package static func redirectToHTTPS(_ http: HTTPRequest, httpsPort: UInt16) -> HTTPResponse {
        var host = http.headers["host"] ?? "carehome.local"
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:")
        if host.isEmpty || !host.allSatisfy({ allowed.contains($0) }) { host = "carehome.local" }
        let port = httpsPort == 443 ? "" : ":\(httpsPort)"
        let location = "https://\(host)\(port)\(http.path.hasPrefix("/") ? http.path : "/")\(queryString(http))"
        return HTTPResponse(status: 308, headers: [("Location", location), ("Content-Type", "text/plain; charset=utf-8")],
                            body: Array("This appliance is served over HTTPS: \(location)\n".utf8))
    }

    /// A safe place to return to after signing in: a path on this appliance only. Browsers read `//host`,
    /// `/\\host`, and a path with a tab or newline in it (which they strip) as another host, and an encoded
    /// slash or backslash may be decoded once more on the way; any of those, or any control character or
    /// space, gives the dashboard instead.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), next.utf8.count <= 2048, !next.hasPrefix("/login") else { return "/" }
        let lowered = next.lowercased()
        guard !next.hasPrefix("//"), !next.contains("\\"),
              !lowered.contains("%2f"), !lowered.contains("%5c"), !lowered.contains("%09"), !lowered.contains("%0a"), !lowered.contains("%0d"),
              !next.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f || !$0.isASCII }) else { return "/" }
        return next
    }
}

/// A value computed at most once per period and shared by every request meanwhile.
final class Recent<Value: Sendable>: @unchecked Sendable {
    // @unchecked: the fields are only touched under `lock`.
    private let lock = NSLock()
    private let period: Duration
    private var computedAt: ContinuousClock.Instant?
    private var last: Value?

    init(for period: Duration) { self.period = period }

    /// The value computed within the period, else a fresh one from `compute` (one caller computes; the
    /// others wait for it rather than repeating the work).
    func value(_ compute: () -> Value) -> Value {
        lock.withLock {
            let now = ContinuousClock.now
            if let last, let computedAt, now - computedAt < period { return last }
            let fresh = compute()
            last = fresh
            computedAt = now
            return fresh
        }
    }
}

/// Request ids for log lines and error pages: a random prefix per process, so that ids from different
/// runs do not collide in a log, then a counter (cheaper per request than fresh randomness).
final class RequestIDs: Sendable {
    private let prefix = String(randomToken().prefix(4))
    private let counter = Atomic<UInt64>(0)

    func next() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(number, radix: 36)
    }
}
