package import CareKit
package import CareServices
package import Foundation

/// The home's records as FHIR resources: the server's own (the home's Organization, each staff account as a
/// Practitioner and PractitionerRole) and every plugin's contributors, with one place that applies a
/// query's filters, so that every way out (`/fhir`, a staff download, `carehome export fhir`) shares them.
package struct FHIRCatalog: Sendable {
    let contributors: [(pluginID: String, contributor: any FHIRContributor)]
    let staff: (any StaffDirectory)?
    let homeName: String
    let odsCode: String?

    /// The types the server itself makes.
    static let coreTypes: Set<String> = ["Organization", "Practitioner", "PractitionerRole"]

    /// Every resource type the appliance can share now (depends on the plugins loaded).
    package var types: Set<String> {
        contributors.reduce(FHIRCatalog.coreTypes) { $0.union($1.contributor.resourceTypes) }
    }

    /// The types that have a clinical date to search by.
    package static let datedTypes: Set<String> = ["EpisodeOfCare", "Encounter", "CarePlan", "MedicationStatement", "Observation", "Flag", "Task"]
    /// The types about one resident (searchable by patient).
    package static let residentTypes: Set<String> = ["Patient", "EpisodeOfCare", "Encounter", "CarePlan", "Condition", "AllergyIntolerance",
                                                     "MedicationStatement", "Observation", "Flag", "Task"]

    /// Calls `emit` with every resource matching `query`, in a stable order, until it returns false.
    /// A resource is kept only when its type, id, resident and date all match: the contributors' own
    /// filtering is an optimisation, never trusted alone.
    package func resources(matching query: FHIRQuery, emit: (FHIRResource) throws -> Bool) throws {
        var going = true
        func keep(_ resource: FHIRResource) throws -> Bool {
            guard query.types.contains(resource.type) else { return true }
            if let id = query.id, resource.id != id { return true }
            if let resident = query.residentID, resource.residentID != resident { return true }
            if query.from != nil || query.to != nil {
                guard let date = resource.date else { return true }
                if let from = query.from, date < from { return true }
                if let to = query.to, date >= to { return true }
            }
            going = try emit(resource)
            return going
        }
        if query.residentID == nil {
            for resource in try coreResources(query.types) { guard try keep(resource) else { return } }
        }
        for (_, contributor) in contributors where !contributor.resourceTypes.isDisjoint(with: query.types) {
            try contributor.resources(matching: query, emit: keep)
            guard going else { return }
        }
    }

    /// One resource by type and id, or nil.
    package func read(type: String, id: String) throws -> FHIRResource? {
        var found: FHIRResource?
        try resources(matching: FHIRQuery(types: [type], id: id)) { found = $0; return false }
        return found
    }

    private func coreResources(_ types: Set<String>) throws -> [FHIRResource] {
        var out = [FHIRResource]()
        if types.contains("Organization") {
            var summary = "The care home: \(homeName)"
            if let odsCode { summary += " (ODS code \(odsCode))" }
            out.append(FHIRResource(type: "Organization", id: FHIR.homeOrganizationID, residentID: nil, date: nil, summary: summary, [
                "meta": FHIR.meta(profile: "UKCore-Organization"),
                "identifier": odsCode.map { [["system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": .string($0)]] },
                "active": true,
                "type": [FHIR.text("Care home")],
                "name": .string(homeName),
            ]))
        }
        guard !types.isDisjoint(with: ["Practitioner", "PractitionerRole"]), let staff else { return out }
        for member in try staff.staff() {
            if types.contains("Practitioner") {
                out.append(FHIRResource(type: "Practitioner", id: "\(member.userID)", residentID: nil, date: nil,
                                        summary: "\(member.displayName), \(member.role.title.lowercased()) at the care home", [
                    "meta": FHIR.meta(profile: "UKCore-Practitioner"),
                    "active": .bool(member.active),
                    "name": [["text": .string(member.displayName)]],
                ]))
            }
            if types.contains("PractitionerRole") {
                out.append(FHIRResource(type: "PractitionerRole", id: "\(member.userID)", residentID: nil, date: nil,
                                        summary: "\(member.displayName): \(member.role.title) at the care home", [
                    "meta": FHIR.meta(profile: "UKCore-PractitionerRole"),
                    "active": .bool(member.active),
                    "practitioner": FHIR.practitioner(userID: member.userID, name: member.displayName),
                    "organization": FHIR.home(display: homeName),
                    "code": [FHIR.text(member.role.title)],
                ]))
            }
        }
        return out
    }

    /// The references (`Organization/home`) a resource makes to resources that are not about a resident,
    /// so that a resident's bundle can carry them too.
    package static func sharedReferences(in value: FHIRValue, into found: inout Set<String>) {
        switch value {
        case .object(let pairs):
            for (key, inner) in pairs {
                if key == "reference", let text = inner.text,
                   ["Organization/", "Practitioner/", "PractitionerRole/"].contains(where: text.hasPrefix) { found.insert(text) }
                sharedReferences(in: inner, into: &found)
            }
        case .array(let items):
            for item in items { sharedReferences(in: item, into: &found) }
        default: break
        }
    }

    /// One resource as JSON bytes (keys sorted, so the same record always gives the same bytes).
    package static func data(_ value: FHIRValue) throws -> Data {
        try JSONSerialization.data(withJSONObject: value.foundationObject, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}

extension Appliance {
    /// The catalog with the plugins loaded now.
    package var fhirCatalog: FHIRCatalog {
        FHIRCatalog(contributors: host.fhirContributors(), staff: host.services.resolve(Services.staff), homeName: homeName,
                    odsCode: configuration.odsCode)
    }
}
