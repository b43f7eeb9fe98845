import CareHTTP
import CareStore
import CareKit
import Foundation
import Logging

/// The server's own pages: sign-in, dashboard, account, administration and the audit trail.
extension Appliance {
    /// The server's own entries in the navigation bar, contributed by the built-in plugin (`CorePlugin`).
    static let coreNavigation = [
        NavigationEntry(title: "Audit trail", path: "/audit", roles: [.manager], order: 900),
        NavigationEntry(title: "Administration", path: "/admin", roles: [.manager, .admin], order: 910),
    ]

    /// The dashboard, sign-out, your account, staff accounts and the audit trail: routes of the
    /// built-in plugin, run like any plugin's.
    var corePageRoutes: [Route] {
        let everyone = Set(Role.allCases)
        let managers: Set<Role> = [.manager, .admin]
        return [
            corePage(.get, "/", roles: everyone) { app, request in app.dashboard(request) },
            coreExchangePage(.post, "/logout", roles: everyone) { app, request, exchange in app.logout(request, session: exchange.session) },
            corePage(.get, "/account", roles: everyone) { app, request in app.accountPage(request, errors: FormErrors(), status: 200) },
            coreExchangePage(.post, "/account", roles: everyone) { app, request, exchange in try app.changePassword(request, session: exchange.session) },
            corePage(.get, "/admin", roles: managers) { app, request in app.adminPage(request) },
            corePage(.get, "/admin/users", roles: managers) { app, request in try app.usersPage(request, errors: FormErrors(), status: 200) },
            corePage(.post, "/admin/users", roles: managers) { app, request in try app.createUser(request) },
            // disable, enable, reset or expiry
            corePage(.post, "/admin/users/:id/:action", roles: managers) { app, request in
                try app.changeUser(request, id: try request.id("id"), action: request.pathParameters["action"] ?? "")
            },
            corePage(.get, "/audit", roles: [.manager]) { app, request in try app.auditPage(request) },
            corePage(.get, "/audit.csv", roles: [.manager]) { app, request in try app.auditExport(request) },
            corePage(.get, "/audit/archive", roles: [.manager]) { app, request in try app.auditArchivePage(request) },
            corePage(.post, "/audit/retention", roles: [.manager]) { app, request in try app.changeAuditRetention(request) },
        ]
    }

    /// The audit trail's filters (resident, person, dates), on the live trail's page and the archive's search.
    static func auditFilterForm(action: String, query: FormData, submit: String) -> HTML {
        """
        <form method="get" action="\(action)" class="filters">
        \(Form.input("resident", label: "Resident number", value: query["resident"], errors: FormErrors(), width: "5", inputmode: "numeric"))
        \(Form.input("user", label: "Username", value: query["user"], errors: FormErrors(), width: "10"))
        \(Form.input("from", label: "From", value: query["from"], errors: FormErrors(), type: "date"))
        \(Form.input("to", label: "To", value: query["to"], errors: FormErrors(), type: "date"))
        \(Form.submit(submit, kind: "secondary"))</form>
        """
    }

    /// Ends this session (only this one) and clears its cookie.
    func logout(_ request: Request, session: Session) -> Response {
        try? sessions.end(tokenHash: session.tokenHash)
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core", action: "logout", detail: "signed out"), durable: true)
        var response = Response.redirect(to: "/login", flash: "You have signed out.")
        response.headers["Set-Cookie"] = cookie(Appliance.sessionCookie, "", maxAge: 0)
        return response
    }

    // MARK: Sign in

    func loginPage(_ http: HTTPRequest, requestID: String, username: String, error: String?, status: Int) -> HTTPResponse {
        let token = http.cookies[Appliance.loginCookie].flatMap { $0.count == 64 ? $0 : nil } ?? randomToken()
        let next = http.query.first { $0.name == "next" }?.value ?? http.fields.first { $0.name == "next" }?.text
        var errors = FormErrors()
        if let error { errors.add("username", error) }
        // A form kept after the session ended: say so plainly, in warning colours, and keep the id.
        let resume = (Appliance.formData(http.fields)["resume"] ?? Appliance.queryData(http.query)["resume"]).flatMap { id -> String? in
            id.count == 32 && id.allSatisfy(\.isHexDigit) ? id : nil
        }
        let resumeBanner: HTML = resume == nil ? .empty : UI.banner(.warning, title: "You were signed out, so that was not saved yet",
            "<p>You had been away from the screen for too long. What you typed is kept: sign in again as yourself and it will be saved. Nobody else can save it.</p>")
        let resumeField: HTML = resume.map { "<input type=\"hidden\" name=\"resume\" value=\"\($0)\">" } ?? .empty
        let body: HTML = """
        <div class="narrow">
        \(resumeBanner)<p>Sign in with your own account. Do not share it: what you view and change is recorded in your name.</p>
        \(Form.errorSummary(errors))
        <form method="post" action="/login" novalidate>
        <input type="hidden" name="_csrf" value="\(token)"><input type="hidden" name="next" value="\(Appliance.safeNext(next))">\(resumeField)
        \(Form.input("username", label: "Username", value: username, errors: errors, required: true, autocomplete: "username"))
        \(Form.input("password", label: "Password", value: "", errors: FormErrors(), type: "password", required: true, autocomplete: "current-password"))
        \(Form.submit("Sign in"))
        </form>
        <p class="hint">Forgotten your password? Ask the home's manager to reset it.</p></div>
        """
        var response = pageResponse(Page(title: "Sign in", containsPersonalData: false, body: body), status: status, viewer: nil, http: http, requestID: requestID)
        response.headers.append(("Set-Cookie", cookie(Appliance.loginCookie, token, maxAge: 3600)))
        return response
    }

    func login(_ http: HTTPRequest, requestID: String) -> HTTPResponse {
        let form = Appliance.formData(http.fields)
        let username = form["username"] ?? ""
        let password = form.fields["password"]?.first ?? ""
        guard let expected = http.cookies[Appliance.loginCookie], let sent = form["_csrf"],
              constantTimeEqual(Array(expected.utf8), Array(sent.utf8)) else {
            return loginPage(http, requestID: requestID, username: username, error: "The sign-in form had expired. Enter your username and password again.", status: 403)
        }
        if username.isEmpty || password.isEmpty {
            return loginPage(http, requestID: requestID, username: username, error: "Enter your username and password.", status: 422)
        }
        let deviceCookie = http.cookies[DeviceCookies.name]
        switch accounts.signIn(username: username, password: password, address: http.remoteAddress, deviceCookie: deviceCookie) {
        case .success(let account):
            do {
                let (token, _) = try sessions.start(account: account, address: http.remoteAddress)
                audit.record(AuditEntry(userID: account.id, username: account.username, address: http.remoteAddress, source: "core", action: "login", detail: "signed in"), durable: true)
                var response = redirect(Appliance.safeNext(form["next"]))
                // A form kept when the session ended: sent again now, once, as this person (only theirs).
                if let id = form["resume"], let kept = try? PendingPosts(pool: home.pool).take(id: id, userID: account.id),
                   let session = try sessions.find(token: token) {
                    var headers = http.headers
                    headers["cookie"] = "\(Appliance.sessionCookie)=\(token)"
                    let replay = HTTPRequest(method: "POST", path: kept.path, headers: headers, query: kept.query,
                                             fields: kept.fields + [HTTPRequest.Field(name: "_csrf", bytes: Array(session.csrfToken.utf8))],
                                             remoteAddress: http.remoteAddress)
                    response = respond(to: replay)
                    logger.info("kept form sent after sign-in", metadata: ["request.id": .string(requestID), "user.id": .stringConvertible(account.id)])
                }
                response.headers.append(("Set-Cookie", cookie(Appliance.sessionCookie, token, maxAge: nil)))
                response.headers.append(("Set-Cookie", cookie(Appliance.loginCookie, "", maxAge: 0)))
                response.headers.append(("Set-Cookie", cookie(DeviceCookies.name, accounts.devices.issue(username: account.username, cookie: deviceCookie),
                                                              maxAge: Int(DeviceCookies.lifetime))))
                return response
            } catch {
                logger.error("session start failed", metadata: ["request.id": .string(requestID), "error": .string("\(error)")])
                return loginPage(http, requestID: requestID, username: username, error: "The appliance could not start your session. Try again.", status: 503)
            }
        case .throttled(let message):
            // One entry a minute per address while it is held back, not one per attempt.
            if accounts.throttle.shouldAuditThrottled(address: http.remoteAddress, now: Date()) {
                audit.record(AuditEntry(userID: nil, username: Accounts.auditName(typed: username), address: http.remoteAddress, source: "core", action: "login-throttled", detail: "sign-in attempts from this address are being held back"), durable: true)
            }
            return loginPage(http, requestID: requestID, username: username, error: message, status: 429)
        case .rejected(let message), .blocked(let message):
            audit.record(AuditEntry(userID: nil, username: Accounts.auditName(typed: username), address: http.remoteAddress, source: "core", action: "login-failed", detail: message), durable: true)
            return loginPage(http, requestID: requestID, username: username, error: message, status: 401)
        }
    }

    // MARK: Dashboard

    func dashboard(_ request: Request) -> Response {
        var cards: [HTML] = []
        for (pluginID, card) in host.cards(for: request.principal.role) {
            do {
                guard let body = try card.render(request) else { continue }
                cards.append("<section class=\"card\" aria-labelledby=\"card-\(pluginID)-\(card.id)\"><h2 id=\"card-\(pluginID)-\(card.id)\">\(card.title)</h2>\(body)</section>")
            } catch {
                logger.error("dashboard card failed", metadata: ["plugin.id": .string(pluginID), "card": .string(card.id), "request.id": .string(request.requestID), "error": .string("\(error)")])
                cards.append("<section class=\"card\"><h2>\(card.title)</h2><p class=\"empty\">This card could not be shown (reference \(request.requestID)).</p></section>")
            }
        }
        if request.principal.role == .admin || request.principal.role == .manager {
            let failed = host.statuses.filter { $0.state == .failed }
            if !failed.isEmpty {
                cards.insert("<section class=\"card card-warning\"><h2>Plugins not loaded</h2><p>\(failed.count) plugin(s) failed to load. <a href=\"/admin\">See why</a>.</p></section>", at: 0)
            }
        }
        if request.principal.role == .admin {
            cards.append("<section class=\"card\"><h2>Administration</h2><p>Plugins, accounts and the appliance's state.</p><p><a href=\"/admin\">Open administration</a></p></section>")
        }
        let greeting: HTML = "<p class=\"lead\">Signed in as \(UI.person(request.principal.displayName, request.principal.role.title)). \(HomeTime.today().display).</p>"
        let grid: HTML = cards.isEmpty ? "<p class=\"empty\">Nothing needs your attention here.</p>" : "<div class=\"cards\">\(cards)</div>"
        return .page(Page(title: "Dashboard", body: greeting + grid))
    }

    // MARK: Account

    func accountPage(_ request: Request, errors: FormErrors, status: Int) -> Response {
        let body: HTML = """
        <div class="narrow">\(UI.summaryList([("Username", HTML(text: request.principal.username)), ("Name", HTML(text: request.principal.displayName)), ("Role", HTML(text: request.principal.role.title))]))
        <h2>Change your password</h2>\(Form.errorSummary(errors))\(Form.start(action: "/account", request: request))
        \(Form.input("current", label: "Current password", value: "", errors: errors, type: "password", required: true, autocomplete: "current-password"))
        \(Form.input("password", label: "New password", value: "", errors: errors, hint: "At least \(PasswordHasher.minimumLength) characters. A short sentence is easy to remember and hard to guess.", type: "password", required: true, autocomplete: "new-password"))
        \(Form.input("confirm", label: "New password again", value: "", errors: errors, type: "password", required: true, autocomplete: "new-password"))
        \(Form.submit("Change password"))\(Form.end)</div>
        """
        return .page(Page(title: "Your account", containsPersonalData: false, body: body), status: status)
    }

    func changePassword(_ request: Request, session: Session) throws -> Response {
        let current = request.form.fields["current"]?.first ?? ""
        let new = request.form.fields["password"]?.first ?? ""
        var errors = FormErrors()
        if new != (request.form.fields["confirm"]?.first ?? "") { errors.add("confirm", "The two new passwords are not the same.") }
        if errors.isEmpty {
            do {
                try accounts.changePassword(userID: request.principal.userID, current: current, new: new)
                // Whoever else was signed in as this person (a stolen session, a forgotten tablet) is signed out.
                try sessions.endAll(userID: request.principal.userID, except: session.tokenHash)
                audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core", action: "password-changed", detail: "own password"), durable: true)
                return .redirect(to: "/", flash: "Your password has been changed. You have been signed out everywhere else.")
            } catch let error as AccountError {
                errors.add(error.field, error.message)
            }
        }
        return accountPage(request, errors: errors, status: 422)
    }

    // MARK: Administration

    func adminPage(_ request: Request, errors: FormErrors = FormErrors(), status: Int = 200) -> Response {
        let body: HTML = """
        \(Form.errorSummary(errors))
        <p><a class="button button-secondary" href="/admin/users">Staff accounts</a> <a class="button button-secondary" href="/admin/api-tokens">API tokens (FHIR)</a></p>
        \(adminScreenSections(request))
        """
        return .page(Page(title: "Administration", containsPersonalData: false, body: body), status: status)
    }

    func usersPage(_ request: Request, errors: FormErrors, status: Int) throws -> Response {
        let today = HomeTime.today()
        let rows = try accounts.all().map { account -> [HTML] in
            let state: HTML = account.blockReason(today: today) == nil ? UI.tag("Active", colour: "green") : UI.tag(account.disabledAt != nil ? "Disabled" : "Expired", colour: "grey")
            let expiry: HTML = account.expiresOn.map { HTML(text: $0.display) } ?? "—"
            var actions: HTML = ""
            if account.id != request.principal.userID && request.principal.role == .admin && account.role != .admin {
                // The administrator may stop a clinical account (a leaver) but not open, reset or extend one.
                actions = account.disabledAt == nil ? "\(Form.start(action: "/admin/users/\(account.id)/disable", request: request))\(Form.submit("Disable", kind: "secondary"))\(Form.end)" : ""
            } else if account.id != request.principal.userID && (request.principal.role == .admin || account.role != .admin) {
                let toggle = account.disabledAt == nil ? "disable" : "enable"
                actions = """
                \(Form.start(action: "/admin/users/\(account.id)/\(toggle)", request: request))\(Form.submit(toggle == "disable" ? "Disable" : "Enable", kind: "secondary"))\(Form.end)\
                <details><summary>Reset password</summary>\(Form.start(action: "/admin/users/\(account.id)/reset", request: request))\
                \(Form.input("password", label: "New password for \(account.username)", value: "", errors: FormErrors(), type: "password", autocomplete: "new-password", id: "password-\(account.id)"))\
                \(Form.submit("Set password", kind: "secondary"))\(Form.end)</details>\
                <details><summary>Change access end date</summary>\(Form.start(action: "/admin/users/\(account.id)/expiry", request: request))\
                \(Form.input("expires", label: "Access for \(account.username) ends on (blank: no end)", value: account.expiresOn?.iso, errors: FormErrors(), type: "date", id: "expires-\(account.id)"))\
                \(Form.submit("Save end date", kind: "secondary"))\(Form.end)</details>
                """
            }
            return [HTML(text: account.username), HTML(text: account.displayName), HTML(text: account.role.title), state, expiry, actions]
        }
        let roles = Role.allCases.filter { Appliance.mayCreate($0, as: request.principal.role) }.map { ($0.rawValue, $0.title) }
        let body: HTML = """
        \(UI.table(caption: "Staff accounts", headers: ["Username", "Name", "Role", "State", "Expires", "Actions"], rows: rows))
        <h2>Add an account</h2>\(Form.errorSummary(errors))\(Form.start(action: "/admin/users", request: request))
        \(Form.input("username", label: "Username", value: request.form["username"], errors: errors, hint: "Lower-case, such as j.smith", required: true, autocomplete: "off"))
        \(Form.input("display_name", label: "Full name", value: request.form["display_name"], errors: errors, required: true))
        \(Form.select("role", label: "Role", options: roles, selected: request.form["role"], errors: errors, required: true))
        \(Form.input("expires", label: "Access ends on (optional)", value: request.form["expires"], errors: errors, hint: "For visiting clinicians: the account stops working after this day.", type: "date"))
        \(Form.input("password", label: "First password", value: "", errors: errors, hint: "Tell the person in private; they can change it under Your account.", type: "password", required: true, autocomplete: "new-password"))
        \(Form.submit("Add account"))\(Form.end)
        """
        return .page(Page(title: "Staff accounts", breadcrumbs: [("Administration", "/admin")], containsPersonalData: false, body: body), status: status)
    }

    func createUser(_ request: Request) throws -> Response {
        var errors = FormErrors()
        let role = request.form["role"].flatMap(Role.init(rawValue:))
        if role == nil { errors.add("role", "Choose a role.") }
        if let role, !Appliance.mayCreate(role, as: request.principal.role) {
            errors.add("role", role == .admin ? "Only the administrator can create administrator accounts."
                                              : "The administrator creates only administrator accounts: the home's manager adds staff and visiting clinicians, so that nobody can give themselves access to residents' records alone.")
        }
        if (request.form["display_name"] ?? "").isEmpty { errors.add("display_name", "Enter the person's name.") }
        var expires: Day?
        if let text = request.form.nonEmpty("expires") {
            expires = Day(parsing: text)
            if expires == nil { errors.add("expires", "Enter a real date, such as 31/12/2026.") }
            else if let day = expires, day < HomeTime.today() { errors.add("expires", "The end date must be today or later.") }
        }
        if errors.isEmpty, let role {
            do {
                let account = try accounts.create(username: request.form["username"] ?? "", displayName: request.form["display_name"] ?? "",
                                                  role: role, password: request.form.fields["password"]?.first ?? "", expiresOn: expires,
                                                  createdBy: request.principal.userID)
                audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core", action: "account-created", detail: "\(account.username) as \(role.rawValue)"), durable: true)
                return .redirect(to: "/admin/users", flash: "Account \(account.username) added.")
            } catch let error as AccountError {
                errors.add(error.field, error.message)
            }
        }
        return try usersPage(request, errors: errors, status: 422)
    }

    /// Who may create which accounts: the administrator (the installer) only administrators, and a
    /// manager everyone else. So "the administrator sees no records" holds without trusting one person: an
    /// account that can read residents' records is always made by the home's manager.
    static func mayCreate(_ role: Role, as creator: Role) -> Bool {
        creator == .admin ? role == .admin : role != .admin
    }

    func changeUser(_ request: Request, id: Int64, action: String) throws -> Response {
        guard let account = try accounts.account(id: id) else { throw CareError.notFound("There is no such account.") }
        if account.role == .admin && request.principal.role != .admin { throw CareError.forbidden("Only the administrator can change administrator accounts.") }
        if account.id == request.principal.userID {
            throw CareError.forbidden(action == "reset" ? "Change your own password under Your account: it asks for your current one."
                                                        : "You cannot change your own account here.")
        }
        if request.principal.role == .admin && account.role != .admin && action != "disable" {
            throw CareError.forbidden("Only the home's manager can enable, reset or extend a staff account. The administrator can disable one.")
        }
        let message: String
        switch action {
        case "disable":
            try accounts.setDisabled(userID: id, disabled: true)
            try sessions.endAll(userID: id)
            message = "Account \(account.username) disabled."
        case "enable":
            try accounts.setDisabled(userID: id, disabled: false)
            message = "Account \(account.username) enabled."
        case "reset":
            do {
                try accounts.setPassword(userID: id, username: account.username, password: request.form.fields["password"]?.first ?? "")
            } catch let error as AccountError {
                return .redirect(to: "/admin/users", flash: "Password not changed: \(error.message)")
            }
            try sessions.endAll(userID: id)
            message = "Password for \(account.username) changed."
        case "expiry":
            var expires: Day?
            if let text = request.form.nonEmpty("expires") {
                guard let day = Day(parsing: text) else { return .redirect(to: "/admin/users", flash: "End date not changed: enter a real date, such as 31/12/2026.") }
                expires = day
            }
            try accounts.setExpiry(userID: id, expiresOn: expires)
            message = expires.map { "Access for \(account.username) ends after \($0.display)." } ?? "Access for \(account.username) no longer ends."
        default:
            throw CareError.notFound()
        }
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core", action: "account-\(action)", detail: account.username), durable: true)
        return .redirect(to: "/admin/users", flash: message)
    }

    // MARK: Audit trail

    func auditFilter(_ request: Request) -> AuditLog.Filter {
        AuditLog.Filter(residentID: request.query.nonEmpty("resident").flatMap { Int64($0) }, username: request.query.nonEmpty("user"),
                        from: request.query.nonEmpty("from").flatMap { Day(parsing: $0) }, to: request.query.nonEmpty("to").flatMap { Day(parsing: $0) })
    }

    /// Entries on one page of the audit trail.
    static let auditPageSize = 200

    func auditPage(_ request: Request, retentionErrors: FormErrors = FormErrors(), status: Int = 200) throws -> Response {
        let filter = auditFilter(request)
        // `before=AT_ID`: the page of entries older than the last one of the page before (keyset paging).
        let before = request.query.nonEmpty("before").flatMap { text -> (at: Date, id: Int64)? in
            let parts = text.split(separator: "_")
            guard parts.count == 2, let at = Timestamp.parse(String(parts[0])), let id = Int64(parts[1]) else { return nil }
            return (at, id)
        }
        let entries = try audit.entries(filter, limit: Appliance.auditPageSize, before: before)
        // The chain is verified by `carehome check` and `carehome audit verify` (the installer's nightly
        // check), not on every view of this page: that read every entry, a minute in a home's tenth year.
        let chain: HTML
        switch try AuditLog.lastVerification(pool: home.pool) {
        case nil:
            chain = UI.banner(.info, title: "The audit trail has not been checked yet",
                              "<p>The appliance's nightly check (<code>carehome check</code>) confirms that no entry was changed or removed.</p>")
        case let last? where last.problem == nil:
            chain = UI.banner(.success, title: "The audit trail was intact when last checked",
                              "<p>\(HomeTime.display(last.at)): the chain linked and matched its key (\(last.entries) entries checked in that pass).</p>")
        case let last?:
            chain = UI.banner(.danger, title: "The audit trail has been altered",
                              "<p>Found \(HomeTime.display(last.at)): \(last.problem ?? ""). Tell the person responsible for data protection.</p>")
        }
        let rows = entries.map { entry -> [HTML] in
            [HTML(text: HomeTime.display(entry.at)), HTML(text: entry.username), HTML(text: entry.action), HTML(text: entry.source),
             entry.residentID.map { "<a href=\"/residents/\($0)\">\($0)</a>" } ?? "—", HTML(text: entry.detail), HTML(text: entry.address)]
        }
        let query = request.query
        let filters = query.fields.filter { $0.key != "before" }.sorted { $0.key < $1.key }.flatMap { key, values in values.map { (key, $0) } }
        let csvQuery = Appliance.queryString(HTTPRequest(method: "GET", path: "", query: filters))
        var paging: [HTML] = []
        if before != nil { paging.append("<a href=\"/audit\(csvQuery)\">Newest entries</a>") }
        if entries.count == Appliance.auditPageSize, let last = entries.last {
            let older = Appliance.queryString(HTTPRequest(method: "GET", path: "", query: filters + [("before", "\(Timestamp.format(last.at))_\(last.id)")]))
            paging.append("<a href=\"/audit\(older)\">Older entries</a>")
        }
        let archive = try auditArchiveSection(request, errors: retentionErrors, filterQuery: csvQuery)
        let body: HTML = """
        \(chain)\(archive.note)
        \(Appliance.auditFilterForm(action: "/audit", query: query, submit: "Filter"))
        <p><a href="/audit.csv\(csvQuery)">Download the entries that match as CSV</a></p>
        \(UI.table(caption: "Newest first, \(Appliance.auditPageSize) a page", headers: ["When", "Who", "Action", "Where", "Resident", "Detail", "Address"], rows: rows, emptyMessage: "No entries match."))
        \(paging.isEmpty ? "" : HTML(trusted: "<nav class=\"paging\" aria-label=\"Audit trail pages\"><p>" + paging.map(\.description).joined(separator: " · ") + "</p></nav>"))
        \(archive.section)
        """
        return .page(Page(title: "Audit trail", body: body), status: status)
    }

    func auditExport(_ request: Request) throws -> Response {
        let entries = try audit.entries(auditFilter(request), limit: 100_000)
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core", action: "export", detail: "audit trail CSV, \(entries.count) entries"), durable: true)
        return .csv(filename: "audit-\(HomeTime.today().iso).csv", header: ["id", "at", "username", "action", "source", "resident_id", "detail", "address"],
                    rows: entries.map { [String($0.id), Timestamp.format($0.at), $0.username, $0.action, $0.source, $0.residentID.map(String.init) ?? "", $0.detail, $0.address] })
    }
}
