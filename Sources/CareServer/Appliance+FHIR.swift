import CareHTTP
import CareKit
import CareStore
import Foundation
import Logging

/// `/fhir`: the home's records as FHIR R4 (UK Core) for an outside system holding an API token
/// (`APITokens`): read by id, search by patient, date and type, a resident's `$everything`, all paged.
/// A request without a usable token, or for a type outside its scope, reads nothing. Every read is in
/// the audit trail under the token's name. `/fhir/metadata` (the CapabilityStatement) needs no token.
extension Appliance {
    static let fhirContentType = "application/fhir+json; charset=utf-8"
    /// Resources per page unless `_count` asks for fewer (or more, up to `fhirMaxPage`).
    static let fhirDefaultPage = 50
    static let fhirMaxPage = 200
    /// A page may start this far in at most: deeper paging costs a scan each time (ask by date instead).
    static let fhirMaxOffset = 1_000_000

    package var apiTokens: APITokens { APITokens(home: home) }

    /// What a `/fhir` request asks for, once read and checked.
    struct FHIRRequest {
        enum Kind { case read(type: String, id: String), search, everything(residentID: Int64) }
        var kind: Kind
        var query: FHIRQuery
        var count = Appliance.fhirDefaultPage
        var offset = 0
    }

    /// A refusal: an OperationOutcome with its HTTP status.
    struct FHIRRefusal: Error {
        var status: Int
        var code: String
        var message: String
    }

    func fhirAPI(_ http: HTTPRequest, requestID: String) -> HTTPResponse {
        guard http.method == "GET" || http.method == "HEAD" else {
            return fhirOutcome(FHIRRefusal(status: 405, code: "not-supported", message: "The appliance's FHIR service is read-only: use GET."))
        }
        let catalog = fhirCatalog
        if http.path == "/fhir/metadata" { return fhirJSON(200, capabilityStatement(catalog, http: http)) }
        let sent = http.headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)).trimmingCharacters(in: .whitespaces) : nil }
        let token: APIToken
        do {
            switch try apiTokens.check(sent) {
            case .valid(let valid): token = valid
            case .unknown:
                if sent != nil { logger.warning("fhir request with an unknown token", metadata: ["request.id": .string(requestID), "client.address": .string(http.remoteAddress)]) }
                return fhirOutcome(FHIRRefusal(status: 401, code: "login", message: "Send an API token made on this appliance's administration page as a bearer token (Authorization: Bearer …)."))
            case .expired(let expired):
                auditRefusal(expired, http, "token expired on \(expired.expiresOn.iso)")
                return fhirOutcome(FHIRRefusal(status: 401, code: "expired", message: "This API token expired on \(expired.expiresOn.display). Ask the home's manager for a new one."))
            case .revoked(let revoked):
                auditRefusal(revoked, http, "token revoked")
                return fhirOutcome(FHIRRefusal(status: 401, code: "security", message: "This API token has been revoked. Ask the home's manager for a new one."))
            }
        } catch {
            logger.error("api token lookup failed", metadata: ["request.id": .string(requestID), "error": .string("\(error)")])
            return fhirOutcome(FHIRRefusal(status: 503, code: "transient", message: "The appliance cannot read its database just now. Try again in a minute."))
        }
        do {
            var request = try parseFHIRRequest(http, catalog: catalog)
            // A resident's $everything holds what the token may read (the Patient at least), as FHIR intends.
            if case .everything = request.kind, token.allows("Patient") { request.query.types = request.query.types.filter(token.allows) }
            let refused = request.query.types.filter { !token.allows($0) }
            if !refused.isEmpty {
                auditRefusal(token, http, "outside the token's scope: \(refused.sorted().joined(separator: ","))")
                throw FHIRRefusal(status: 403, code: "forbidden", message: "This token may read \(token.scopeText), not \(refused.sorted().joined(separator: ", ")).")
            }
            return try answer(request, token: token, catalog: catalog, http: http)
        } catch let refusal as FHIRRefusal {
            return fhirOutcome(refusal)
        } catch {
            logger.error("fhir request failed", metadata: ["request.id": .string(requestID), "http.path": .string(http.path), "error": .string("\(error)")])
            return fhirOutcome(FHIRRefusal(status: 500, code: "exception", message: "The records could not be read. Reference \(requestID)."))
        }
    }

    private func answer(_ request: FHIRRequest, token: APIToken, catalog: FHIRCatalog, http: HTTPRequest) throws -> HTTPResponse {
        let base = fhirBase(http)
        switch request.kind {
        case .read(let type, let id):
            guard let resource = try catalog.read(type: type, id: id) else {
                throw FHIRRefusal(status: 404, code: "not-found", message: "There is no \(type) with id \(id).")
            }
            auditRead(token, http, residents: [resource.residentID], count: 1)
            return HTTPResponse(status: 200, headers: [("Content-Type", Appliance.fhirContentType), ("Cache-Control", "no-store")],
                                body: Array(try FHIRCatalog.data(resource.json)))
        case .everything(let residentID):
            guard try catalog.read(type: "Patient", id: FHIR.patientID(residentID)) != nil else {
                throw FHIRRefusal(status: 404, code: "not-found", message: "There is no Patient with id \(residentID).")
            }
            fallthrough
        case .search:
            var skipped = 0
            var page = [FHIRResource]()
            try catalog.resources(matching: request.query) { resource in
                if skipped < request.offset { skipped += 1; return true }
                page.append(resource)
                return page.count <= request.count
            }
            let more = page.count > request.count
            if more { page.removeLast() }
            auditRead(token, http, residents: page.map(\.residentID), count: page.count)
            var links = [("self", base + http.path + Appliance.queryString(http))]
            if more {
                var query = http.query.filter { $0.name != "_offset" && $0.name != "_count" }
                query += [("_count", String(request.count)), ("_offset", String(request.offset + request.count))]
                links.append(("next", base + http.path + "?" + query.map { Appliance.percentEncode($0.name) + "=" + Appliance.percentEncode($0.value) }.joined(separator: "&")))
            }
            let entries = try page.map { (fullUrl: base + "/fhir/" + $0.reference, resource: try FHIRCatalog.data($0.json)) }
            return HTTPResponse(status: 200, headers: [("Content-Type", Appliance.fhirContentType), ("Cache-Control", "no-store")],
                                body: Appliance.bundle(type: "searchset", links: links, entries: entries, searchMode: true))
        }
    }

    /// Reads the path and the search parameters; anything not understood is refused, never ignored (a
    /// misspelt `patient` must not return the whole home).
    func parseFHIRRequest(_ http: HTTPRequest, catalog: FHIRCatalog) throws -> FHIRRequest {
        let parts = http.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let known = catalog.types
        func type(_ name: String) throws -> String {
            guard known.contains(name) else { throw FHIRRefusal(status: 404, code: "not-supported", message: "This appliance does not share \(name) resources. It shares: \(known.sorted().joined(separator: ", ")).") }
            return name
        }
        var request: FHIRRequest
        switch parts.count {
        case 1:
            request = FHIRRequest(kind: .search, query: FHIRQuery(types: []))
        case 2:
            request = FHIRRequest(kind: .search, query: FHIRQuery(types: [try type(parts[1])]))
        case 3:
            request = FHIRRequest(kind: .read(type: try type(parts[1]), id: parts[2]), query: FHIRQuery(types: [try type(parts[1])], id: parts[2]))
            guard http.query.isEmpty else { throw FHIRRefusal(status: 400, code: "not-supported", message: "A read by id takes no search parameters.") }
            return request
        case 4 where parts[1] == "Patient" && parts[3] == "$everything":
            guard let resident = Int64(parts[2]) else { throw FHIRRefusal(status: 404, code: "not-found", message: "There is no Patient with id \(parts[2]).") }
            request = FHIRRequest(kind: .everything(residentID: resident),
                                  query: FHIRQuery(types: FHIRCatalog.residentTypes.intersection(known), residentID: resident))
        default:
            throw FHIRRefusal(status: 404, code: "not-found", message: "There is no FHIR interaction at \(http.path).")
        }
        for (name, value) in http.query {
            switch name {
            case "patient", "subject":
                let id = value.hasPrefix("Patient/") ? String(value.dropFirst(8)) : value
                guard let resident = Int64(id) else { throw FHIRRefusal(status: 400, code: "value", message: "patient must be a Patient id such as 12 or Patient/12.") }
                if case .everything = request.kind { throw FHIRRefusal(status: 400, code: "not-supported", message: "$everything already names the patient.") }
                request.query.residentID = resident
            case "date":
                try applyDate(value, to: &request.query)
            case "_type":
                guard case .search = request.kind, parts.count == 1 else {
                    throw FHIRRefusal(status: 400, code: "not-supported", message: "_type is for a search across types: GET /fhir?_type=Observation,Condition.")
                }
                request.query.types = Set(try value.split(separator: ",").map { try type(String($0)) })
            case "_id":
                request.query.id = value
            case "_count":
                guard let count = Int(value), count >= 1 else { throw FHIRRefusal(status: 400, code: "value", message: "_count must be a whole number from 1.") }
                request.count = min(count, Appliance.fhirMaxPage)
            case "_offset":
                guard let offset = Int(value), (0...Appliance.fhirMaxOffset).contains(offset) else {
                    throw FHIRRefusal(status: 400, code: "value", message: "_offset must be a whole number from 0 to \(Appliance.fhirMaxOffset); narrow the search by date instead.")
                }
                request.offset = offset
            case "_format" where value.contains("json"):
                break
            default:
                throw FHIRRefusal(status: 400, code: "not-supported", message: "Search parameter \(name) is not supported here. Supported: patient, date, _type, _id, _count, _offset.")
            }
        }
        if request.query.types.isEmpty { throw FHIRRefusal(status: 400, code: "required", message: "Name the resource type (GET /fhir/Observation) or types (GET /fhir?_type=Observation,Condition).") }
        if request.query.residentID != nil, !request.query.types.isSubset(of: FHIRCatalog.residentTypes) {
            throw FHIRRefusal(status: 400, code: "not-supported", message: "patient is a search parameter of \(FHIRCatalog.residentTypes.sorted().joined(separator: ", ")) only.")
        }
        if request.query.from != nil || request.query.to != nil, !request.query.types.isSubset(of: FHIRCatalog.datedTypes) {
            throw FHIRRefusal(status: 400, code: "not-supported", message: "date is a search parameter of \(FHIRCatalog.datedTypes.sorted().joined(separator: ", ")) only.")
        }
        return request
    }

    /// `date=ge2026-01-01`, `lt2026-02-01T00:00:00Z`, `2026-01-05` (that whole day): narrows `from` and `to`.
    private func applyDate(_ value: String, to query: inout FHIRQuery) throws {
        let prefixes = ["ge", "gt", "le", "lt", "eq"]
        let prefix = prefixes.first(where: value.hasPrefix) ?? "eq"
        let text = prefixes.contains(where: value.hasPrefix) ? String(value.dropFirst(2)) : value
        let start: Date, end: Date
        if let day = Day(iso: text), text.count == 10 {
            start = FHIR.instant(day)
            end = FHIR.instant(day.adding(days: 1))
        } else if let instant = Timestamp.parse(text) {
            start = instant
            end = instant.addingTimeInterval(1)
        } else {
            throw FHIRRefusal(status: 400, code: "value", message: "date must be a day (2026-01-31) or a time (2026-01-31T09:00:00Z), with ge, gt, le, lt or eq before it.")
        }
        func later(_ a: Date?, _ b: Date) -> Date { a.map { max($0, b) } ?? b }
        func earlier(_ a: Date?, _ b: Date) -> Date { a.map { min($0, b) } ?? b }
        switch prefix {
        case "ge": query.from = later(query.from, start)
        case "gt": query.from = later(query.from, end)
        case "le": query.to = earlier(query.to, end)
        case "lt": query.to = earlier(query.to, start)
        default:
            query.from = later(query.from, start)
            query.to = earlier(query.to, end)
        }
    }

    /// The address a client used, for links and full URLs (`https://carehome.local`).
    func fhirBase(_ http: HTTPRequest) -> String {
        var host = http.headers["host"] ?? "carehome.local"
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:")
        if host.isEmpty || host.count > 255 || !host.allSatisfy({ allowed.contains($0) }) { host = "carehome.local" }
        return (usesTLS ? "https://" : "http://") + host
    }

    /// One audit entry per resident whose records a page showed (one without a resident when none did).
    private func auditRead(_ token: APIToken, _ http: HTTPRequest, residents: [Int64?], count: Int) {
        let detail = "FHIR \(http.path)\(Appliance.queryString(http)): \(count) resource\(count == 1 ? "" : "s")"
        var seen = Set<Int64>()
        let distinct = residents.compactMap { $0 }.filter { seen.insert($0).inserted }
        for resident in distinct.isEmpty ? [nil] : distinct.map(Optional.some) {
            audit.record(AuditEntry(userID: nil, username: token.auditName, address: http.remoteAddress, source: "fhir", action: "view",
                                    residentID: resident, detail: detail), durable: false)
        }
    }

    private func auditRefusal(_ token: APIToken, _ http: HTTPRequest, _ why: String) {
        audit.record(AuditEntry(userID: nil, username: token.auditName, address: http.remoteAddress, source: "fhir", action: "refused",
                                detail: "FHIR \(http.path)\(Appliance.queryString(http)) refused: \(why)"), durable: true)
    }

    func fhirOutcome(_ refusal: FHIRRefusal) -> HTTPResponse {
        let outcome: FHIRValue = [
            "resourceType": "OperationOutcome",
            "issue": [["severity": "error", "code": .string(refusal.code), "diagnostics": .string(refusal.message)]],
        ]
        var response = fhirJSON(refusal.status, outcome)
        if refusal.status == 401 { response.headers.append(("WWW-Authenticate", "Bearer realm=\"carehome fhir\"")) }
        return response
    }

    func fhirJSON(_ status: Int, _ value: FHIRValue) -> HTTPResponse {
        let body = (try? FHIRCatalog.data(value)).map(Array.init) ?? Array("{}".utf8)
        return HTTPResponse(status: status, headers: [("Content-Type", Appliance.fhirContentType), ("Cache-Control", "no-store")], body: body)
    }

    /// A Bundle written around resources already serialised (no second copy of the records as objects).
    static func bundle(type: String, identifier: String? = nil, links: [(String, String)] = [], entries: [(fullUrl: String, resource: Data)],
                       searchMode: Bool = false) -> [UInt8] {
        var out = Array("{\"resourceType\":\"Bundle\",\"id\":\"\(UUID().uuidString.lowercased())\",\"type\":\"\(type)\"".utf8)
        if let identifier { out += Array(",\"identifier\":{\"system\":\"urn:ietf:rfc:3986\",\"value\":\"\(jsonEscape(identifier))\"}".utf8) }
        out += Array(",\"timestamp\":\"\(Timestamp.format(Date()))\"".utf8)
        if !links.isEmpty {
            out += Array(",\"link\":[".utf8)
            out += Array(links.map { "{\"relation\":\"\(jsonEscape($0.0))\",\"url\":\"\(jsonEscape($0.1))\"}" }.joined(separator: ",").utf8)
            out += Array("]".utf8)
        }
        out += Array(",\"entry\":[".utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"fullUrl\":\"\(jsonEscape(entry.fullUrl))\",\"resource\":".utf8)
            out += entry.resource
            out += Array((searchMode ? ",\"search\":{\"mode\":\"match\"}}" : "}").utf8)
        }
        out += Array("]}".utf8)
        return out
    }

    /// What the service offers: the types (with the search parameters each takes) and the security it needs.
    func capabilityStatement(_ catalog: FHIRCatalog, http: HTTPRequest) -> FHIRValue {
        let resources: [FHIRValue] = catalog.types.sorted().map { type in
            var parameters: [FHIRValue] = [["name": "_id", "type": "token"]]
            if FHIRCatalog.residentTypes.contains(type) { parameters.append(["name": "patient", "type": "reference"]) }
            if FHIRCatalog.datedTypes.contains(type) { parameters.append(["name": "date", "type": "date"]) }
            var operations: [FHIRValue] = []
            if type == "Patient" { operations.append(["name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"]) }
            return [
                "type": .string(type),
                "profile": .string(FHIR.ukCoreProfileBase + "UKCore-\(type)"),
                "interaction": [["code": "read"], ["code": "search-type"]],
                "searchParam": .array(parameters),
                "operation": operations.isEmpty ? nil : .array(operations),
            ]
        }
        return [
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": FHIR.dateTime(Date()),
            "publisher": .string(homeName),
            "kind": "instance",
            "software": ["name": "carehome", "version": .string(Appliance.version)],
            "implementation": ["description": .string("\(homeName): the care home's records"), "url": .string(fhirBase(http) + "/fhir")],
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [[
                "mode": "server",
                "documentation": "Read-only. Every request but this one needs an API token made by the home (Authorization: Bearer …), limited to the resource types it names. Pages of at most 200 resources, with next links.",
                "security": ["cors": false, "description": "Bearer tokens made on the appliance's administration page or with carehome api-token add; every read is in the home's audit trail under the token's name."],
                "resource": .array(resources),
                "interaction": [["code": "search-system"]],
            ]],
        ]
    }
}
