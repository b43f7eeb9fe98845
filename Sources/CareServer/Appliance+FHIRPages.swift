import CareHTTP
import CareKit
import CareStore
import Foundation
import Logging

/// The signed-in side of FHIR: the manager's and administrator's API tokens page (`/admin/api-tokens`),
/// and staff downloads of one resident's record and of their transfer summary as FHIR Bundles.
extension Appliance {
    /// The API tokens page and the staff downloads: routes of the built-in plugin, run like any plugin's.
    var fhirPageRoutes: [Route] {
        let managers: Set<Role> = [.manager, .admin]
        return [
            corePage(.get, "/admin/api-tokens", roles: managers) { app, request in try app.apiTokensPage(request, errors: FormErrors(), status: 200) },
            corePage(.post, "/admin/api-tokens", roles: managers) { app, request in try app.createAPIToken(request) },
            corePage(.post, "/admin/api-tokens/:id/revoke", roles: managers) { app, request in try app.revokeAPIToken(request, id: try request.id("id")) },
            // A whole record leaves the building: the staff who hold clinical responsibility.
            coreExchangePage(.get, "/export/residents/:id/fhir", roles: Role.clinicalEditors) { app, request, exchange in
                try app.residentBundle(request, http: exchange.http, residentID: try request.id("id"))
            },
            // Whoever sends a resident to hospital, day or night.
            coreExchangePage(.get, "/export/residents/:id/transfer-document", roles: Role.careTeam) { app, request, exchange in
                try app.transferDocument(request, http: exchange.http, residentID: try request.id("id"))
            },
        ]
    }

    // MARK: Staff downloads

    /// One resident's whole record, with the organisations and staff it names, as a `collection` Bundle.
    private func residentBundle(_ request: Request, http: HTTPRequest, residentID: Int64) throws -> Response {
        let catalog = fhirCatalog
        let base = fhirBase(http)
        var entries = [(fullUrl: String, resource: Data)]()
        var shared = Set<String>()
        let query = FHIRQuery(types: FHIRCatalog.residentTypes.intersection(catalog.types), residentID: residentID)
        try catalog.resources(matching: query) { resource in
            FHIRCatalog.sharedReferences(in: resource.elements, into: &shared)
            entries.append((base + "/fhir/" + resource.reference, try FHIRCatalog.data(resource.json)))
            return true
        }
        guard entries.contains(where: { $0.fullUrl.hasSuffix("/fhir/Patient/\(residentID)") }) else { throw CareError(.notFound, "There is no such resident.") }
        for reference in shared.sorted() {
            let parts = reference.split(separator: "/").map(String.init)
            guard parts.count == 2, let resource = try catalog.read(type: parts[0], id: parts[1]) else { continue }
            entries.append((base + "/fhir/" + resource.reference, try FHIRCatalog.data(resource.json)))
        }
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "fhir",
                                action: "export", residentID: residentID, detail: "record downloaded as a FHIR Bundle (\(entries.count) resources)"), durable: true)
        return Response(status: 200, headers: ["Content-Disposition": "attachment; filename=\"resident-\(residentID)-fhir.json\""],
                        body: .bytes(Appliance.bundle(type: "collection", entries: entries), contentType: Appliance.fhirContentType))
    }

    /// The transfer summary as a FHIR document Bundle.
    private func transferDocument(_ request: Request, http: HTTPRequest, residentID: Int64) throws -> Response {
        guard let resources = try FHIRTransferDocument(catalog: fhirCatalog, residentID: residentID).resources() else {
            throw CareError(.notFound, "There is no such resident.")
        }
        let base = fhirBase(http)
        let entries = try resources.map { (fullUrl: base + "/fhir/" + $0.reference, resource: try FHIRCatalog.data($0.json)) }
        audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "fhir",
                                action: "export", residentID: residentID, detail: "transfer summary downloaded as a FHIR document"), durable: true)
        return Response(status: 200, headers: ["Content-Disposition": "attachment; filename=\"transfer-summary-\(residentID)-fhir.json\""],
                        body: .bytes(Appliance.bundle(type: "document", identifier: "urn:uuid:\(UUID().uuidString.lowercased())", entries: entries),
                                     contentType: Appliance.fhirContentType))
    }

    // MARK: API tokens

    func apiTokensPage(_ request: Request, errors: FormErrors, status: Int, made: (token: String, record: APIToken)? = nil) throws -> Response {
        let today = HomeTime.today()
        let types = fhirCatalog.types.sorted()
        let rows = try apiTokens.all().map { token -> [HTML] in
            let state = token.state(on: today)
            let colour = state == "Active" ? "green" : "grey"
            let action: HTML = token.revokedAt == nil
                ? "\(Form.start(action: "/admin/api-tokens/\(token.id)/revoke", request: request))\(Form.submit("Revoke", kind: "secondary"))\(Form.end)"
                : HTML(text: "by \(token.revokedBy ?? "")")
            return [HTML(text: token.name), HTML(text: token.scopeText.replacingOccurrences(of: ",", with: ", ")), HTML(text: token.expiresOn.display),
                    UI.tag(state, colour: colour), HTML(text: "\(HomeTime.display(token.createdAt)) by \(token.createdBy)"), action]
        }
        let shown: HTML = made.map { made in
            UI.banner(.warning, title: "Copy this token now: it is shown only once",
                      "<p>Token for <strong>\(made.record.name)</strong>, until \(made.record.expiresOn.display):</p><p><code class=\"token\">\(made.token)</code></p><p>Give it to the system's administrator by a secure route (not by ordinary email). The appliance keeps only a fingerprint of it: if it is lost, revoke it and make another.</p>")
        } ?? .empty
        let form = request.method == .post && made == nil ? request.form : FormData()
        let selected = Set(form.fields["scope"] ?? [])
        let scopeOptions = [(value: "all", label: "Everything this appliance shares")] + types.map { (value: $0, label: $0) }
        let defaultExpiry = today.adding(days: 365)
        let body: HTML = """
        \(Form.errorSummary(errors))
        \(shown)
        <p>An API token lets one outside system (a shared care record, a GP system, the care group's records team) read residents' records from <code>/fhir</code> as FHIR R4 (UK Core). It reads only the resource types you choose, until the day you set, and every read is in the audit trail under the token's name. Revoke a token the day it is no longer needed.</p>
        \(UI.section("Tokens", UI.table(caption: "API tokens made on this appliance", headers: ["System", "May read", "Last day", "State", "Made", ""], rows: rows, emptyMessage: "No tokens have been made.")))
        <h2>Make a token</h2>
        \(Form.start(action: "/admin/api-tokens", request: request))
        \(Form.input("name", label: "Name of the system that will use it", value: form["name"], errors: errors, hint: "Such as: Dorset shared care record", required: true))
        \(Form.checkboxes("scope", legend: "What it may read", options: scopeOptions, selected: selected, errors: errors, hint: "Choose everything, or only the resource types the system needs."))
        \(Form.input("expires", label: "Last day it works", value: form["expires"] ?? defaultExpiry.iso, errors: errors, hint: "A date such as \(defaultExpiry.iso); at most two years from today.", type: "date", required: true))
        \(Form.submit("Make token"))
        \(Form.end)
        """
        return .page(Page(title: "API tokens", breadcrumbs: [("Administration", "/admin")], containsPersonalData: false, body: body), status: status)
    }

    private func createAPIToken(_ request: Request) throws -> Response {
        var errors = FormErrors()
        let chosen = request.form.fields["scope"] ?? []
        let catalog = fhirCatalog
        var scope: Set<String>?
        do { scope = try APITokens.parseScope(chosen.contains("all") ? "all" : chosen.joined(separator: ","), known: catalog.types) } catch let error as APITokenError {
            errors.add(error.field, error.message)
        }
        let expires = request.form.nonEmpty("expires").flatMap { Day(iso: $0) ?? Day(parsing: $0) }
        if expires == nil { errors.add("expires", "Enter the last day the token works, such as \(HomeTime.today().adding(days: 365).iso)") }
        if errors.isEmpty, let expires {
            do {
                let made = try apiTokens.create(name: request.form["name"] ?? "", scope: scope, expiresOn: expires, createdBy: request.principal.username)
                audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core",
                                        action: "api-token-created", detail: "\(made.record.auditName) may read \(made.record.scopeText) until \(expires.iso)"), durable: true)
                // Shown on this response only: never in a redirect, a flash cookie or the log.
                return try apiTokensPage(request, errors: FormErrors(), status: 201, made: made)
            } catch let error as APITokenError {
                errors.add(error.field, error.message)
            }
        }
        return try apiTokensPage(request, errors: errors, status: 422)
    }

    private func revokeAPIToken(_ request: Request, id: Int64) throws -> Response {
        guard let token = try apiTokens.token(id: id) else { throw CareError(.notFound, "There is no such token.") }
        if try apiTokens.revoke(id: id, by: request.principal.username) {
            audit.record(AuditEntry(userID: request.principal.userID, username: request.principal.username, address: request.remoteAddress, source: "core",
                                    action: "api-token-revoked", detail: token.auditName), durable: true)
        }
        return .redirect(to: "/admin/api-tokens", flash: "The token for \(token.name) no longer works.")
    }
}
