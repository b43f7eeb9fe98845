import CareKit
import Foundation

/// Each resident's medicines, current and stopped, as FHIR MedicationStatements (UK Core). The drug
/// table holds no dm+d codes, so a medicine is named by its words only: a code is never guessed.
struct MedicationFHIR: FHIRContributor {
    let database: any CareDatabase
    let today: @Sendable () -> Day

    let resourceTypes: Set<String> = ["MedicationStatement"]

    func resources(matching query: FHIRQuery, emit: (FHIRResource) throws -> Bool) throws {
        guard query.wants("MedicationStatement") else { return }
        guard let row = FHIR.rowFilter(query, prefix: "med-") else { return }
        let filter = FHIR.residentFilter(query)
        let day = today()
        try FHIR.emitRows(from: database, select: "SELECT * FROM medication_review_medicines",
                          where: "entered_in_error = 0 AND \(filter.sql) AND \(row.sql)", arguments: filter.arguments + row.arguments,
                          make: { row in [try statement(row, today: day)] }, emit: emit)
    }

    func statement(_ row: SQLRow, today: Day) throws -> FHIRResource {
        let id = try row.requiredInt64("id")
        let resident = try row.requiredInt64("resident_id")
        let name = try row.requiredString("name")
        let started = row.day("started_on")
        let stop = row.day("stop_on")
        let stopped = stop.map { $0 <= today } ?? false
        let directions = [row.string("dose"), row.string("route"), row.string("frequency")]
            .compactMap { $0?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        let asNeeded = row.bool("as_needed") ?? false
        let indication = row.string("indication") ?? ""
        let reason = row.string("stop_reason") ?? ""
        var summary = "\(name)\(directions.isEmpty ? "" : ", \(directions)")\(asNeeded ? " when needed" : "")"
        if let started { summary += "; started \(started.display)" }
        if let stop { summary += stopped ? "; stopped \(stop.display)" : "; to stop \(stop.display)" }
        let recorder = row.int64("recorded_by_id").flatMap { $0 > 0 ? $0 : nil }
        return FHIRResource(type: "MedicationStatement", id: "med-\(id)", residentID: resident, date: started.map(FHIR.instant), summary: summary, [
            "meta": FHIR.meta(profile: "UKCore-MedicationStatement"),
            "status": stopped ? "stopped" : "active",
            "statusReason": stopped && !reason.isEmpty ? [FHIR.text(reason)] : nil,
            "medicationCodeableConcept": FHIR.text(name),
            "subject": FHIR.patient(resident),
            "effectivePeriod": FHIR.period(start: started.map(FHIR.date), end: stop.map(FHIR.date)),
            "dateAsserted": row.date("recorded_at").map(FHIR.dateTime),
            "informationSource": recorder.map { FHIR.practitioner(userID: $0, name: row.string("recorded_by") ?? "") },
            "reasonCode": indication.isEmpty ? nil : [FHIR.text(indication)],
            "dosage": [[
                "text": .string(directions.isEmpty ? "Directions not recorded" : directions + (asNeeded ? " when needed" : "")),
                "asNeededBoolean": .bool(asNeeded),
                "route": (row.string("route") ?? "").isEmpty ? nil : FHIR.text(row.string("route") ?? ""),
            ]],
        ])
    }
}
