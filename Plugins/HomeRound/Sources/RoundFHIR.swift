import CareKit
import Foundation

/// Each resident's review at a weekly home round as a FHIR Encounter (UK Core): when, why they were on
/// the agenda, and what was found (in the narrative; R4's Encounter has no element for findings).
struct RoundFHIR: FHIRContributor {
    let database: any CareDatabase

    let resourceTypes: Set<String> = ["Encounter"]

    func resources(matching query: FHIRQuery, emit: (FHIRResource) throws -> Bool) throws {
        guard query.wants("Encounter") else { return }
        guard let row = FHIR.rowFilter(query, prefix: "round-") else { return }
        let filter = FHIR.residentFilter(query)
        try FHIR.emitRows(from: database, select: """
            SELECT * FROM (SELECT e.id, e.resident_id, e.outcome, e.not_seen_reason, e.findings, e.saved_at, r.round_day, r.status AS round_status,
                                  a.reasons
                           FROM home_round_entries e JOIN home_round_rounds r ON r.id = e.round_id
                           LEFT JOIN home_round_agenda_final a ON a.round_id = e.round_id AND a.resident_id = e.resident_id)
            """, where: "outcome != '' AND \(filter.sql) AND \(row.sql)", arguments: filter.arguments + row.arguments,
            make: { row in [try encounter(row)] }, emit: emit)
    }

    func encounter(_ row: SQLRow) throws -> FHIRResource {
        let id = try row.requiredInt64("id")
        let resident = try row.requiredInt64("resident_id")
        let day = try row.requiredDay("round_day")
        let seen = row.string("outcome") == RoundEntry.Outcome.reviewed.rawValue
        let closed = row.string("round_status") == "closed"
        let reasons = (row.string("reasons") ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var summary = seen ? "Reviewed at the weekly home round on \(day.display)" : "Not seen at the weekly home round on \(day.display)"
        if !seen, let why = row.string("not_seen_reason"), !why.isEmpty { summary += ": \(why)" }
        if !reasons.isEmpty { summary += ". On the agenda because: \(reasons.joined(separator: "; "))" }
        if seen, let findings = row.string("findings"), !findings.isEmpty { summary += ". Findings: \(findings)" }
        return FHIRResource(type: "Encounter", id: "round-\(id)", residentID: resident, date: FHIR.instant(day), summary: summary, [
            "meta": FHIR.meta(profile: "UKCore-Encounter"),
            "status": .string(seen ? (closed ? "finished" : "in-progress") : "cancelled"),
            // The resident is seen where they live: HL7's "home health" encounter class.
            "class": ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "HH", "display": "home health"],
            "type": [FHIR.text("Weekly home round review (Enhanced Health in Care Homes)")],
            "subject": FHIR.patient(resident),
            "period": ["start": FHIR.date(day)],
            "reasonCode": reasons.isEmpty ? nil : .array(reasons.map(FHIR.text)),
            "serviceProvider": FHIR.home(),
        ])
    }
}
