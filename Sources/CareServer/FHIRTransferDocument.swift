package import CareKit
package import Foundation

/// The care home to hospital transfer summary ("red bag") as a FHIR document: a Composition whose
/// sections follow the PRSB standard for transfers of care from a care home to hospital, each section
/// in words (its narrative) and pointing at the resources behind it, in a Bundle of type `document`.
/// Built from whatever the loaded plugins contribute: a section with nothing behind it says so.
package struct FHIRTransferDocument {
    let catalog: FHIRCatalog
    let residentID: Int64

    package init(catalog: FHIRCatalog, residentID: Int64) {
        self.catalog = catalog
        self.residentID = residentID
    }

    /// The sections, in the order a receiving clinician reads them, with the resource types behind each.
    static let sections: [(title: String, types: Set<String>, empty: String)] = [
        ("Person demographics", ["Patient"], "Not recorded"),
        ("Advance care plans and ReSPECT", ["Flag"], "No ReSPECT form or advance care plan recorded"),
        ("Allergies and adverse reactions", ["AllergyIntolerance"], "No allergies recorded on the care home's record (ask)"),
        ("Medications", ["MedicationStatement"], "No current medicines recorded on the care home's record"),
        ("Diagnoses and problems", ["Condition"], "No diagnoses recorded on the care home's record"),
        ("Latest observations and NEWS2", ["Observation"], "No observations recorded"),
        ("Personalised care and support plan", ["CarePlan"], "No care and support plan recorded"),
        ("Stay at the care home", ["EpisodeOfCare"], "No stay recorded"),
    ]

    /// The resources, the Composition first; nil when the resident has no Patient resource.
    package func resources(now: Date = Date()) throws -> [FHIRResource]? {
        guard let patient = try catalog.read(type: "Patient", id: FHIR.patientID(residentID)) else { return nil }
        var byType = [String: [FHIRResource]]()
        let wanted = FHIRTransferDocument.sections.reduce(Set<String>()) { $0.union($1.types) }.subtracting(["Patient"])
        // The latest observation set and the latest soft signs, each kept apart (ids `obs-…` and `soft-…`).
        var latest = [String: (date: Date, resources: [FHIRResource])]()
        try catalog.resources(matching: FHIRQuery(types: wanted, residentID: residentID)) { resource in
            switch resource.type {
            case "MedicationStatement", "CarePlan", "EpisodeOfCare", "Flag":
                // What holds now: current medicines, the plan in force, the stay going on.
                let status = resource.elements["status"]?.text
                guard ["active", "onhold"].contains(status) else { return true }
            case "Observation":
                // Only the latest (same time): a decade of observations never goes in a red bag.
                guard let date = resource.date else { return true }
                let kind = String(resource.id.prefix { $0 != "-" })
                if let kept = latest[kind], kept.date > date { return true }
                if let kept = latest[kind], kept.date == date { latest[kind]?.resources.append(resource) } else { latest[kind] = (date, [resource]) }
                return true
            default: break
            }
            byType[resource.type, default: []].append(resource)
            return true
        }
        byType["Patient"] = [patient]
        let observations = latest.sorted { $0.key < $1.key }.flatMap(\.value.resources)
        if !observations.isEmpty { byType["Observation"] = observations }
        var shared = Set<String>()
        for resource in byType.values.joined() { FHIRCatalog.sharedReferences(in: resource.elements, into: &shared) }
        shared.insert("Organization/\(FHIR.homeOrganizationID)")
        var references = [FHIRResource]()
        for reference in shared.sorted() {
            let parts = reference.split(separator: "/").map(String.init)
            guard parts.count == 2, let found = try catalog.read(type: parts[0], id: parts[1]) else { continue }
            references.append(found)
        }
        let sections: [FHIRValue] = FHIRTransferDocument.sections.map { section in
            let entries = section.types.sorted().flatMap { byType[$0] ?? [] }
            let lines = entries.isEmpty ? [section.empty] : entries.map(\.summary)
            let items = lines.map { "<li>\(Self.escape($0))</li>" }.joined()
            return [
                "title": .string(section.title),
                "text": ["status": "generated", "div": .string("<div xmlns=\"http://www.w3.org/1999/xhtml\"><ul>\(items)</ul></div>")],
                "entry": entries.isEmpty ? nil : .array(entries.map { FHIR.reference($0.reference) }),
            ]
        }
        let name = patient.elements["name"].flatMap { value -> String? in
            if case .array(let names) = value { return names.first?["text"]?.text }
            return nil
        } ?? "the resident"
        let composition = FHIRResource(type: "Composition", id: "transfer-\(residentID)-\(Int(now.timeIntervalSince1970))", residentID: residentID,
                                       date: now, summary: "Care home to hospital transfer summary for \(name), made \(Timestamp.format(now))", [
            "meta": FHIR.meta(profile: "UKCore-Composition"),
            "status": "final",
            "type": FHIR.text("Urgent transfer from care home to hospital (after the PRSB standard)"),
            "subject": FHIR.patient(residentID),
            "date": FHIR.dateTime(now),
            "author": [FHIR.home()],
            "title": "Care home to hospital transfer summary",
            "custodian": FHIR.home(),
            "section": .array(sections),
        ])
        let ordered = FHIRTransferDocument.sections.flatMap { section in section.types.sorted().flatMap { byType[$0] ?? [] } }
        return [composition] + ordered + references
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
